import http from 'node:http';
import path from 'node:path';
import type { EventStore } from '@agentry/event-log';
import { startGrpcServer } from '@agentry/grpc';
import { newId, systemClock } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { gatewayV1 } from '@agentry/proto-ts';
import { openReadStore, type ReadStore } from '@agentry/read-store';
import { Accounts } from './app/accounts';
import { ApiKeys } from './app/api-keys';
import { Drain } from './app/drain';
import { Files } from './app/files';
import { OidcVerifier } from './app/oidc';
import { connectServices } from './app/clients';
import { Sessions } from './app/sessions';
import { TokenService } from './app/tokens';
import { loadGatewayConfig } from './config';
import { externalGrpcService } from './adapters/grpc/external';
import { reflectionServices } from './adapters/grpc/reflection';
import { createHttpApp } from './adapters/http/app';
import { createAuthenticator } from './adapters/http/auth';
import { createMailer } from './adapters/mail/smtp';
import { attachWebSocket } from './adapters/ws/server';

export { Accounts } from './app/accounts';
export { ApiKeys } from './app/api-keys';
export { Files } from './app/files';
export { InMemoryApiKeyList, ReadStoreApiKeyList, API_KEYS, type ApiKeyList } from './app/api-key-list';
export { InMemoryFileList, ReadStoreFileList, FILES, type FileList } from './app/file-list';
export { TokenService } from './app/tokens';
export { loadGatewayConfig, type GatewayConfig } from './config';
export { listExpressRoutes } from './adapters/http/openapi';

export interface GatewayOptions {
  events: EventStore;
  logger: Logger;
  dataDir: string;
  mode: 'embedded' | 'distributed' | 'production';
  http: { host?: string; port: number };
  grpc?: { host?: string; port?: number };
  services: import('./app/clients').ServiceAddresses;
  admin: { email: string; password?: string };
  jwtPrivateKey?: string;
  accessTokenTtlSeconds?: number;
  editorDir?: string;
  version?: string;
  /** Gateway settings (AGENTRY_SIGNUP, AGENTRY_CORS_ORIGINS, AGENTRY_SMTP_*, rate limits…); default process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * AGENTRY_READ_STORE: `mongo` keeps the API-key and file lists in MongoDB at `mongoUrl` (MONGO_URL; opened here,
   * closed by `close`); otherwise (`sqlite` or nothing) the lists are scans of the in-memory folds.
   */
  readStore?: 'sqlite' | 'mongo';
  mongoUrl?: string;
  /** A read store opened by the caller (tests, a shared embedded store): wins over `readStore`; not closed here. */
  readModels?: ReadStore;
}

