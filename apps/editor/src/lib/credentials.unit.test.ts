import type { CredentialMeta } from '../api/types';
import {
  credentialLabel,
  credentialRef,
  CredentialsStore,
  matchingCredentials,
  selectedCredentialId,
  validateApiKeyForm,
} from './credentials';

const GITHUB = { field: 'credentials', providers: ['github'], types: ['api_key', 'oauth2'] };
const cred = (over: Partial<CredentialMeta>): CredentialMeta => ({
  id: 'c1',
  provider: 'github',
  type: 'api_key',
  title: 'Mine',
  status: 'active',
  createdAt: '2026-01-01T00:00:00Z',
  ...over,
});

describe('credentials for node cards', () => {
  it('offers only credentials of a required provider and type, not revoked, newest first', () => {
    const all = [
      cred({ id: 'old' }),
      cred({ id: 'new', type: 'oauth2', createdAt: '2026-02-01T00:00:00Z' }),
      cred({ id: 'other-provider', provider: 'openai' }),
      cred({ id: 'revoked', status: 'revoked' }),
      cred({ id: 'wrong-type', type: 'user_password' }),
    ];
    expect(matchingCredentials(all, GITHUB).map((c) => c.id)).toEqual(['new', 'old']);
  });

  it('stores a reference the engine resolves ({ id, provider, type, title }), never a secret', () => {
    expect(credentialRef(cred({ scopes: ['repo'], expiresAt: 'x' }))).toEqual({ id: 'c1', provider: 'github', type: 'api_key', title: 'Mine' });
    expect(credentialRef(cred({ title: '' }))).toEqual({ id: 'c1', provider: 'github', type: 'api_key' });
    expect(selectedCredentialId({ id: 'c9', provider: 'github', type: 'api_key' })).toBe('c9');
    expect(selectedCredentialId('c3')).toBe('c3');
    expect(selectedCredentialId(undefined)).toBe('');
    expect(selectedCredentialId({ provider: 'x' })).toBe('');
  });

  it('labels credentials readably and flags ones that need reconnecting', () => {
    expect(credentialLabel(cred({}))).toBe('Mine (github, API key)');
    expect(credentialLabel(cred({ title: '', type: 'oauth2', status: 'reconnect_required' }))).toBe(
      'github (github, OAuth) — reconnect required',
    );
  });

  it('checks the inline API-key form before sending it', () => {
    expect(validateApiKeyForm({ provider: 'github', title: '', apiKey: 'k' })).toEqual({});
    expect(validateApiKeyForm({ provider: '', title: 'x'.repeat(201), apiKey: '  ' })).toEqual({
      provider: expect.any(String),
      title: expect.any(String),
      apiKey: expect.any(String),
    });
  });

  it('loads the list once for every card, and puts a created key first without reloading', async () => {
    let lists = 0;
    const created: unknown[] = [];
    const store = new CredentialsStore({
      list: async () => {
        lists++;
        return { items: [cred({ id: 'a' })] };
      },
      create: async (body) => {
        created.push(body);
        return cred({ id: 'b', title: body.title });
      },
    });
    let notified = 0;
    store.subscribe(() => notified++);
    await Promise.all([store.load(), store.load(), store.load()]);
    expect(lists).toBe(1);
    expect(store.get()?.map((c) => c.id)).toEqual(['a']);
    const b = await store.createApiKey('github', 'CI key', 'sk-1');
    expect(b.id).toBe('b');
    expect(created).toEqual([{ provider: 'github', type: 'api_key', title: 'CI key', secret: { apiKey: 'sk-1' } }]);
    expect(store.get()?.map((c) => c.id)).toEqual(['b', 'a']);
    await store.load();
    expect(lists).toBe(1);
    await store.load(true);
    expect(lists).toBe(2);
    expect(notified).toBeGreaterThanOrEqual(3);
  });

  it('keeps working when the list cannot be loaded, with the reason', async () => {
    const store = new CredentialsStore({
      list: async () => {
        throw new Error('HTTP 503');
      },
      create: async () => cred({}),
    });
    await store.load();
    expect(store.get()).toEqual([]);
    expect(store.error).toBe('HTTP 503');
  });
});
