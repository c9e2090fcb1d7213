/** Which API serves a model, and what it costs. */
export type LlmProvider = 'openai' | 'anthropic' | 'ollama' | 'open_router' | 'groq';

export const LLM_PROVIDERS: LlmProvider[] = ['openai', 'anthropic', 'ollama', 'open_router', 'groq'];

export const DEFAULT_LLM_MODEL = 'gpt-4o';

/** Explicit entries for AutoGPT model names whose prefix alone is ambiguous. */
const KNOWN_MODELS: Record<string, LlmProvider> = {
  'llama-3.3-70b-versatile': 'groq',
  'llama-3.1-8b-instant': 'groq',
  'gemma2-9b-it': 'groq',
  'llama3.3': 'ollama',
  'llama3.2': 'ollama',
  llama3: 'ollama',
  'llama3.1:405b': 'ollama',
  'dolphin-mistral:latest': 'ollama',
};

/**
 * Map a model name to its provider: gpt-*, o1/o3/o4*, chatgpt-* → openai; claude-* → anthropic;
 * `vendor/model` → open_router; llama-3.x-… (hyphenated, hosted) → groq; llama3*, `name:tag` and
 * `ollama/…` → ollama. Unknown names fall back to the credentials' provider, then openai.
 */
export function providerForModel(model: string, credentialsProvider?: string): LlmProvider {
  const m = model.trim().toLowerCase();
  if (KNOWN_MODELS[m]) return KNOWN_MODELS[m];
  if (m.startsWith('ollama/')) return 'ollama';
  if (/^(gpt-|chatgpt-|o\d)/.test(m)) return 'openai';
  if (m.startsWith('claude-')) return 'anthropic';
  if (m.includes('/')) return 'open_router';
  if (/^llama-\d/.test(m) || /^(mixtral|gemma)\d*-/.test(m)) return 'groq';
  if (/^(llama\d|mistral|qwen|phi|gemma|deepseek)/.test(m) || m.includes(':')) return 'ollama';
  if (credentialsProvider && (LLM_PROVIDERS as string[]).includes(credentialsProvider))
    return credentialsProvider as LlmProvider;
  return 'openai';
}

/** The name the provider's API expects (strips our `ollama/` routing prefix). */
export function apiModelName(model: string): string {
  return model.replace(/^ollama\//i, '');
}

/** USD per million tokens [input, output]; longest matching prefix wins. Local models cost nothing. */
const PRICES: Array<[string, number, number]> = [
  ['gpt-4o-mini', 0.15, 0.6],
  ['gpt-4o', 2.5, 10],
  ['gpt-4.1-nano', 0.1, 0.4],
  ['gpt-4.1-mini', 0.4, 1.6],
  ['gpt-4.1', 2, 8],
  ['gpt-4-turbo', 10, 30],
  ['gpt-3.5-turbo', 0.5, 1.5],
  ['gpt-5-nano', 0.05, 0.4],
  ['gpt-5-mini', 0.25, 2],
  ['gpt-5', 1.25, 10],
  ['o1-mini', 1.1, 4.4],
  ['o1', 15, 60],
  ['o3-mini', 1.1, 4.4],
  ['o4-mini', 1.1, 4.4],
  ['o3', 2, 8],
  ['claude-3-5-haiku', 0.8, 4],
  ['claude-3-haiku', 0.25, 1.25],
  ['claude-haiku-4', 1, 5],
  ['claude-3-5-sonnet', 3, 15],
  ['claude-3-7-sonnet', 3, 15],
  ['claude-sonnet-4', 3, 15],
  ['claude-opus-4', 15, 75],
  ['claude-3-opus', 15, 75],
  ['llama-3.3-70b-versatile', 0.59, 0.79],
  ['llama-3.1-8b-instant', 0.05, 0.08],
];

export function estimateCostUsd(
  provider: LlmProvider,
  model: string,
  inputTokens: number,
  outputTokens: number,
): number | undefined {
  if (provider === 'ollama') return 0;
  const m = model.toLowerCase();
  let best: [string, number, number] | undefined;
  for (const entry of PRICES) if (m.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  if (!best) return undefined;
  return (inputTokens * best[1] + outputTokens * best[2]) / 1_000_000;
}
