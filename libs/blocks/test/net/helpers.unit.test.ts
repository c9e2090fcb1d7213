import { providerForModel, scrubSecrets } from '../../src/net';
import { fillTemplate, parseListLiteral, extractJson } from '../../src/net/llm/prompt';

describe('model → provider', () => {
  it.each([
    ['gpt-4o', 'openai'],
    ['o3-mini', 'openai'],
    ['claude-3-5-sonnet-latest', 'anthropic'],
    ['llama3.2', 'ollama'],
    ['ollama/qwen2.5:7b', 'ollama'],
    ['dolphin-mistral:latest', 'ollama'],
    ['llama-3.3-70b-versatile', 'groq'],
    ['meta-llama/llama-3.1-405b-instruct', 'open_router'],
  ])('%s → %s', (model, provider) => expect(providerForModel(model)).toBe(provider));
  it('falls back to the credentials provider', () => expect(providerForModel('my-custom-model', 'groq')).toBe('groq'));
});

describe('scrubSecrets', () => {
  it('removes known values and secret-shaped strings', () => {
    const text =
      'key sk-proj-abcdefghijklmnop, token ghp_abcdefghij12, Bearer abc.def.ghi, url https://x/y?api_key=zzz&ok=1, custom hunter2hunter2';
    expect(scrubSecrets(text, ['hunter2hunter2'])).toBe(
      'key ***, token ***, Bearer ***, url https://x/y?api_key=***&ok=1, custom ***',
    );
  });
});

describe('prompt helpers', () => {
  it('fills Jinja-style placeholders like AutoGPT (missing → empty)', () => {
    expect(fillTemplate('Hi {{ name }} {{name | safe}} {{missing}}!', { name: 'Ada' })).toBe('Hi Ada Ada !');
  });
  it('parses Python list literals', () => {
    expect(parseListLiteral("```python\n['a', \"b\", 3, True, None, ['x']]\n```")).toEqual([
      'a',
      'b',
      3,
      true,
      null,
      ['x'],
    ]);
    expect(() => parseListLiteral('here is a list: [1, 2]')).toThrow(/not a list/);
  });
  it('extracts JSON from fenced or chatty answers', () => {
    expect(extractJson('Sure!\n```json\n{"a": 1}\n```')).toEqual({ a: 1 });
    expect(extractJson('The answer is {"a": [1]} ok')).toEqual({ a: [1] });
  });
});
