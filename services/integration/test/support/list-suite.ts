import { createSqliteEventLog } from '@agentry/event-log/sqlite';
import { newId, type EventEnvelope } from '@agentry/kernel';
import type { ReadStore } from '@agentry/read-store';
import { CREDENTIAL_LIST, Credentials, SecretBox, WEBHOOK_LIST, Webhooks } from '../../src';

/** How a list backend is made for one test: no store (the in-memory lists) or a fresh read store. */
export interface ListBackend {
  name: string;
  open(): Promise<{
    store?: ReadStore;
    /** Every row / document the store holds, of every table or collection, as text (secret checks). */
    dump?(): Promise<string>;
    dispose(): Promise<void>;
  }>;
}

export const memoryBackend: ListBackend = { name: 'in memory', open: async () => ({ dispose: async () => undefined }) };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The credential list and the webhook-trigger list through `Credentials` and `Webhooks`, on one backend: tenant and
 * filter isolation, more items than one read-store page, every change of a credential (status, refreshed secret,
 * re-encryption, delete), a second replica on the same log (and store), replays that must change nothing, and (on a
 * store) that no secret or ciphertext is ever written to it.
 */
export function integrationListSuite(backend: ListBackend): void {
  describe(`credential and webhook-trigger lists: ${backend.name}`, () => {
    let log: ReturnType<typeof createSqliteEventLog>;
    let opened: Awaited<ReturnType<ListBackend['open']>>;
    const closers: Array<() => Promise<void>> = [];
    const KEY = SecretBox.generateKey();
    const box = SecretBox.fromKey(KEY);
    let now = Date.UTC(2026, 10, 1, 9, 0, 0);
    const clock = { now: () => new Date(now) };
    const tick = (ms = 1000) => (now += ms);

    /** `blind`: a replica without the read store (its list writes never reach it), e.g. the key-rotation command. */
    async function startApps(options: { blind?: boolean; followMs?: number; box?: SecretBox } = {}) {
      const deps = {
        events: log.events,
        box: options.box ?? box,
        clock,
        newId,
        readModels: options.blind ? undefined : opened.store,
        followMs: options.followMs ?? 0,
      };
      const credentials = new Credentials(deps);
      const webhooks = new Webhooks(deps);
      await Promise.all([credentials.start(), webhooks.start()]);
      closers.push(
        () => credentials.close(),
        () => webhooks.close(),
      );
      return { credentials, webhooks };
    }

    const apiKey = (provider: string, title: string, apiKeyValue = `sk-${title}`) => ({
      provider,
      type: 'api_key',
      title,
      secret: { apiKey: apiKeyValue },
      scopes: [],
    });
    const trigger = (graphId: string, secret = '') => ({
      graphId,
      graphVersion: 1,
      kind: 'generic',
      events: ['push'],
      inputName: 'payload',
      secret,
      inputs: { branch: 'main' },
    });
    const ids = (items: Array<{ id: string }>) => items.map((i) => i.id);

    beforeEach(async () => {
      log = createSqliteEventLog({ path: ':memory:' });
      opened = await backend.open();
    });
    afterEach(async () => {
      for (const close of closers.splice(0)) await close();
      await opened.dispose();
      await log.close();
    });

    it('keeps tenants, providers and graphs apart, oldest first', async () => {
      const { credentials, webhooks } = await startApps();
      const made: Record<string, string> = {};
      for (const [tenantId, provider, title] of [
        ['t1', 'openai', 'a'],
        ['t1', 'github', 'b'],
        ['t2', 'openai', 'c'],
        ['t1', 'openai', 'd'],
      ]) {
        tick();
        made[title] = (await credentials.create(tenantId, apiKey(provider, title))).id;
      }
      expect(ids(await credentials.list('t1'))).toEqual([made.a, made.b, made.d]);
      expect(ids(await credentials.list('t1', 'openai'))).toEqual([made.a, made.d]);
      expect(ids(await credentials.list('t2'))).toEqual([made.c]);
      expect(await credentials.list('t2', 'github')).toEqual([]);
      expect(await credentials.list('t3')).toEqual([]);
      expect((await credentials.list('t1', 'github'))[0]).toEqual({
        id: made.b,
        provider: 'github',
        type: 'api_key',
        title: 'b',
        scopes: [],
        createdAt: new Date(Date.UTC(2026, 10, 1, 9, 0, 2)).toISOString(),
        expiresAt: '',
        status: 'active',
        host: '',
        keyId: box.kid,
      });

      const hooks: Record<string, string> = {};
      for (const [tenantId, graphId, name] of [
        ['t1', 'g1', 'w1'],
        ['t2', 'g1', 'w2'],
        ['t1', 'g2', 'w3'],
        ['t1', 'g1', 'w4'],
      ]) {
        tick();
        hooks[name] = (await webhooks.create({ tenantId, userId: `user-${tenantId}` }, trigger(graphId))).trigger.id;
      }
      expect(ids(await webhooks.list('t1'))).toEqual([hooks.w1, hooks.w3, hooks.w4]);
      expect(ids(await webhooks.list('t1', 'g1'))).toEqual([hooks.w1, hooks.w4]);
      expect(ids(await webhooks.list('t2', 'g1'))).toEqual([hooks.w2]);
      expect(await webhooks.list('t2', 'g2')).toEqual([]);
      const [listed] = await webhooks.list('t1', 'g2');
      expect(listed).toEqual({
        id: hooks.w3,
        tenantId: 't1',
        userId: 'user-t1',
        graphId: 'g2',
        graphVersion: 1,
        kind: 'generic',
        events: ['push'],
        inputName: 'payload',
        inputs: { branch: 'main' },
        createdAt: expect.any(String),
      });
      expect(Object.keys(listed)).not.toContain('sealedSecret');
    });

    it('lists more credentials and triggers than one read-store page (500), ties on createdAt by id', async () => {
      const { credentials, webhooks } = await startApps();
      for (let i = 0; i < 520; i++) {
        if (i % 2) tick(); // pairs share a createdAt
        await credentials.create('t1', apiKey(i % 3 ? 'openai' : 'github', `k${i}`));
        await webhooks.create({ tenantId: 't1', userId: 'u' }, trigger(i % 3 ? 'g1' : 'g2'));
      }
      await credentials.create('t2', apiKey('openai', 'elsewhere'));
      const all = await credentials.list('t1');
      expect(all).toHaveLength(520);
      expect(new Set(ids(all)).size).toBe(520);
      const key = (c: { createdAt: string; id: string }) => `${c.createdAt} ${c.id}`;
      expect(all.map(key)).toEqual(all.map(key).sort());
      expect(await credentials.list('t1', 'openai')).toHaveLength(346);
      const hooks = await webhooks.list('t1');
      expect(hooks).toHaveLength(520);
      expect(new Set(ids(hooks)).size).toBe(520);
      expect(hooks.map(key)).toEqual(hooks.map(key).sort());
      expect(await webhooks.list('t1', 'g2')).toHaveLength(174);
    });

    it('shows every change of a credential and of a trigger: status, refreshed secret and scopes, re-encryption, delete', async () => {
      const { credentials, webhooks } = await startApps();
      const meta = await credentials.create('t1', {
        provider: 'github',
        type: 'oauth2',
        title: 'gh',
        secret: { accessToken: 'gho_1', expiresAt: '2026-12-01T00:00:00.000Z' },
        scopes: ['repo'],
      });
      const other = await credentials.create('t1', apiKey('openai', 'stays'));
      expect((await credentials.list('t1', 'github'))[0]).toMatchObject({
        status: 'active',
        scopes: ['repo'],
        expiresAt: '2026-12-01T00:00:00.000Z',
      });

      await credentials.setStatus(credentials.get('t1', meta.id), 'reconnect_required', 'expired');
      expect((await credentials.list('t1', 'github'))[0]).toMatchObject({ status: 'reconnect_required' });
      const c = credentials.get('t1', meta.id);
      await credentials.updateSecret(
        c,
        c.streamVersion,
        { accessToken: 'gho_2', expiresAt: '2027-01-01T00:00:00.000Z' },
        ['repo', 'workflow'],
      );
      expect((await credentials.list('t1', 'github'))[0]).toMatchObject({
        status: 'active',
        scopes: ['repo', 'workflow'],
        expiresAt: '2027-01-01T00:00:00.000Z',
        keyId: box.kid,
      });

      // a key rotation, by another process without the store (as the rotate-key command): the list follows the log
      const rotated = SecretBox.fromKey(SecretBox.generateKey(), [KEY]);
      const rotator = await startApps({ blind: true, box: rotated });
      expect(await rotator.credentials.resealAll()).toBe(2);
      await credentials.catchUp();
      expect((await credentials.list('t1')).map((m) => m.keyId)).toEqual([rotated.kid, rotated.kid]);

      await credentials.delete('t1', meta.id);
      expect(ids(await credentials.list('t1'))).toEqual([other.id]);
      expect(await credentials.list('t1', 'github')).toEqual([]);

      const { trigger: t } = await webhooks.create({ tenantId: 't1', userId: 'u' }, trigger('g1'));
      await webhooks.delete('t1', t.id);
      expect(await webhooks.list('t1')).toEqual([]);
    });

    it('a second replica on the same log (and store) sees what the first wrote after catchUp, and the other way round', async () => {
      const a = await startApps();
      const b = await startApps();
      const first = await a.credentials.create('t1', apiKey('openai', 'from-a'));
      tick();
      const second = await b.credentials.create('t1', apiKey('openai', 'from-b')); // before b caught up with a
      tick();
      const third = await a.credentials.create('t1', apiKey('openai', 'from-a-again'));
      const hook = await a.webhooks.create({ tenantId: 't1', userId: 'u' }, trigger('g1'));
      await Promise.all([b.credentials.catchUp(), b.webhooks.catchUp()]);
      expect(ids(await b.credentials.list('t1'))).toEqual([first.id, second.id, third.id]);
      expect(ids(await b.webhooks.list('t1'))).toEqual([hook.trigger.id]);
      // b can act on what a created
      await b.credentials.delete('t1', first.id);
      await b.webhooks.delete('t1', hook.trigger.id);
      await Promise.all([a.credentials.catchUp(), a.webhooks.catchUp()]);
      expect(ids(await a.credentials.list('t1'))).toEqual([second.id, third.id]);
      expect(await a.webhooks.list('t1')).toEqual([]);
      // a replica started later (a restart) lists the same
      const c = await startApps();
      expect(await c.credentials.list('t1')).toEqual(await a.credentials.list('t1'));
    });

    if (backend.name !== memoryBackend.name)
      it("follows the log: another process's writes reach the store without a catchUp", async () => {
        const reader = await startApps({ followMs: 20 });
        const writer = await startApps({ blind: true });
        const made = await writer.credentials.create('t1', apiKey('openai', 'elsewhere'));
        const hook = await writer.webhooks.create({ tenantId: 't1', userId: 'u' }, trigger('g1'));
        for (let i = 0; i < 200 && (await reader.webhooks.list('t1')).length === 0; i++) await sleep(10);
        expect(ids(await reader.credentials.list('t1'))).toEqual([made.id]);
        expect(ids(await reader.webhooks.list('t1'))).toEqual([hook.trigger.id]);
      });

    it('a replay of the log (twice, and out of order) changes nothing', async () => {
      const { credentials, webhooks } = await startApps();
      const kept = await credentials.create('t1', {
        provider: 'github',
        type: 'oauth2',
        title: 'gh',
        secret: { accessToken: 'gho_1' },
        scopes: ['repo'],
      });
      tick();
      const gone = await credentials.create('t1', apiKey('openai', 'gone'));
      await credentials.setStatus(credentials.get('t1', kept.id), 'revoked', 'by the user');
      await credentials.delete('t1', gone.id);
      const hook = await webhooks.create({ tenantId: 't1', userId: 'u' }, trigger('g1'));
      const deleted = await webhooks.create({ tenantId: 't1', userId: 'u' }, trigger('g2'));
      await webhooks.delete('t1', deleted.trigger.id);
      const before = { credentials: await credentials.list('t1'), webhooks: await webhooks.list('t1') };
      expect(before.credentials).toEqual([expect.objectContaining({ id: kept.id, status: 'revoked' })]);
      expect(ids(before.webhooks)).toEqual([hook.trigger.id]);
      const events: EventEnvelope[] = await log.events.readAll();
      for (const replay of [events, events, [...events].reverse()])
        await Promise.all([credentials.fold(replay), webhooks.fold(replay)]);
      await Promise.all([credentials.catchUp(), webhooks.catchUp()]);
      expect({ credentials: await credentials.list('t1'), webhooks: await webhooks.list('t1') }).toEqual(before);
    });

    if (backend.name !== memoryBackend.name)
      it('writes no secret, token or ciphertext to the store: metadata only', async () => {
        const { credentials, webhooks } = await startApps();
        const SECRETS = [
          'sk-live-4f3e2d1c0b',
          'pw-hunter2-zz9',
          'Bearer host-token-5e6f7a',
          'gho_first_token_111',
          'gho_refreshed_token_222',
          'whsec_hook_secret_000042',
        ];
        await credentials.create('t1', apiKey('openai', 'key', SECRETS[0]));
        await credentials.create('t1', {
          provider: 'smtp',
          type: 'user_password',
          title: 'mail',
          secret: { username: 'carol', password: SECRETS[1] },
          scopes: [],
        });
        await credentials.create('t1', {
          provider: 'internal',
          type: 'host_scoped',
          title: 'api',
          secret: { host: '*.internal.example', headers: { authorization: SECRETS[2] } },
          scopes: [],
        });
        const oauth = await credentials.create('t1', {
          provider: 'github',
          type: 'oauth2',
          title: 'gh',
          secret: { accessToken: SECRETS[3], refreshToken: 'ghr_refresh_333' },
          scopes: ['repo'],
        });
        const c = credentials.get('t1', oauth.id);
        await credentials.updateSecret(
          c,
          c.streamVersion,
          { accessToken: SECRETS[4], refreshToken: 'ghr_refresh_444' },
          ['repo'],
        );
        const { secret } = await webhooks.create({ tenantId: 't1', userId: 'u' }, trigger('g1', SECRETS[5]));
        expect(secret).toBe(SECRETS[5]);
        // what the log holds sealed: the ciphertexts must not reach the store either
        const sealed = (await log.events.readAll())
          .map((e) => e.data as { sealed?: { data?: string }; sealedSecret?: { data?: string } })
          .flatMap((d) => [d.sealed?.data, d.sealedSecret?.data])
          .filter((data): data is string => typeof data === 'string');
        expect(sealed).toHaveLength(6);

        // the documents, read back through the store
        const creds = await (await opened.store!.collection(CREDENTIAL_LIST)).list({ tenantId: 't1', limit: 500 });
        const hooks = await (await opened.store!.collection(WEBHOOK_LIST)).list({ tenantId: 't1', limit: 500 });
        expect(creds.items).toHaveLength(4);
        expect(hooks.items).toHaveLength(1);
        for (const d of creds.items)
          expect(Object.keys(d.data).sort()).toEqual([
            'createdAt',
            'expiresAt',
            'host',
            'keyId',
            'provider',
            'scopesJson',
            'status',
            'title',
            'type',
          ]);
        expect(Object.keys(hooks.items[0].data).sort()).toEqual([
          'createdAt',
          'eventsJson',
          'graphId',
          'graphVersion',
          'inputName',
          'inputsJson',
          'kind',
          'userId',
        ]);
        // and everything the store holds, every table or collection
        const everything = `${JSON.stringify([creds, hooks])}\n${(await opened.dump?.()) ?? ''}`;
        expect(everything).toContain('*.internal.example'); // the dump did read the documents
        for (const s of [...SECRETS, 'ghr_refresh_333', 'ghr_refresh_444', ...sealed])
          expect(everything).not.toContain(s);
      });
  });
}
