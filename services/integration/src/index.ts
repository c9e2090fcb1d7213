import fs from 'node:fs';
import path from 'node:path';
import type { EventStore } from '@agentry/event-log';
import { implement, requireCaller, startGrpcServer } from '@agentry/grpc';
import { newId, systemClock } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { integrationV1 } from '@agentry/proto-ts';
import { Credentials } from './app/credentials';
import { SecretBox } from './domain/crypto';

export { SecretBox } from './domain/crypto';
export { Credentials } from './app/credentials';

/** The encryption key: from config, or (outside production) generated once into the data folder, mode 0600. */
export function loadSecretBox(options: { key?: string; dataDir: string; production: boolean }): SecretBox {
  if (options.key) return SecretBox.fromKey(options.key);
  if (options.production) throw new Error('AGENTRY_ENCRYPTION_KEY is required in production mode');
  const file = path.join(options.dataDir, 'keys', 'encryption.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, SecretBox.generateKey(), { mode: 0o600 });
  }
  return SecretBox.fromKey(fs.readFileSync(file, 'utf8').trim());
}

export async function startIntegrationService(options: { events: EventStore; logger: Logger; box: SecretBox; host?: string; port?: number }) {
  const creds = new Credentials({ events: options.events, box: options.box, clock: systemClock, newId });
  await creds.start();
  const server = await startGrpcServer({
    host: options.host,
    port: options.port,
    services: [
      {
        name: 'agentry.integration.v1.IntegrationService',
        definition: integrationV1.IntegrationServiceService,
        implementation: implement('integration', integrationV1.IntegrationServiceService, {
          async createCredential(req) {
            const caller = requireCaller(req.caller);
            const meta = await creds.create(caller.tenantId, { provider: req.provider, type: req.type, title: req.title, secret: req.secret ?? {}, scopes: req.scopes });
            return { credential: meta };
          },
          async listCredentials(req) {
            const caller = requireCaller(req.caller);
            return { items: creds.list(caller.tenantId, req.provider || undefined) };
          },
          async deleteCredential(req) {
            const caller = requireCaller(req.caller);
            await creds.delete(caller.tenantId, req.credentialId);
            return {};
          },
          async resolveCredential(req) {
            const { meta, secret } = creds.resolve(req.tenantId, req.credentialId);
            options.logger.info({ credentialId: meta.id, provider: meta.provider, purpose: req.purpose }, 'credential resolved');
            return { credential: meta, secret };
          },
        }),
      },
    ],
  });
  options.logger.info({ address: server.address }, 'integration service listening');
  return { name: 'integration' as const, app: creds, address: server.address, port: server.port, close: () => server.close() };
}
