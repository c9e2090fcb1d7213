import { missingScopes, parseScopes, scopesOfBlocks, unionScopes } from './scopes';

describe('OAuth scopes', () => {
  it('parses space- and comma-separated grants', () => {
    expect(parseScopes('a b  c')).toEqual(['a', 'b', 'c']);
    expect(parseScopes('chat:write,channels:read')).toEqual(['chat:write', 'channels:read']);
    expect(parseScopes('')).toEqual([]);
  });

  it('unions in first-seen order, each once', () => {
    expect(unionScopes(['openid', 'email'], ['email', 'x'], [' ', 'y', 'x'])).toEqual(['openid', 'email', 'x', 'y']);
  });

  it('finds the required scopes that were not granted', () => {
    expect(missingScopes(['a', 'b', 'a'], ['b', 'c'])).toEqual(['a']);
    expect(missingScopes([], [])).toEqual([]);
  });

  it('collects the scopes of blocks for one provider, or says which blocks do not fit', () => {
    const block = (id: string, providers: string[], scopes?: string[]) => ({ name: `B${id}`, credentials: { field: 'credentials', providers, types: ['oauth2' as const], scopes } });
    const blocks = new Map([
      ['1', block('1', ['google'], ['s1', 's2'])],
      ['2', block('2', ['google'], ['s2', 's3'])],
      ['3', block('3', ['github'], ['repo'])],
    ]);
    const registry = { get: (id: string) => blocks.get(id) };
    expect(scopesOfBlocks(registry, 'google', ['1', '2'])).toEqual({ scopes: ['s1', 's2', 's3'], errors: {} });
    expect(scopesOfBlocks(registry, 'google', ['3', '9']).errors).toEqual({ 'blockIds[0]': 'block B3 does not use a google connection', 'blockIds[1]': "unknown block '9'" });
  });
});
