// Checks on the chart's templates that need no helm binary.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES, templatesDir } from './chart-files';

const templateFiles = readdirSync(templatesDir).filter((f) => f.endsWith('.yaml'));
const read = (f: string) => readFileSync(join(templatesDir, f), 'utf8');

// Kinds rendered once per workload, so their template must range over the units.
const PER_WORKLOAD = [
  'deployment.yaml',
  'service.yaml',
  'serviceaccount.yaml',
  'hpa.yaml',
  'pdb.yaml',
  'networkpolicy.yaml',
];

describe('chart templates', () => {
  it('has no template written for one service', () => {
    for (const f of readdirSync(templatesDir)) {
      for (const s of SERVICES)
        expect({ file: f, service: s, match: f.includes(s) }).toEqual({ file: f, service: s, match: false });
    }
  });

  it.each(PER_WORKLOAD)('%s ranges over the workload units', (f) => {
    const text = read(f);
    expect(text).toContain('include "agentry.units" . | fromYaml');
    expect(text).toMatch(/\{\{-? range \$name, \$u := \$units \}\}/);
  });

  it('builds the units from .Values.services in one place', () => {
    const helpers = readFileSync(join(templatesDir, '_helpers.tpl'), 'utf8');
    expect(helpers).toMatch(/range \$name, \$cfg := \.Values\.services/);
    expect(helpers).toContain('define "agentry.units"');
  });

  it("names no service except where the behaviour is the service's own (gateway entry point, block-runner KEDA)", () => {
    const allowed: Record<string, string[]> = {
      'keda-scaledobject.yaml': ['block-runner'],
      'deployment.yaml': ['block-runner'],
      'hpa.yaml': ['block-runner'],
    };
    for (const f of templateFiles) {
      const text = read(f);
      for (const s of SERVICES) {
        if (new RegExp(`"${s}"`).test(text))
          expect({ file: f, service: s, allowed: (allowed[f] ?? []).includes(s) }).toEqual({
            file: f,
            service: s,
            allowed: true,
          });
      }
    }
  });

  it('probes /healthz and /readyz and hardens every container', () => {
    const d = read('deployment.yaml');
    expect(d).toMatch(/livenessProbe:\s+httpGet:\s+path: \/healthz/);
    expect(d).toMatch(/readinessProbe:\s+httpGet:\s+path: \/readyz/);
    expect(d).toContain('toYaml $.Values.securityContext');
    expect(d).toContain('enableServiceLinks: false');
    expect(d).toMatch(/mountPath: \/tmp/);
  });

  it('declares the optional kinds behind their switches', () => {
    expect(read('servicemonitor.yaml')).toMatch(/^\{\{- if \.Values\.serviceMonitor\.enabled \}\}/);
    expect(read('servicemonitor.yaml')).toContain('apiVersion: monitoring.coreos.com/v1');
    expect(read('keda-scaledobject.yaml')).toMatch(/^\{\{- if \.Values\.keda\.enabled \}\}/);
    expect(read('ingress.yaml')).toMatch(/^\{\{- if \.Values\.ingress\.enabled \}\}/);
    expect(read('dashboards.yaml')).toContain('.Files.Glob "dashboards/*.json"');
  });
});
