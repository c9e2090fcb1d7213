// The kustomize tree: every YAML parses, every object validates with kubernetes-models, every
// kustomization points at files that exist, and (with kubectl or kustomize on PATH) every
// overlay builds into eight services from one image.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { parseManifests, validateManifest, validateManifests, type KubeObject } from './kube-models';

const k8sDir = join(__dirname, '..');
const SERVICES = ['graph', 'execution', 'block-runner', 'integration', 'store', 'scheduler', 'notification', 'gateway'];
const OVERLAYS = ['overlays/dev', 'overlays/prod'];

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'test' ? [] : yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const files = yamlFiles(k8sDir).sort();
const rel = (f: string) => relative(k8sDir, f);
const isKustomization = (f: string) => /(^|\/)kustomization\.ya?ml$/.test(f);

describe('k8s YAML files', () => {
  it.each(files.map((f) => [rel(f), f]))('%s parses', (_name, file) => {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8')))
      expect(doc.errors.map((e) => e.message)).toEqual([]);
  });

  it('validates every Kubernetes object with kubernetes-models', () => {
    const objects = files
      .filter((f) => !isKustomization(f))
      .flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => ({ file: rel(f), value: d.toJS() })))
      .filter(({ value }) => value && !Array.isArray(value) && value.kind);
    expect(objects.length).toBeGreaterThan(5);
    const problems = objects.flatMap(({ file, value }) =>
      validateManifest(value as KubeObject).map((p) => `${file}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it('writes patch files as JSON patch operation lists', () => {
    const patchFiles = files.filter((f) => /patch\.ya?ml$/.test(f));
    expect(patchFiles.length).toBeGreaterThan(0);
    for (const f of patchFiles) {
      const ops = parse(readFileSync(f, 'utf8'));
      expect(Array.isArray(ops)).toBe(true);
      for (const op of ops)
        expect(op).toEqual(
          expect.objectContaining({
            op: expect.stringMatching(/^(add|remove|replace|test|move|copy)$/),
            path: expect.stringMatching(/^\//),
          }),
        );
    }
  });
});

describe('kustomizations', () => {
  const kustomizations = files.filter(isKustomization);

  it('exist for the base, every service, and the dev and prod overlays', () => {
    const dirs = kustomizations.map((f) => rel(dirname(f))).sort();
    expect(dirs).toEqual(['base', ...SERVICES.map((s) => `base/services/${s}`), 'base/workload', ...OVERLAYS].sort());
  });

  it.each(kustomizations.map((f) => [rel(f), f]))('%s refers only to files that exist', (_name, file) => {
    const k = parse(readFileSync(file, 'utf8'));
    const here = dirname(file);
    const referenced: string[] = [
      ...(k.resources ?? []),
      ...(k.components ?? []),
      ...(k.patchesStrategicMerge ?? []),
      ...(k.patches ?? []).filter((p: any) => p.path).map((p: any) => p.path),
      ...(k.patchesJson6902 ?? []).filter((p: any) => p.path).map((p: any) => p.path),
      ...[...(k.configMapGenerator ?? []), ...(k.secretGenerator ?? [])].flatMap((g: any) => [
        ...(g.envs ?? []),
        ...(g.env ? [g.env] : []),
        ...(g.files ?? []).map((f: string) => f.split('=').pop()),
      ]),
    ];
    expect(k).toMatchObject({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' });
    const missing = referenced.filter((r) => !/^https?:\/\//.test(r) && !existsSync(join(here, r)));
    expect(missing).toEqual([]);
    for (const r of referenced.filter((x) => existsSync(join(here, x)) && statSync(join(here, x)).isDirectory())) {
      expect({ dir: r, hasKustomization: existsSync(join(here, r, 'kustomization.yaml')) }).toEqual({
        dir: r,
        hasKustomization: true,
      });
    }
  });

  it('stamps every service from the one shared workload', () => {
    const base = parse(readFileSync(join(k8sDir, 'base/kustomization.yaml'), 'utf8'));
    expect(base.resources).toEqual(SERVICES.map((s) => `services/${s}`));
    for (const s of SERVICES) {
      const k = parse(readFileSync(join(k8sDir, `base/services/${s}/kustomization.yaml`), 'utf8'));
      expect(k).toMatchObject({ resources: ['../../workload'], nameSuffix: `-${s}` });
    }
  });

  it('keeps base/config.env peer URLs on the canonical ports', () => {
    const env = Object.fromEntries(
      readFileSync(join(k8sDir, 'base/config.env'), 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split('=', 2) as [string, string]),
    );
    SERVICES.forEach((s, i) =>
      expect(env[`AGENTRY_${s.toUpperCase().replace('-', '_')}_GRPC_URL`]).toBe(`agentry-${s}:${50051 + i}`),
    );
  });
});

// kubectl kustomize (or a kustomize binary) renders the tree exactly as `kubectl apply -k` would.
const kustomizeCommand = (() => {
  if (spawnSync('kubectl', ['kustomize', '--help'], { encoding: 'utf8' }).status === 0) return ['kubectl', 'kustomize'];
  if (spawnSync('kustomize', ['version'], { encoding: 'utf8' }).status === 0) return ['kustomize', 'build'];
  return undefined;
})();
if (!kustomizeCommand)
  console.warn('k8s/test/kustomize.unit.test.ts: build checks skipped, neither `kubectl` nor `kustomize` is on PATH.');
const describeWithKustomize = kustomizeCommand ? describe : describe.skip;

describeWithKustomize('kustomize build', () => {
  const built: Record<string, KubeObject[]> = {};
  const build = (target: string): KubeObject[] => built[target];

  beforeAll(async () => {
    const [cmd, ...args] = kustomizeCommand!;
    await Promise.all(
      ['base', ...OVERLAYS].map(async (target) => {
        const { stdout } = await promisify(execFile)(cmd, [...args, join(k8sDir, target)], {
          encoding: 'utf8',
          maxBuffer: 16 * 1024 * 1024,
        });
        built[target] = parseManifests(stdout, target);
      }),
    );
  });

  it.each(['base', ...OVERLAYS])('%s builds into valid objects: eight services from one image', (target) => {
    const objects = build(target);
    expect(validateManifests(objects)).toEqual([]);
    const deployments = objects.filter(
      (o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/part-of'] === 'agentry',
    );
    expect(deployments.map((d) => d.metadata.labels!['app.kubernetes.io/component']).sort()).toEqual(
      [...SERVICES].sort(),
    );
    expect(new Set(deployments.map((d) => d.spec.template.spec.containers[0].image)).size).toBe(1);
    const configMaps = objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name);
    for (const d of deployments) {
      const component = d.metadata.labels!['app.kubernetes.io/component'];
      const i = SERVICES.indexOf(component);
      const c = d.spec.template.spec.containers[0];
      expect(c.env[0]).toEqual({ name: 'AGENTRY_SERVICE', value: component });
      expect(c.ports.slice(0, 2).map((p: any) => p.containerPort)).toEqual([50051 + i, 9464 + i]);
      expect(c.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(d.spec.selector.matchLabels['app.kubernetes.io/component']).toBe(component);
      expect(configMaps).toContain(c.envFrom[0].configMapRef.name);
      const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === d.metadata.name)!;
      expect(service.spec.selector).toEqual(d.spec.selector.matchLabels);
      expect(service.spec.ports[0].port).toBe(50051 + i);
    }
  });

  it('puts dev in its own namespace with NATS and MongoDB next to it', () => {
    const objects = build('overlays/dev');
    expect(new Set(objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace))).toEqual(
      new Set(['agentry-dev']),
    );
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual(
      expect.arrayContaining(['nats', 'mongodb']),
    );
    const config = objects.find((o) => o.kind === 'ConfigMap')!;
    expect(config.data).toMatchObject({
      LOG_LEVEL: 'debug',
      AGENTRY_EVENT_LOG: 'jetstream',
      NATS_URL: 'nats://nats:4222',
    });
  });

  it('makes prod require the encryption key and run at least two of each', () => {
    const objects = build('overlays/prod');
    const config = objects.find((o) => o.kind === 'ConfigMap')!;
    expect(config.data).toMatchObject({ AGENTRY_MODE: 'production', AGENTRY_EVENT_LOG: 'kafka' });
    for (const d of objects.filter((o) => o.kind === 'Deployment')) {
      expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
      const key = d.spec.template.spec.containers[0].env.find((e: any) => e.name === 'AGENTRY_ENCRYPTION_KEY');
      expect(key.valueFrom.secretKeyRef).toEqual({ name: 'agentry-secrets', key: 'encryption-key', optional: false });
    }
  });
});
