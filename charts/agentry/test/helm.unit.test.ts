// helm lint + helm template for values.yaml and every ci/*.yaml, with the rendered objects
// validated by kubernetes-models. Skipped (with a printed reason) when helm is not on PATH.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseManifests, validateManifests, type KubeObject } from '../../../k8s/test/kube-models';
import { SERVICES, chartDir, ciValueFiles, readYaml } from './chart-files';

const helmVersion = spawnSync('helm', ['version', '--short'], { encoding: 'utf8' });
const helmAvailable = helmVersion.status === 0;
if (!helmAvailable) {
  console.warn(
    'charts/agentry/test/helm.unit.test.ts: skipped, `helm` is not on PATH (install Helm 3 to lint and render the chart).',
  );
}
const describeWithHelm = helmAvailable ? describe : describe.skip;

const valueSets = [join(chartDir, 'values.yaml'), ...ciValueFiles()];

interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs helm without blocking, so the renders and lints below run side by side. */
function helm(args: string[]): Promise<HelmResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('helm', args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const refusals: Array<[string, string[], RegExp]> = [
  [
    'mode=production without a secret',
    ['--set', 'mode=production', '--set', 'kafka.enabled=true', '--set', 'mongodb.enabled=true'],
    /existingSecret/,
  ],
  [
    'Kafka without brokers',
    ['--set', 'mode=distributed', '--set', 'mongodb.enabled=true'],
    /eventLog.backend=kafka needs/,
  ],
  [
    'MongoDB without a URL',
    ['--set', 'mode=distributed', '--set', 'kafka.enabled=true'],
    /readStore.backend=mongo needs/,
  ],
];

/**
 * The chart to render. Without `helm dependency build` its charts/ folder lacks kafka, mongodb and nats,
 * and helm refuses to render; a temporary copy with empty stand-ins for them renders Agentry's own objects.
 */
function renderableChart(): { dir: string; cleanup: () => void } {
  const chart = readYaml(join(chartDir, 'Chart.yaml'));
  const depsDir = join(chartDir, 'charts');
  const present = existsSync(depsDir) ? readdirSync(depsDir) : [];
  const missing = (chart.dependencies ?? []).filter(
    (d: any) => !present.some((f) => f === d.name || f.startsWith(`${d.name}-`)),
  );
  if (missing.length === 0) return { dir: chartDir, cleanup: () => undefined };
  console.warn(
    `helm tests: dependencies ${missing.map((d: any) => d.name).join(', ')} not built; rendering with empty stand-ins (run \`helm dependency build charts/agentry\` to render them too).`,
  );
  const dir = join(mkdtempSync(join(tmpdir(), 'agentry-chart-')), 'agentry');
  cpSync(chartDir, dir, { recursive: true, filter: (src) => !src.startsWith(join(chartDir, 'test')) });
  for (const dep of missing) {
    const stub = join(dir, 'charts', dep.name);
    mkdirSync(stub, { recursive: true });
    const version = String(dep.version)
      .replace(/x/g, '0')
      .replace(/^[^0-9]*/, '');
    writeFileSync(join(stub, 'Chart.yaml'), `apiVersion: v2\nname: ${dep.name}\nversion: ${version}\n`);
  }
  return { dir, cleanup: () => rmSync(join(dir, '..'), { recursive: true, force: true }) };
}

describeWithHelm('helm', () => {
  let chart: { dir: string; cleanup: () => void };
  const rendered: Record<string, KubeObject[]> = {};
  const linted: Record<string, HelmResult> = {};
  const refused: Record<string, HelmResult> = {};

  beforeAll(async () => {
    chart = renderableChart();
    await Promise.all([
      ...valueSets.map(async (file) => {
        const r = await helm(['template', 'agentry', chart.dir, '--namespace', 'agentry', '-f', file]);
        if (r.status !== 0) throw new Error(`helm template -f ${basename(file)} failed:\n${r.stderr}`);
        rendered[basename(file)] = parseManifests(r.stdout, basename(file));
      }),
      ...valueSets.map(async (file) => {
        linted[basename(file)] = await helm(['lint', chart.dir, '-f', file]);
      }),
      ...refusals.map(async ([what, args]) => {
        refused[what] = await helm(['template', 'agentry', chart.dir, ...args]);
      }),
    ]);
  });
  afterAll(() => chart?.cleanup());

  const ours = (set: string) =>
    rendered[set].filter((o) => o.metadata.labels?.['app.kubernetes.io/part-of'] === 'agentry');
  const ofKind = (set: string, kind: string) => ours(set).filter((o) => o.kind === kind);

  it.each(valueSets.map((f) => basename(f)))('lints with %s', (name) => {
    const r = linted[name];
    expect({ status: r.status, errors: r.stdout.split('\n').filter((l) => l.includes('[ERROR]')) }).toEqual({
      status: 0,
      errors: [],
    });
  });

  it.each(valueSets.map((f) => basename(f)))('renders valid Kubernetes objects with %s', (name) => {
    expect(rendered[name].length).toBeGreaterThan(0);
    expect(validateManifests(rendered[name])).toEqual([]);
  });

  it('renders one hardened Deployment per service in distributed mode, with probes on the ops port', () => {
    const deployments = ofKind('kafka-mongo-values.yaml', 'Deployment');
    expect(deployments.map((d) => d.metadata.labels!['app.kubernetes.io/component']).sort()).toEqual(
      [...SERVICES].sort(),
    );
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      const c = pod.containers[0];
      const component = d.metadata.labels!['app.kubernetes.io/component'];
      const i = SERVICES.indexOf(component as (typeof SERVICES)[number]);
      expect(c.env).toEqual(expect.arrayContaining([{ name: 'AGENTRY_SERVICE', value: component }]));
      expect(c.ports).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'grpc', containerPort: 50051 + i }),
          expect.objectContaining({ name: 'ops', containerPort: 9464 + i }),
        ]),
      );
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'ops' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'ops' });
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      expect(c.resources.requests).toBeDefined();
      expect(c.env).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            name: 'AGENTRY_ENCRYPTION_KEY',
            valueFrom: { secretKeyRef: { name: 'agentry-secrets', key: 'encryption-key', optional: false } },
          }),
        ]),
      );
    }
    const gateway = deployments.find((d) => d.metadata.name === 'agentry-gateway')!;
    expect(gateway.spec.template.spec.containers[0].ports).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'http', containerPort: 8080 })]),
    );
  });

  it('wires config for Kafka and MongoDB, and every peer URL', () => {
    const config = ofKind('kafka-mongo-values.yaml', 'ConfigMap').find((c) => c.metadata.name === 'agentry-config')!;
    expect(config.data).toMatchObject({
      AGENTRY_MODE: 'production',
      AGENTRY_EVENT_LOG: 'kafka',
      AGENTRY_READ_STORE: 'mongo',
      KAFKA_BROKERS: 'agentry-kafka:9092',
      MONGO_URL: 'mongodb://agentry-mongodb:27017/agentry',
    });
    SERVICES.forEach((s, i) =>
      expect(config.data![`AGENTRY_${s.toUpperCase().replace('-', '_')}_GRPC_URL`]).toBe(`agentry-${s}:${50051 + i}`),
    );
  });

  it('scales block-runner with KEDA instead of an HPA when keda.enabled', () => {
    const hpas = ofKind('kafka-mongo-values.yaml', 'HorizontalPodAutoscaler').map((h) => h.metadata.name);
    expect(hpas).not.toContain('agentry-block-runner');
    expect(hpas).not.toContain('agentry-scheduler'); // autoscaling switched off for it in the value set
    const [scaled] = ofKind('kafka-mongo-values.yaml', 'ScaledObject');
    expect(scaled.spec.scaleTargetRef.name).toBe('agentry-block-runner');
    expect(scaled.spec.triggers.map((t: any) => t.type)).toEqual(['prometheus', 'kafka']);
    const blockRunner = ofKind('kafka-mongo-values.yaml', 'Deployment').find(
      (d) => d.metadata.name === 'agentry-block-runner',
    )!;
    expect(blockRunner.spec.replicas).toBeUndefined();
  });

  it('lets gRPC in only from declared peers, and the gateway from anywhere', () => {
    const policies = Object.fromEntries(
      ofKind('kafka-mongo-values.yaml', 'NetworkPolicy').map((p) => [p.metadata.name, p.spec]),
    );
    const callers = (name: string) =>
      policies[name].ingress
        .filter((r: any) => r.ports.some((p: any) => p.port === 'grpc'))
        .flatMap((r: any) =>
          (r.from ?? [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': '*' } } }]).map(
            (f: any) => f.podSelector?.matchLabels?.['app.kubernetes.io/component'],
          ),
        )
        .sort();
    expect(callers('agentry-integration')).toEqual(['block-runner', 'execution', 'gateway']);
    expect(callers('agentry-gateway')).toEqual(['*']);
    expect(callers('agentry-block-runner')).toEqual(['execution', 'gateway', 'graph']);
    for (const spec of Object.values<any>(policies)) expect(spec.policyTypes).toEqual(['Ingress']);
  });

  it('ships the dashboards as ConfigMaps and a ServiceMonitor on the ops ports', () => {
    const dashboards = ofKind('kafka-mongo-values.yaml', 'ConfigMap').filter(
      (c) => c.metadata.labels?.grafana_dashboard === '1',
    );
    expect(dashboards.map((d) => Object.keys(d.data!)[0]).sort()).toEqual(['executions.json', 'overview.json']);
    for (const d of dashboards) expect(() => JSON.parse(Object.values(d.data!)[0])).not.toThrow();
    const [monitor] = ofKind('kafka-mongo-values.yaml', 'ServiceMonitor');
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'ops', path: '/metrics' })]);
  });

  it('runs everything in one Deployment with a PVC in embedded mode', () => {
    const deployments = ofKind('embedded-values.yaml', 'Deployment');
    expect(deployments).toHaveLength(1);
    const [d] = deployments;
    expect(d.spec.strategy.type).toBe('Recreate');
    expect(d.spec.replicas).toBe(1);
    const pod = d.spec.template.spec;
    expect(pod.containers[0].env).toEqual(expect.arrayContaining([{ name: 'AGENTRY_SERVICE', value: 'embedded' }]));
    expect(pod.volumes).toEqual(
      expect.arrayContaining([{ name: 'data', persistentVolumeClaim: { claimName: 'agentry-embedded' } }]),
    );
    expect(
      ofKind('embedded-values.yaml', 'PersistentVolumeClaim').map((p) => p.spec.resources.requests.storage),
    ).toEqual(['2Gi']);
    expect(ofKind('embedded-values.yaml', 'HorizontalPodAutoscaler')).toEqual([]);
    const config = ofKind('embedded-values.yaml', 'ConfigMap').find((c) => c.metadata.name === 'agentry-config')!;
    expect(config.data).toMatchObject({
      AGENTRY_MODE: 'embedded',
      AGENTRY_EVENT_LOG: 'sqlite',
      AGENTRY_READ_STORE: 'sqlite',
      AGENTRY_DATA_DIR: '/data',
    });
    expect(ofKind('embedded-values.yaml', 'Ingress')[0].spec.rules[0].http.paths[0].backend.service).toEqual({
      name: 'agentry-embedded',
      port: { name: 'http' },
    });
  });

  it('leaves disabled services out and points JetStream at the bundled NATS', () => {
    const names = ofKind('jetstream-mongo-values.yaml', 'Deployment').map((d) => d.metadata.name);
    expect(names).toHaveLength(7);
    expect(names).not.toContain('agentry-notification');
    const config = ofKind('jetstream-mongo-values.yaml', 'ConfigMap').find(
      (c) => c.metadata.name === 'agentry-config',
    )!;
    expect(config.data).toMatchObject({ AGENTRY_EVENT_LOG: 'jetstream', NATS_URL: 'nats://agentry-nats:4222' });
    expect(config.data!.AGENTRY_NOTIFICATION_GRPC_URL).toBeUndefined();
  });

  it.each(refusals)('refuses %s', (what, _args, message) => {
    expect(refused[what].status).not.toBe(0);
    expect(refused[what].stderr).toMatch(message);
  });
});
