import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { connect } from '@agentry/grpc';
import { createLogger } from '@agentry/observability';
import { integrationV1 } from '@agentry/proto-ts';
import { loadSecretBox, rotateKeyFile, rotateSecrets, SecretBox, startIntegrationService } from '../src';
import { LIST_BACKENDS } from './support/read-models';

const repoRoot = path.resolve(__dirname, '../../..');

describe.each(LIST_BACKENDS)('credential types, metadata-only answers and key rotation ($name)', ({ open }) => {
  /** One store for the suite: a restarted service resumes its lists from the store's checkpoint. */
  const readModels = open();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-creds-'));
  const dbPath = path.join(dir, 'agentry.db');
  const logger = createLogger({ name: 'test', level: 'silent' });
  const caller = { tenantId: 'tenant-c', userId: 'carol', roles: [] };
  const SECRETS = {
    apiKey: 'sk-live-11aa22bb33cc',
    password: 'pw-hunter2-zz9',
    header: 'Bearer host-token-5e6f7a',
    webhook: 'whsec_rotation_secret_0042',
  };

  async function start(box: SecretBox, log: SqliteEventLog) {
    const service = await startIntegrationService({ events: log.events, box, logger, readModels });
    const client = connect(integrationV1.IntegrationServiceClient, service.address);
    return { service, client, close: async () => (client.close(), await service.close()) };
  }

  afterAll(async () => {
    await readModels?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores the four types, answers metadata only and refuses incomplete secrets with every reason', async () => {
    const log = createSqliteEventLog({ path: dbPath });
    const box = loadSecretBox({ dataDir: dir, production: false });
    expect(fs.statSync(path.join(dir, 'keys', 'encryption.key')).mode & 0o777).toBe(0o600);
    const { client, close } = await start(box, log);
    try {
      const made = await Promise.all([
        client.createCredential({
          caller,
          provider: 'openai',
          type: 'api_key',
          title: 'key',
          secret: { apiKey: SECRETS.apiKey },
          scopes: [],
        }),
        client.createCredential({
          caller,
          provider: 'smtp',
          type: 'user_password',
          title: 'mail',
          secret: { username: 'carol', password: SECRETS.password },
          scopes: [],
        }),
        client.createCredential({
          caller,
          provider: 'internal',
          type: 'host_scoped',
          title: 'api',
          secret: { host: '*.internal.example', headers: { authorization: SECRETS.header } },
          scopes: [],
        }),
        client.createCredential({
          caller,
          provider: 'github',
          type: 'oauth2',
          title: 'pasted token',
          secret: { accessToken: 'gho_pasted_token_123' },
          scopes: ['repo'],
        }),
      ]);
      const listed = await client.listCredentials({ caller, provider: '' });
      expect(listed.items).toHaveLength(4);
      expect(listed.items.find((c) => c.type === 'host_scoped')).toMatchObject({
        host: '*.internal.example',
        status: 'active',
        keyId: box.kid,
      });
      const visible = JSON.stringify([made, listed]);
      for (const s of [...Object.values(SECRETS), 'gho_pasted_token_123']) expect(visible).not.toContain(s);
      expect(JSON.stringify(await log.events.readAll())).not.toContain(SECRETS.password);

      await expect(
        client.createCredential({
          caller,
          provider: 'x',
          type: 'host_scoped',
          title: '',
          secret: { host: 'not a host!', headers: {} },
          scopes: [],
        }),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { errors: { 'secret.host': expect.any(String), 'secret.headers': expect.any(String) } },
      });
      await expect(
        client.createCredential({
          caller,
          provider: 'x',
          type: 'user_password',
          title: '',
          secret: { username: 'u' },
          scopes: [],
        }),
      ).rejects.toMatchObject({
        details: { errors: { 'secret.password': 'required' } },
      });
      await expect(
        client.createCredential({ caller, provider: 'x', type: 'ssh_key', title: '', secret: {}, scopes: [] }),
      ).rejects.toMatchObject({ details: { errors: { type: expect.any(String) } } });
      await client.createWebhookTrigger({
        caller,
        graphId: 'g1',
        graphVersion: 0,
        kind: 'generic',
        events: [],
        inputName: 'payload',
        secret: SECRETS.webhook,
        inputs: {},
      });
    } finally {
      await close();
      await log.close();
    }
  });

  it('rotates: re-encrypts every secret under a new key id, and the old key can then go', async () => {
    const log = createSqliteEventLog({ path: dbPath });
    const oldKid = loadSecretBox({ dataDir: dir, production: false }).kid;
    rotateKeyFile(dir);
    const box = loadSecretBox({ dataDir: dir, production: false });
    expect(box.kid).not.toBe(oldKid);
    expect(box.kids).toContain(oldKid);
    const out = await rotateSecrets({ events: log.events, box, logger });
    expect(out).toEqual({ keyId: box.kid, resealed: 5 });
    expect((await rotateSecrets({ events: log.events, box, logger })).resealed).toBe(0); // idempotent

    // Without the retired key the service still opens everything.
    fs.rmSync(path.join(dir, 'keys', 'retired'), { recursive: true });
    const onlyNew = loadSecretBox({ dataDir: dir, production: false });
    expect(onlyNew.kids).toEqual([box.kid]);
    const { client, close } = await start(onlyNew, log);
    try {
      const { items } = await client.listCredentials({ caller, provider: '' });
      expect(items.every((c) => c.keyId === box.kid)).toBe(true);
      const pw = items.find((c) => c.type === 'user_password')!;
      expect(
        (
          await client.resolveCredential({
            tenantId: caller.tenantId,
            credentialId: pw.id,
            purpose: 't',
            requiredScopes: [],
            blockName: '',
          })
        ).secret,
      ).toEqual({ username: 'carol', password: SECRETS.password });
    } finally {
      await close();
      await log.close();
    }
  });

  it('rotates with the command-line script', async () => {
    const before = loadSecretBox({ dataDir: dir, production: false }).kid;
    const { stdout } = await promisify(execFile)(
      path.join(repoRoot, 'node_modules/.bin/tsx'),
      [path.join(repoRoot, 'services/integration/src/cli/rotate-key.ts')],
      {
        cwd: repoRoot,
        env: { ...process.env, AGENTRY_DATA_DIR: dir, LOG_LEVEL: 'silent', AGENTRY_ENCRYPTION_KEY: '' },
        timeout: 30000,
      },
    );
    const after = loadSecretBox({ dataDir: dir, production: false });
    expect(after.kid).not.toBe(before);
    expect(stdout).toContain(`re-encrypted 5 secret(s) under key ${after.kid}`);
  });

  it('refuses to start in production mode without a key', () => {
    expect(() => loadSecretBox({ dataDir: dir, production: true })).toThrow(/AGENTRY_ENCRYPTION_KEY is required/);
    expect(() => loadSecretBox({ key: 'short', dataDir: dir, production: true })).toThrow(/32 bytes/);
  });
});

