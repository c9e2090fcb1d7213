import path from 'node:path';
import { z } from 'zod';

export const SERVICE_NAMES = ['graph', 'execution', 'block-runner', 'integration', 'store', 'scheduler', 'notification', 'gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Default gRPC port of each service (distributed mode / Kubernetes); embedded mode may use 0 (any free port). */
export const DEFAULT_GRPC_PORTS: Record<ServiceName, number> = {
  graph: 50051,
  execution: 50052,
  'block-runner': 50053,
  integration: 50054,
  store: 50055,
  scheduler: 50056,
  notification: 50057,
  gateway: 50058,
};

const envKey = (service: ServiceName) => service.toUpperCase().replace('-', '_');

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const portSchema = z.coerce.number().int().min(0).max(65535);

const schema = z.object({
  AGENTRY_MODE: z.enum(['embedded', 'distributed', 'production']).default('embedded'),
  AGENTRY_DATA_DIR: z.string().min(1).default('./data'),
  AGENTRY_EVENT_LOG: z.enum(['sqlite', 'jetstream', 'kafka']).default('sqlite'),
  AGENTRY_READ_STORE: z.enum(['sqlite', 'mongo']).default('sqlite'),
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  KAFKA_BROKERS: optionalString,
  /** Partitions of the Kafka topics Agentry creates: `1` (default), `12` for every category, or `execution=12,graph=1` (others 1). See libs/event-log README: readers that follow a category by position need 1. */
  AGENTRY_KAFKA_PARTITIONS: z
    .string()
    .regex(/^(\d+|[a-z][a-z0-9-]*=\d+(,[a-z][a-z0-9-]*=\d+)*)?$/, 'a number, or category=number pairs separated by commas')
    .default('1'),
  MONGO_URL: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('0.0.0.0'),
  PORT: portSchema.default(8080),
  AGENTRY_PUBLIC_URL: optionalString,
  AGENTRY_ADMIN_EMAIL: z.string().email().default('admin@agentry.local'),
  AGENTRY_ADMIN_PASSWORD: optionalString,
  AGENTRY_JWT_PRIVATE_KEY: optionalString,
  AGENTRY_ENCRYPTION_KEY: optionalString,
  AGENTRY_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  AGENTRY_SERVICE: z.enum(SERVICE_NAMES).optional(),
  SENTRY_DSN: optionalString,
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString,
  AGENTRY_BLOCK_RUNNER_CONCURRENCY: z.coerce.number().int().positive().default(16),
  /** How long a block-runner holds a node task between heartbeats; a dead runner's task returns after it. */
  AGENTRY_BLOCK_RUNNER_LEASE_MS: z.coerce.number().int().min(100).default(30000),
  /** Hosts blocks may reach although they resolve to private/loopback addresses (SSRF allow-list), comma-separated. */
  AGENTRY_BLOCK_RUNNER_ALLOW_HOSTS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((h) => h.trim()).filter(Boolean)),
  /** A RUNNING node without a report for this long is re-dispatched as a new attempt. */
  AGENTRY_EXECUTION_LEASE_TIMEOUT_MS: z.coerce.number().int().min(100).default(30000),
});

export type AgentryConfig = z.infer<typeof schema> & {
  dataDir: string;
  grpcPort(service: ServiceName): number;
  grpcUrl(service: ServiceName): string;
};

export class ConfigError extends Error {
  constructor(readonly problems: Array<{ variable: string; message: string }>) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parse and validate the environment once at start-up; a bad value names its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AgentryConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })));
  }
  const cfg = parsed.data;
  const problems: Array<{ variable: string; message: string }> = [];
  if (cfg.AGENTRY_MODE === 'production') {
    if (!cfg.AGENTRY_ENCRYPTION_KEY) problems.push({ variable: 'AGENTRY_ENCRYPTION_KEY', message: 'required in production mode' });
    if (!cfg.AGENTRY_JWT_PRIVATE_KEY) problems.push({ variable: 'AGENTRY_JWT_PRIVATE_KEY', message: 'required in production mode' });
  }
  if (cfg.AGENTRY_EVENT_LOG === 'kafka' && !cfg.KAFKA_BROKERS) problems.push({ variable: 'KAFKA_BROKERS', message: 'required when AGENTRY_EVENT_LOG=kafka' });
  if (cfg.AGENTRY_READ_STORE === 'mongo' && !cfg.MONGO_URL) problems.push({ variable: 'MONGO_URL', message: 'required when AGENTRY_READ_STORE=mongo' });
  const ports = {} as Record<ServiceName, number>;
  for (const s of SERVICE_NAMES) {
    const raw = env[`AGENTRY_${envKey(s)}_GRPC_PORT`];
    // Embedded mode wires services to each other in-process, so their internal ports can be any free ones;
    // only the gateway's external gRPC port is fixed by default.
    const fallback = cfg.AGENTRY_MODE === 'embedded' && s !== 'gateway' ? 0 : DEFAULT_GRPC_PORTS[s];
    const port = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push({ variable: `AGENTRY_${envKey(s)}_GRPC_PORT`, message: 'must be a port number' });
    ports[s] = port;
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    ...cfg,
    dataDir: path.resolve(cfg.AGENTRY_DATA_DIR),
    grpcPort: (s) => ports[s],
    grpcUrl: (s) => env[`AGENTRY_${envKey(s)}_GRPC_URL`] || `127.0.0.1:${ports[s]}`,
  };
}
