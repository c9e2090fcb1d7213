import fs from 'node:fs';
import path from 'node:path';
import { createRegistry } from '@agentry/blocks';
import type { BlockRegistry } from '@agentry/block-sdk';
import type { EventStore } from '@agentry/event-log';
import { connect, implement, requireCaller, ServiceAdmin, startGrpcServer } from '@agentry/grpc';
import { newId, systemClock, type Clock } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { graphV1, integrationV1 } from '@agentry/proto-ts';
import { openReadStore, type ReadStore } from '@agentry/read-store';
import { Credentials, type CredentialMeta } from './app/credentials';
import { OAuth, type ResolvedProvider } from './app/oauth';
import type { WebhookTriggerMeta } from './app/webhook-list';
import { Webhooks } from './app/webhooks';
import { SecretBox } from './domain/crypto';
import type { OAuthConfig } from './domain/providers';

export { SecretBox } from './domain/crypto';
export { Credentials } from './app/credentials';
export { OAuth, reconnectError, missingScopesError } from './app/oauth';
export { Webhooks, hubSignature } from './app/webhooks';
export { CREDENTIAL_LIST, InMemoryCredentialList, ReadStoreCredentialList, type CredentialDoc, type CredentialList } from './app/credential-list';
export { WEBHOOK_LIST, InMemoryWebhookList, ReadStoreWebhookList, type WebhookDoc, type WebhookList, type WebhookTriggerMeta } from './app/webhook-list';
export { BUILT_IN_PROVIDERS, oauthConfigFromEnv, type OAuthConfig } from './domain/providers';

const KEY_FILE = 'encryption.key';
const RETIRED_DIR = 'retired';

/**
 * The encryption key: from config, or (outside production) generated once into the data folder, mode 0600.
 * Keys retired by a rotation (`keys/retired/*.key`, or `retiredKeys`) still open what they sealed.
 */
export function loadSecretBox(options: {
  key?: string;
  dataDir: string;
  production: boolean;
  retiredKeys?: string[];
}): SecretBox {
  const dir = path.join(options.dataDir, 'keys');
  const retiredDir = path.join(dir, RETIRED_DIR);
  const retired = [...(options.retiredKeys ?? [])];
  if (fs.existsSync(retiredDir))
    for (const f of fs.readdirSync(retiredDir))
      if (f.endsWith('.key')) retired.push(fs.readFileSync(path.join(retiredDir, f), 'utf8'));
  if (options.key) return SecretBox.fromKey(options.key, retired);
  if (options.production) throw new Error('AGENTRY_ENCRYPTION_KEY is required in production mode');
  const file = path.join(dir, KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, SecretBox.generateKey(), { mode: 0o600 });
  }
  return SecretBox.fromKey(fs.readFileSync(file, 'utf8'), retired);
}

/**
 * Key rotation: re-encrypts every stored secret (credentials, webhook secrets, tenant OAuth client secrets) under
 * `box`'s current key. `box` must also hold the previous key(s) as retired keys to open the old ciphertext.
 */
export async function rotateSecrets(options: {
  events: EventStore;
  box: SecretBox;
  logger: Logger;
  clock?: Clock;
}): Promise<{ keyId: string; resealed: number }> {
  const clock = options.clock ?? systemClock;
  const credentials = new Credentials({ events: options.events, box: options.box, clock, newId });
  const webhooks = new Webhooks({ events: options.events, box: options.box, clock, newId });
  const oauth = new OAuth({
    events: options.events,
    box: options.box,
    clock,
    credentials,
    config: { providers: {} },
    logger: options.logger,
  });
  await Promise.all([credentials.start(), webhooks.start(), oauth.start()]);
  const resealed = (await credentials.resealAll()) + (await webhooks.resealAll()) + (await oauth.resealAll());
  options.logger.info({ keyId: options.box.kid, resealed }, 'secrets re-encrypted under the current key');
  return { keyId: options.box.kid, resealed };
}