describe('two replicas on one log', () => {
  it('resolves a credential created on the other replica at once, and sees its revocation after the follow interval', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-creds-replicas-'));
    const log = createSqliteEventLog({ path: path.join(dir, 'agentry.db') });
    const box = loadSecretBox({ dataDir: dir, production: false });
    const logger = createLogger({ name: 'test', level: 'silent' });
    const caller = { tenantId: 'tenant-r', userId: 'rita', roles: [] };
    const a = await startIntegrationService({ events: log.events, box, logger, pollMs: 50 });
    const b = await startIntegrationService({ events: log.events, box, logger, pollMs: 50 });
    const [ca, cb] = [
      connect(integrationV1.IntegrationServiceClient, a.address),
      connect(integrationV1.IntegrationServiceClient, b.address),
    ];
    try {
      const { credential: made } = await ca.createCredential({
        caller,
        provider: 'openai',
        type: 'api_key',
        title: 'key',
        secret: { apiKey: 'sk-replica-77' },
        scopes: [],
      });
      const resolved = await cb.resolveCredential({
        tenantId: caller.tenantId,
        credentialId: made!.id,
        purpose: 'test',
        requiredScopes: [],
        blockName: 'Test',
      });
      expect(resolved.secret).toMatchObject({ apiKey: 'sk-replica-77' });
      await ca.deleteCredential({ caller, credentialId: made!.id });
      const deadline = Date.now() + 10_000;
      for (;;) {
        const gone = await cb
          .resolveCredential({
            tenantId: caller.tenantId,
            credentialId: made!.id,
            purpose: 'test',
            requiredScopes: [],
            blockName: 'Test',
          })
          .then(
            () => false,
            (err: { code?: string }) => err.code === 'NOT_FOUND',
          );
        if (gone) break;
        if (Date.now() > deadline) throw new Error('the deletion never reached the other replica');
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      ca.close();
      cb.close();
      await a.close();
      await b.close();
      await log.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
