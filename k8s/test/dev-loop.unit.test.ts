// skaffold.yaml and the Tiltfile point at things that exist: Dockerfile stages, the chart,
// its ci value files, and chart values (a mistyped --set key would otherwise pass silently).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');
const chartValues = parse(readFileSync(join(root, 'charts/agentry/values.yaml'), 'utf8'));
const dockerStages = [...readFileSync(join(root, 'Dockerfile'), 'utf8').matchAll(/^FROM \S+ AS (\S+)$/gm)].map(
  (m) => m[1],
);

/** True when a dotted Helm value path (services.notification.enabled) names a value the chart declares. */
function chartHasValue(path: string): boolean {
  let node: any = chartValues;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || !(key in node)) return false;
    node = node[key];
  }
  return true;
}

describe('skaffold.yaml', () => {
  const skaffold = parse(readFileSync(join(root, 'skaffold.yaml'), 'utf8'));
  const configs = [skaffold, ...skaffold.profiles];
  const releases = configs.flatMap((c: any) => c.deploy?.helm?.releases ?? []);
  const artifacts = configs.flatMap((c: any) => c.build?.artifacts ?? []);

  it('is a skaffold v4beta config with dev, prod and embedded profiles', () => {
    expect(skaffold.apiVersion).toMatch(/^skaffold\/v4beta\d+$/);
    expect(skaffold.kind).toBe('Config');
    expect(skaffold.profiles.map((p: any) => p.name).sort()).toEqual(['dev', 'embedded', 'prod']);
  });

  it('builds the one image from Dockerfile stages that exist', () => {
    for (const a of artifacts) {
      expect(a.image).toBe('agentry');
      expect(dockerStages).toContain(a.docker.target);
    }
  });

  it('deploys the chart with ci value files and value keys that exist', () => {
    expect(releases.length).toBeGreaterThanOrEqual(3);
    for (const r of releases) {
      expect(existsSync(join(root, r.chartPath, 'Chart.yaml'))).toBe(true);
      for (const f of r.valuesFiles ?? [])
        expect({ file: f, exists: existsSync(join(root, f)) }).toEqual({ file: f, exists: true });
      for (const key of [...Object.keys(r.setValues ?? {}), ...Object.keys(r.setValueTemplates ?? {})]) {
        expect({ key, declared: chartHasValue(key) }).toEqual({ key, declared: true });
      }
    }
  });

  it('patches only paths that exist in the base config (embedded profile)', () => {
    for (const profile of skaffold.profiles) {
      for (const patch of profile.patches ?? []) {
        const segments = patch.path.split('/').slice(1);
        const parentPath = patch.op === 'add' ? segments.slice(0, -1) : segments;
        const target = parentPath.reduce((node: any, key: string) => (node == null ? undefined : node[key]), skaffold);
        expect({ path: patch.path, found: target !== undefined }).toEqual({ path: patch.path, found: true });
      }
    }
  });
});

describe('Tiltfile', () => {
  const tiltfile = readFileSync(join(root, 'Tiltfile'), 'utf8');

  it('builds the dev stage with live_update syncing the source folders', () => {
    expect(tiltfile).toMatch(/docker_build\(\s*'agentry'/);
    const target = tiltfile.match(/target='([^']+)'/)?.[1];
    expect(dockerStages).toContain(target);
    const synced = [...tiltfile.matchAll(/sync\('([^']+)', '\/app\/[^']+'\)/g)].map((m) => m[1]);
    expect(synced).toEqual(expect.arrayContaining(['libs', 'services']));
    for (const dir of synced) expect({ dir, exists: existsSync(join(root, dir)) }).toEqual({ dir, exists: true });
  });

  it('deploys the chart with ci values, existing value keys, and port-forwards 8080', () => {
    expect(tiltfile).toMatch(/helm\(chart, /);
    for (const m of tiltfile.matchAll(/chart \+ '(\/ci\/[^']+)'/g))
      expect(existsSync(join(root, 'charts/agentry', m[1]))).toBe(true);
    const sets = [...tiltfile.matchAll(/'([a-zA-Z.]+)=[^']*'/g)].map((m) => m[1]);
    expect(sets.length).toBeGreaterThan(3);
    for (const key of sets) expect({ key, declared: chartHasValue(key) }).toEqual({ key, declared: true });
    expect(tiltfile).toContain("port_forwards=['8080:8080'");
  });
});