/** Embedded mode: writes a new key file and moves the old one to keys/retired (still readable until pruned). */
export function rotateKeyFile(dataDir: string, newKey = SecretBox.generateKey()): void {
  const dir = path.join(dataDir, 'keys');
  const file = path.join(dir, KEY_FILE);
  fs.mkdirSync(path.join(dir, RETIRED_DIR), { recursive: true, mode: 0o700 });
  if (fs.existsSync(file)) {
    const old = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(path.join(dir, RETIRED_DIR, `${SecretBox.fromKey(old).kid}.key`), old, { mode: 0o600 });
  }
  fs.writeFileSync(`${file}.tmp`, newKey, { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

const credentialToProto = (c: CredentialMeta): integrationV1.CredentialMeta => ({ ...c });

const providerToProto = (p: ResolvedProvider): integrationV1.OAuthProvider => ({
  name: p.name,
  displayName: p.displayName,
  authorizeUrl: p.authorizeUrl,
  tokenUrl: p.tokenUrl,
  revokeUrl: p.revokeUrl,
  defaultScopes: p.defaultScopes,
  pkce: p.pkce,
  configured: p.configured,
  tenantOwned: p.tenantOwned,
});

const triggerToProto = (t: WebhookTriggerMeta): integrationV1.WebhookTrigger => ({
  id: t.id,
  graphId: t.graphId,
  graphVersion: t.graphVersion,
  kind: t.kind,
  events: t.events,
  inputName: t.inputName,
  createdAt: t.createdAt,
  path: `/api/v1/webhooks/${t.id}`,
  inputs: t.inputs,
});

export interface IntegrationServiceOptions {
  events: EventStore;
  logger: Logger;
  box: SecretBox;
  host?: string;
  port?: number;
  /** Client ids of the built-in OAuth providers; see oauthConfigFromEnv. */
  oauth?: OAuthConfig;
  clock?: Clock;
  /** The block catalogue, for the scopes of the blocks an OAuth connection is started for (default: the built-in one). */
  blocks?: BlockRegistry;
  /** When set, a webhook trigger may only be created on a graph the caller's tenant can read (checked with the graph service). */
  graphAddress?: string;
  /**
   * AGENTRY_READ_STORE: `mongo` keeps the credential list and the webhook-trigger list (metadata only, never a
   * secret) in MongoDB at `mongoUrl`, opened and closed by the service; otherwise they are in memory. Secrets are
   * always resolved from the service's own fold of the log.
   */
  readStore?: 'sqlite' | 'mongo';
  mongoUrl?: string;
  /** A read store to keep both lists in (tests, a shared store); it wins over `readStore` and stays open on close. */
  readModels?: ReadStore;
  /** How often the read-store lists pick up other replicas' writes (default 1000 ms). */
  pollMs?: number;
}

export async function startIntegrationService(options: IntegrationServiceOptions) {
  const clock = options.clock ?? systemClock;
  // --- read store (issue #10): the credential and webhook-trigger lists on libs/read-store (AGENTRY_READ_STORE=mongo)
  const opened = !options.readModels && options.readStore === 'mongo' ? await openReadStore({ backend: 'mongo', mongoUrl: options.mongoUrl }) : undefined;
  const readModels = options.readModels ?? opened;
  const lists = { readModels, followMs: options.pollMs, onError: (err: unknown) => options.logger.error({ err }, 'integration read model update failed') };
  // --- end read store
  const creds = new Credentials({ events: options.events, box: options.box, clock, newId, ...lists });
  const oauth = new OAuth({
    events: options.events,
    box: options.box,
    clock,
    credentials: creds,
    config: options.oauth ?? { providers: {} },
    logger: options.logger,
    blocks: options.blocks ?? createRegistry(),
  });
  const webhooks = new Webhooks({ events: options.events, box: options.box, clock, newId, ...lists });
  try {
    await Promise.all([creds.start(), oauth.start(), webhooks.start()]);
  } catch (err) {
    await Promise.allSettled([creds.close(), webhooks.close()]);
    await opened?.close();
    throw err;
  }
  // other replicas' credentials and triggers (created, refreshed, revoked) reach this one's folds within pollMs
  const pollMs = options.pollMs ?? 1000;
  const following =
    pollMs > 0
      ? setInterval(
          () => void Promise.all([creds.catchUp(), webhooks.catchUp()]).catch((err: unknown) => options.logger.error({ err }, 'integration catch-up failed')),
          pollMs,
        )
      : undefined;
  following?.unref();
  const graphs = options.graphAddress ? connect(graphV1.GraphServiceClient, options.graphAddress) : undefined;
  // --- admin (issue #6): a drain refuses incoming webhook deliveries (new work: each starts an execution) with
  // UNAVAILABLE, so the sender retries later; credentials stay readable and resolvable for running executions.
  const admin = new ServiceAdmin('integration');
  // --- end admin
  const server = await startGrpcServer({
    host: options.host,
    port: options.port,
    services: [
      admin.registration(),
      {
        name: 'agentry.integration.v1.IntegrationService',
        definition: integrationV1.IntegrationServiceService,
        implementation: implement('integration', integrationV1.IntegrationServiceService, {
          async createCredential(req) {
            const caller = requireCaller(req.caller);
            const meta = await creds.create(caller.tenantId, {
              provider: req.provider,
              type: req.type,
              title: req.title,
              secret: req.secret ?? {},
              scopes: req.scopes,
            });
            return { credential: credentialToProto(meta) };
          },
          async listCredentials(req) {
            const caller = requireCaller(req.caller);
            return { items: (await creds.list(caller.tenantId, req.provider || undefined)).map(credentialToProto) };
          },
          async deleteCredential(req) {
            const caller = requireCaller(req.caller);
            await creds.delete(caller.tenantId, req.credentialId);
            return {};
          },
          async resolveCredential(req) {
            const need = req.requiredScopes.length
              ? { scopes: req.requiredScopes, blockName: req.blockName }
              : undefined;
            const { meta, secret } = await oauth.secretFor(req.tenantId, req.credentialId, need);
            options.logger.info(
              { credentialId: meta.id, provider: meta.provider, purpose: req.purpose },
              'credential resolved',
            );
            return { credential: credentialToProto(meta), secret };
          },
          async revokeCredential(req) {
            const caller = requireCaller(req.caller);
            return { credential: credentialToProto(await oauth.revoke(caller.tenantId, req.credentialId)) };
          },
          async listOAuthProviders(req) {
            const caller = requireCaller(req.caller);
            return { items: oauth.listProviders(caller.tenantId).map(providerToProto) };
          },
          async registerOAuthProvider(req) {
            const caller = requireCaller(req.caller);
            return { provider: providerToProto(await oauth.registerProvider(caller.tenantId, req)) };
          },
          async startOAuth(req) {
            const caller = requireCaller(req.caller);
            return oauth.startFlow(caller, {
              provider: req.provider,
              scopes: req.scopes,
              redirectUri: req.redirectUri,
              title: req.title,
              blockIds: req.blockIds,
            });
          },
          async completeOAuth(req) {
            const out = await oauth.completeFlow(req);
            options.logger.info(
              { credentialId: out.credential.id, provider: out.credential.provider, tenantId: out.tenantId },
              'oauth connection completed',
            );
            return { credential: credentialToProto(out.credential), tenantId: out.tenantId };
          },
          async createWebhookTrigger(req) {
            const caller = requireCaller(req.caller);
            // The tenant check lives here, not only in the gateway: another tenant's graph is NOT_FOUND.
            if (graphs && req.graphId)
              await graphs.getGraph({ caller: req.caller, graphId: req.graphId, version: req.graphVersion });
            const out = await webhooks.create(caller, {
              graphId: req.graphId,
              graphVersion: req.graphVersion,
              kind: req.kind,
              events: req.events,
              inputName: req.inputName,
              secret: req.secret,
              inputs: req.inputs ?? {},
            });
            return { trigger: triggerToProto(out.trigger), secret: out.secret };
          },
          async listWebhookTriggers(req) {
            const caller = requireCaller(req.caller);
            return { items: (await webhooks.list(caller.tenantId, req.graphId || undefined)).map(triggerToProto) };
          },
          async deleteWebhookTrigger(req) {
            const caller = requireCaller(req.caller);
            await webhooks.delete(caller.tenantId, req.triggerId);
            return {};
          },
          async receiveWebhook(req) {
            admin.admit('webhook deliveries');
            const out = await webhooks.receive(req.triggerId, req.headers, Buffer.from(req.body));
            const t = out.trigger;
            options.logger.info(
              { triggerId: t.id, deliveryId: out.deliveryId, event: out.event, outcome: out.outcome },
              'webhook delivery',
            );
            return {
              outcome: out.outcome,
              deliveryId: out.deliveryId,
              event: out.event,
              caller: { tenantId: t.tenantId, userId: t.userId, roles: [] },
              graphId: t.graphId,
              graphVersion: t.graphVersion,
              inputs: out.outcome === 'accepted' ? out.inputs : undefined,
              executionId: out.outcome === 'duplicate' ? out.executionId : '',
              reply: out.outcome === 'ignored' ? (out.reply ?? '') : '',
            };
          },
          async linkWebhookExecution(req) {
            await webhooks.link(req.triggerId, req.deliveryId, req.executionId);
            return {};
          },
        }),
      },
    ],
  });
  options.logger.info({ address: server.address, keyId: options.box.kid }, 'integration service listening');
  return {
    name: 'integration' as const,
    app: creds,
    oauth,
    webhooks,
    address: server.address,
    port: server.port,
    close: async () => {
      clearInterval(following);
      graphs?.close();
      await server.close();
      await Promise.all([creds.close(), webhooks.close()]);
      await opened?.close();
    },
  };
}