export async function startGateway(options: GatewayOptions) {
  const config = loadGatewayConfig(options.env ?? process.env);
  const deps = { events: options.events, clock: systemClock, newId };
  // --- read store (issue #10): AGENTRY_READ_STORE=mongo projects the API-key and file lists into MongoDB
  const ownStore =
    !options.readModels && options.readStore === 'mongo'
      ? await openReadStore({ backend: 'mongo', mongoUrl: options.mongoUrl })
      : undefined;
  const lists = {
    readModels: options.readModels ?? ownStore,
    onListError: (err: unknown) =>
      options.logger.warn({ err }, 'gateway list write failed; it catches up from the event log'),
  };
  // --- end read store
  const accounts = new Accounts(deps);
  const sessions = new Sessions({ ...deps, ttlSeconds: config.AGENTRY_REFRESH_TOKEN_TTL_SECONDS });
  const apiKeys = new ApiKeys({ ...deps, ...lists });
  const files = new Files({
    ...deps,
    ...lists,
    dir: path.join(options.dataDir, 'files'),
    storageQuotaOf: (tenantId) => accounts.quotasOf(tenantId).storageBytes,
  });
  try {
    await Promise.all([accounts.start(), sessions.start(), apiKeys.start(), files.start()]);
  } catch (err) {
    await ownStore?.close();
    throw err;
  }
  // Other writers (more gateway replicas, block-runners writing files) append to the same streams: follow them,
  // so a revoked session or a file a block wrote is seen here without a restart.
  const stopFollowing = [accounts, sessions, apiKeys, files].map((m) =>
    m.follow(config.AGENTRY_GATEWAY_FOLLOW_MS, (err) =>
      options.logger.warn({ err }, 'gateway read model could not catch up with the event log'),
    ),
  );
  const boot = await accounts.bootstrapAdmin(options.admin.email, options.admin.password);
  const tokens = TokenService.load({
    privateKeyPem: options.jwtPrivateKey,
    keyFile: options.mode === 'production' ? undefined : path.join(options.dataDir, 'keys', 'jwt-es256.pem'),
    ttlSeconds: options.accessTokenTtlSeconds ?? 3600,
  });
  const oidc = config.AGENTRY_OIDC_ISSUER
    ? new OidcVerifier({
        issuer: config.AGENTRY_OIDC_ISSUER,
        audience: config.AGENTRY_OIDC_AUDIENCE,
        jwksUrl: config.AGENTRY_OIDC_JWKS_URL,
        tenantClaim: config.AGENTRY_OIDC_TENANT_CLAIM,
        rolesClaim: config.AGENTRY_OIDC_ROLES_CLAIM,
        defaultTenant: config.AGENTRY_OIDC_DEFAULT_TENANT,
      })
    : undefined;
  const authenticator = createAuthenticator({ tokens, accounts, sessions, apiKeys, oidc });
  const mailer = createMailer({
    host: config.AGENTRY_SMTP_HOST,
    port: config.AGENTRY_SMTP_PORT,
    user: config.AGENTRY_SMTP_USER,
    password: config.AGENTRY_SMTP_PASSWORD,
    from: config.AGENTRY_SMTP_FROM,
    logger: options.logger,
  });
  const clients = connectServices(options.services);
  const drain = new Drain(systemClock);
  const readModels = [
    { name: 'accounts', rebuild: () => accounts.rebuild() },
    { name: 'sessions', rebuild: () => sessions.rebuild() },
    { name: 'api-keys', rebuild: () => apiKeys.rebuild() },
    { name: 'files', rebuild: () => files.rebuild() },
  ];
  const version = options.version ?? '0.1.0';
  const app = createHttpApp({
    accounts,
    tokens,
    clients,
    logger: options.logger,
    editorDir: options.editorDir,
    readiness: { accounts: () => accounts.userCount > 0, serving: () => !drain.draining },
    authenticator,
    sessions,
    apiKeys,
    config,
    mailer,
    files,
    version,
    readModels,
    drain,
  });
  const server = http.createServer(app);
  const ws = attachWebSocket({
    server,
    tokens,
    clients,
    logger: options.logger,
    authenticator,
    heartbeatMs: config.AGENTRY_WS_HEARTBEAT_MS,
    maxBufferedBytes: config.AGENTRY_WS_MAX_BUFFERED_BYTES,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.http.port, options.http.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address();
  const httpPort = typeof address === 'object' && address ? address.port : options.http.port;

  const grpcServer = await startGrpcServer({
    host: options.grpc?.host,
    port: options.grpc?.port ?? 0,
    services: [
      {
        name: 'agentry.gateway.v1.GatewayService',
        definition: gatewayV1.GatewayServiceService,
        implementation: externalGrpcService({
          auth: authenticator,
          clients,
          info: { version, mode: options.mode },
          drain,
        }),
      },
      ...reflectionServices(['agentry/gateway/v1/gateway.proto']),
    ],
  });
  options.logger.info(
    { port: httpPort, grpc: grpcServer.address, readStore: lists.readModels?.kind ?? 'memory' },
    'gateway listening',
  );
  return {
    name: 'gateway' as const,
    accounts,
    tokens,
    /** The express app (tests list its routes against the OpenAPI document). */
    app,
    httpPort,
    url: `http://127.0.0.1:${httpPort}`,
    address: grpcServer.address,
    port: grpcServer.port,
    bootstrap: boot,
    close: async () => {
      for (const stop of stopFollowing) stop();
      await ws.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await grpcServer.close();
      clients.close();
      mailer.close();
      await Promise.all([apiKeys.close(), files.close()]);
      await ownStore?.close();
    },
  };
}
