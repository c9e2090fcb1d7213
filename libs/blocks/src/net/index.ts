import type { BlockDefinition } from '@agentry/block-sdk';
import { llmBlocks } from './llm/blocks';
import { webBlocks } from './web/blocks';
import { communicationBlocks } from './comm/blocks';
import { developerAndProductivityBlocks } from './devtools/blocks';
import { airtableMetaBlocks } from './airtable/blocks';
import { dataForSeoBlocks } from './dataforseo/blocks';
import { e2bBlocks } from './e2b/blocks';
import { firecrawlBlocks } from './firecrawl/blocks';
import { googleBlocks } from './google/blocks';
import { mediaBlocks } from './media/blocks';
import { wordPressBlocks } from './wordpress/blocks';
import { youtubeBlocks } from './youtube/blocks';

export {
  createGuardedFetch,
  assertHostAllowed,
  assertUrlAllowed,
  classifyAddress,
  SsrfBlockedError,
  type GuardedFetch,
  type GuardedFetchOptions,
  type SsrfBlockCode,
} from './ssrf';
export { ProviderError, scrubSecrets, type ProviderErrorCode } from './errors';
export {
  PROVIDER_ENDPOINTS,
  providerBaseUrl,
  ollamaBaseUrl,
  configuredProviderHosts,
  MissingCredentialsError,
} from './http';
export { llmCall, type ChatMessage, type LlmRequest, type LlmResult, type ToolDefinition } from './llm/client';
export { providerForModel, estimateCostUsd, DEFAULT_LLM_MODEL, type LlmProvider } from './llm/models';

/** Blocks that call out over the network (AI, web, communication, developer tools, productivity). */
export const networkBlocks: BlockDefinition[] = [
  ...llmBlocks,
  ...webBlocks,
  ...communicationBlocks,
  ...developerAndProductivityBlocks,
  ...airtableMetaBlocks,
  ...dataForSeoBlocks,
  ...e2bBlocks,
  ...firecrawlBlocks,
  ...googleBlocks,
  ...mediaBlocks,
  ...wordPressBlocks,
  ...youtubeBlocks,
];
