import { basename, join } from 'node:path';
import {
  SERVICES,
  chartDir,
  ciValueFiles,
  coalesce,
  compileValuesSchema,
  defaultValues,
  readYaml,
  valuesSchema,
  type Values,
} from './chart-files';

const validate = compileValuesSchema();

function errorsOf(values: Values): string {
  return validate(values) ? '' : JSON.stringify(validate.errors, null, 2);
}

describe('values.schema.json', () => {
  it('declares draft-07, the draft Helm and ajv both validate with', () => {
    expect(valuesSchema().$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('accepts values.yaml', () => {
    expect(errorsOf(defaultValues())).toBe('');
  });

  it.each(ciValueFiles().map((f) => [basename(f), f]))(
    'accepts ci/%s on its own and over values.yaml',
    (_name, file) => {
      const ci = readYaml(file);
      expect(errorsOf(ci)).toBe('');
      expect(errorsOf(coalesce(defaultValues(), ci))).toBe('');
    },
  );

  it.each([
    ['an unknown top-level key', { replicaCount: 3 }],
    ['an unknown service', { services: { billing: { enabled: true } } }],
    ['an unknown key in a service', { services: { graph: { replica: 2 } } }],
    ['an unknown mode', { mode: 'cluster' }],
    ['sqlite as a multi-pod event log', { mode: 'distributed', eventLog: { backend: 'sqlite' } }],
    ['a port out of range', { services: { gateway: { httpPort: 70000 } } }],
    ['a peer that is not a service', { services: { store: { peers: ['billing'] } } }],
    ['production without a secret', { mode: 'production' }],
    ['a malformed quantity', { defaults: { resources: { requests: { memory: 'lots' } } } }],
    ['an env name with a dash', { env: { 'LOG-LEVEL': 'debug' } }],
  ])('rejects %s', (_what, override) => {
    expect(validate(coalesce(defaultValues(), override))).toBe(false);
  });

  it('describes every value in values.yaml', () => {
    const schema = valuesSchema();
    const undescribed: string[] = [];
    const walk = (value: unknown, node: any, path: string, described: boolean): void => {
      if (node === undefined) {
        undescribed.push(`${path} (no schema)`);
        return;
      }
      const resolved = resolveRef(schema, node);
      // A named key needs its own description; list items and map entries may rely on their definition's.
      if (!described && !node.description) undescribed.push(path);
      if (resolved.additionalProperties === true && !resolved.properties) return; // Kubernetes or dependency-chart shape
      if (Array.isArray(value)) {
        value.forEach((item, i) =>
          walk(item, resolved.items, `${path}[${i}]`, Boolean(resolveRef(schema, resolved.items).description)),
        );
      } else if (value !== null && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          const childNode =
            resolved.properties?.[key] ??
            (typeof resolved.additionalProperties === 'object' ? resolved.additionalProperties : undefined);
          // A map's entries are described by the map (env names, annotation keys…).
          const describedByMap = !resolved.properties?.[key] && typeof resolved.additionalProperties === 'object';
          if (childNode === undefined && resolved.additionalProperties === true) continue;
          walk(child, childNode, `${path}.${key}`, describedByMap);
        }
      }
    };
    for (const [key, value] of Object.entries(defaultValues())) walk(value, schema.properties[key], key, false);
    expect(undescribed).toEqual([]);
  });
});

describe('values.yaml', () => {
  const values = defaultValues();

  it('lists exactly the eight services with their canonical gRPC and ops ports', () => {
    expect(Object.keys(values.services)).toEqual([...SERVICES]);
    SERVICES.forEach((name, i) => {
      expect([name, values.services[name].grpcPort, values.services[name].opsPort]).toEqual([
        name,
        50051 + i,
        9464 + i,
      ]);
    });
    expect(values.services.gateway.httpPort).toBe(8080);
  });

  it('declares peers that exist and are not the service itself', () => {
    for (const [name, svc] of Object.entries<any>(values.services)) {
      for (const peer of svc.peers) {
        expect(SERVICES).toContain(peer);
        expect(peer).not.toBe(name);
      }
    }
  });

  it('lets the gateway call every other service', () => {
    expect([...values.services.gateway.peers].sort()).toEqual(SERVICES.filter((s) => s !== 'gateway').sort());
  });
});

describe('Chart.yaml', () => {
  const chart = readYaml(join(chartDir, 'Chart.yaml'));
  const values = defaultValues();

  it('is a v2 application chart', () => {
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'agentry', type: 'application' });
  });

  it.each(['kafka', 'mongodb', 'nats'])(
    'has %s as an optional dependency switched by <name>.enabled (off by default)',
    (name) => {
      const dep = chart.dependencies.find((d: any) => d.name === name);
      expect(dep).toMatchObject({ condition: `${name}.enabled` });
      expect(dep.version).toEqual(expect.any(String));
      expect(dep.repository).toEqual(expect.any(String));
      expect(values[name].enabled).toBe(false);
    },
  );
});

describe('ci value sets', () => {
  const byName = Object.fromEntries(ciValueFiles().map((f) => [basename(f), readYaml(f)]));

  it('cover embedded, Kafka + MongoDB and JetStream + MongoDB', () => {
    expect(Object.keys(byName).sort()).toEqual([
      'embedded-values.yaml',
      'jetstream-mongo-values.yaml',
      'kafka-mongo-values.yaml',
    ]);
    expect(byName['embedded-values.yaml'].mode).toBe('embedded');
    expect(byName['kafka-mongo-values.yaml']).toMatchObject({
      eventLog: { backend: 'kafka' },
      readStore: { backend: 'mongo' },
      kafka: { enabled: true },
    });
    expect(byName['jetstream-mongo-values.yaml']).toMatchObject({
      eventLog: { backend: 'jetstream' },
      readStore: { backend: 'mongo' },
      nats: { enabled: true },
    });
  });
});

function resolveRef(schema: any, node: any): any {
  let current = node;
  while (current?.$ref) {
    const path = current.$ref.replace(/^#\//, '').split('/');
    current = path.reduce((acc: any, key: string) => acc?.[key], schema);
  }
  return current ?? {};
}
