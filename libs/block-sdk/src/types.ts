/** JSON Schema (draft 2020-12 subset) as plain data: what the editor draws forms and pins from. */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  title?: string;
  description?: string;
  format?: string;
  secret?: boolean;
  advanced?: boolean;
  [key: string]: unknown;
};

export const BLOCK_CATEGORIES = [
  'BASIC', 'INPUT', 'OUTPUT', 'DATA', 'LOGIC', 'TEXT', 'AI', 'SEARCH', 'SOCIAL', 'COMMUNICATION',
  'DEVELOPER_TOOLS', 'PRODUCTIVITY', 'STORAGE', 'MULTIMEDIA', 'CODE', 'TIME', 'WEB', 'AGENT', 'SAFETY', 'CRM', 'MARKETING', 'HARDWARE',
] as const;
export type BlockCategory = (typeof BLOCK_CATEGORIES)[number];

export type CredentialType = 'api_key' | 'oauth2' | 'user_password' | 'host_scoped';

export interface CredentialsRequirement {
  /** Input field that carries the credentials reference (AutoGPT: 'credentials'). */
  field: string;
  providers: string[];
  types: CredentialType[];
  scopes?: string[];
}

/** Secrets handed to a block for one node execution; never logged, never yielded. */
export type ResolvedCredentials =
  | { id: string; provider: string; type: 'api_key'; apiKey: string; title?: string }
  | { id: string; provider: string; type: 'oauth2'; accessToken: string; scopes?: string[]; title?: string }
  | { id: string; provider: string; type: 'user_password'; username: string; password: string; title?: string }
  | { id: string; provider: string; type: 'host_scoped'; host: string; headers: Record<string, string>; title?: string };

/** How the engine treats a block beyond "run it". */
export type BlockKind =
  | 'standard'
  | 'input' // graph input: receives ExecutionRequested.inputs[name]
  | 'output' // graph output: collects execution.outputs[name]
  | 'note' // editor sticky note: never runs
  | 'agent' // runs a child execution (sub-agent)
  | 'review' // human in the loop
  | 'webhook'; // trigger

export interface BlockLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Tenant/graph-scoped persistent key-value store with optional TTL. */
export interface BlockKv {
  get(scope: 'tenant' | 'graph', key: string): Promise<unknown | undefined>;
  set(scope: 'tenant' | 'graph', key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(scope: 'tenant' | 'graph', key: string): Promise<void>;
}

/** A stored file as blocks see it: tenant-scoped, addressed by id (`{ $file: id }` in graph inputs and outputs). */
export interface BlockFileInfo {
  id: string;
  name: string;
  mediaType: string;
  size: number;
}

/**
 * Files of the tenant running the block: the uploads of the gateway (POST /api/v1/files) and what blocks write,
 * downloadable at /api/v1/files/{id}/content. Implementations refuse other tenants' ids (NOT_FOUND) and files
 * above their size limit.
 */
export interface BlockFiles {
  /** Largest file (bytes) write accepts and read returns. */
  readonly maxBytes: number;
  read(id: string): Promise<BlockFileInfo & { data: Buffer }>;
  write(file: { name: string; mediaType: string; data: Buffer }): Promise<BlockFileInfo>;
}

/** Usage a block reports (LLM tokens, cost) so the engine can record it and enforce budgets. */
export interface BlockUsage {
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
}

export interface BlockContext {
  tenantId: string;
  graphId: string;
  graphVersion: number;
  nodeId: string;
  executionId: string;
  nodeExecId: string;
  attempt: number;
  /** `${executionId}/${nodeExecId}/${attempt}`: pass to every side-effecting call. */
  idempotencyKey: string;
  /** Aborted on cancel or timeout. */
  signal: AbortSignal;
  credentials?: ResolvedCredentials;
  logger: BlockLogger;
  kv: BlockKv;
  /** SSRF-guarded fetch (private, loopback and metadata addresses refused unless allow-listed). */
  fetch: typeof fetch;
  /** The tenant's file store; absent where the runner has none configured. */
  files?: BlockFiles;
  emitProgress(progress: { message?: string; fraction?: number }): void;
  reportUsage(usage: BlockUsage): void;
}

export interface BlockTestCase {
  name?: string;
  input: Record<string, unknown>;
  /** Expected yields in order; a function value is a predicate on the yielded value. */
  output: Array<[string, unknown | ((value: unknown) => boolean)]>;
  credentials?: ResolvedCredentials;
  /**
   * Local fake servers the test needs, started by the generic test runner; the block reaches them
   * through env-configurable base URLs (e.g. ctx.fetch to a base URL from input or credentials).
   */
  needs?: string[];
}

export interface BlockDefinition<I extends Record<string, unknown> = Record<string, unknown>> {
  /** Stable uuid; AutoGPT's id where AutoGPT has the same block. */
  id: string;
  /** Class name, AutoGPT's where it has the block (e.g. 'FillTextTemplateBlock'). */
  name: string;
  description: string;
  categories: BlockCategory[];
  kind: BlockKind;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  /** Outputs are kept and re-delivered to later executions of linked nodes (links from it are static). */
  staticOutput?: boolean;
  credentials?: CredentialsRequirement;
  /** Side effects outside Agentry (email sent, HTTP POST…): no automatic retries by default. */
  sideEffects?: boolean;
  /**
   * Readiness of a node (ENGINE.md rule 5) for blocks that may run before every linked input has a value, like
   * AutoGPT's `get_missing_links`/`get_missing_input`: given the input present so far and the linked inputs still
   * without a value, the names the node must still wait for (empty = runnable). Absent: wait for every linked input.
   * Must be pure and deterministic: the decider calls it while folding.
   */
  missingInputs?(input: Record<string, unknown>, unsatisfiedLinks: readonly string[]): string[];
  run(input: I, ctx: BlockContext): AsyncIterable<[string, unknown]>;
  testCases: BlockTestCase[];
}

export interface BlockRegistry {
  get(id: string): BlockDefinition | undefined;
  list(): BlockDefinition[];
}
