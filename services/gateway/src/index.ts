import http from 'node:http';
import path from 'node:path';
import type { EventStore } from '@agentry/event-log';
import { implement, startGrpcServer } from '@agentry/grpc';
import { newId, systemClock } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { gatewayV1 } from '@agentry/proto-ts';
import { Accounts } from './app/accounts';
import { connectServices } from './app/clients';
import { TokenService } from './app/tokens';
import { createHttpApp } from './adapters/http/app';
import { attachWebSocket } from './adapters/ws/server';

export { Accounts } from './app/accounts';
export { TokenService } from './app/tokens';

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
}

export async function startGateway(options: GatewayOptions) {
  const accounts = new Accounts({ events: options.events, clock: systemClock, newId });
  await accounts.start();
  const boot = await accounts.bootstrapAdmin(options.admin.email, options.admin.password);
  const tokens = TokenService.load({
    privateKeyPem: options.jwtPrivateKey,
    keyFile: options.mode === 'production' ? undefined : path.join(options.dataDir, 'keys', 'jwt-es256.pem'),
    ttlSeconds: options.accessTokenTtlSeconds ?? 3600,
  });
  const clients = connectServices(options.services);
  const app = createHttpApp({ accounts, tokens, clients, logger: options.logger, editorDir: options.editorDir, readiness: { accounts: () => accounts.userCount > 0 } });
  const server = http.createServer(app);
  const ws = attachWebSocket({ server, tokens, clients, logger: options.logger });
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
        implementation: implement('gateway', gatewayV1.GatewayServiceService, {
          async getServerInfo() {
            return { version: options.version ?? '0.1.0', mode: options.mode, services: ['graph', 'execution', 'block-runner', 'integration', 'store', 'scheduler', 'notification', 'gateway'] };
          },
          async whoAmI(_req, call) {
            const header = call.metadata.get('authorization')[0]?.toString() ?? '';
            const claims = await tokens.verify(header.replace(/^Bearer\s+/i, ''));
            return { userId: claims.sub, tenantId: claims.tenant, roles: claims.roles };
          },
        }),
      },
    ],
  });
  options.logger.info({ port: httpPort, grpc: grpcServer.address }, 'gateway listening');
  return {
    name: 'gateway' as const,
    accounts,
    httpPort,
    url: `http://127.0.0.1:${httpPort}`,
    address: grpcServer.address,
    port: grpcServer.port,
    bootstrap: boot,
    close: async () => {
      await ws.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await grpcServer.close();
      clients.close();
    },
  };
}
