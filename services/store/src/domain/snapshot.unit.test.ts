import { mergeForUpdate, snapshotOf } from './snapshot';
import { sniffImage, MAX_IMAGE_BYTES } from './media';

const node = (id: string, inputDefault: Record<string, unknown>, blockId = 'b') => ({ id, blockId, inputDefault, metadata: {} });

describe('snapshots for publishing', () => {
  it('strips credentials and secrets, keeps everything else, and reports what it removed', () => {
    const { snapshot, requiredCredentials } = snapshotOf({
      name: 'g',
      description: '',
      links: [],
      nodes: [
        node('llm', { credentials: { id: 'c1', provider: 'openai', type: 'api_key' }, prompt: 'hi', max_tokens: 100, model: 'gpt' }),
        node('http', { url: 'https://x', headers: { Authorization: 'Bearer abc', 'X-Api-Key': 'k' }, api_key: 'k', note: 'sk-abcdefghijklmnopqrstuvwx' }),
      ],
    });
    expect(snapshot.nodes[0].inputDefault).toEqual({ prompt: 'hi', max_tokens: 100, model: 'gpt' });
    expect(snapshot.nodes[1].inputDefault).toEqual({ url: 'https://x', headers: {} });
    expect(requiredCredentials).toEqual(['llm.credentials', 'http.headers.Authorization', 'http.headers.X-Api-Key', 'http.api_key', 'http.note']);
  });

  it('on update keeps the inputs the installer changed and takes everything else from the new version', () => {
    const installed = { name: 'g', description: '', links: [], nodes: [node('a', { prompt: 'v1', model: 'm1' }), node('b', { x: 1 })] };
    const mine = { nodes: [node('a', { prompt: 'mine', model: 'm1', credentials: { id: 'my-cred' } }), node('b', { x: 1 })] };
    const next = { name: 'g2', description: '', links: [], nodes: [node('a', { prompt: 'v2', model: 'm2' }), node('c', { y: 2 })] };
    const merged = mergeForUpdate(installed, mine, next);
    expect(merged.name).toBe('g2');
    expect(merged.nodes).toEqual([node('a', { prompt: 'mine', model: 'm2', credentials: { id: 'my-cred' } }), node('c', { y: 2 })]);
  });
});

describe('image uploads', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
  it('trusts magic bytes, not names', () => {
    expect(sniffImage(png)).toBe('image/png');
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0]))).toBe('image/jpeg');
    expect(() => sniffImage(Buffer.from('<svg onload="alert(1)"></svg>'))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE' }));
    expect(() => sniffImage(Buffer.alloc(MAX_IMAGE_BYTES + 1, 0x89))).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
    expect(() => sniffImage(Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
