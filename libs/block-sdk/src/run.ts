import { mergeDynamicPins } from './pins';
import { randomUUID } from 'node:crypto';
import type {
  BlockContext,
  BlockDefinition,
  BlockFileInfo,
  BlockFiles,
  BlockKv,
  BlockLogger,
  BlockTestCase,
  BlockUsage,
} from './types';

/** Process-local BlockKv with TTLs; for tests and the embedded single-process mode. */
export class InMemoryKv implements BlockKv {
  private readonly entries = new Map<string, { value: unknown; expiresAt?: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(scope: 'tenant' | 'graph', key: string): Promise<unknown | undefined> {
    const entry = this.entries.get(`${scope}\u0000${key}`);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(`${scope}\u0000${key}`);
      return undefined;
    }
    return structuredClone(entry.value);
  }

  async set(scope: 'tenant' | 'graph', key: string, value: unknown, ttlMs?: number): Promise<void> {
    this.entries.set(`${scope}\u0000${key}`, {
      value: structuredClone(value),
      expiresAt: ttlMs === undefined ? undefined : this.now() + ttlMs,
    });
  }

  async delete(scope: 'tenant' | 'graph', key: string): Promise<void> {
    this.entries.delete(`${scope}\u0000${key}`);
  }
}

/** Error of a file store: a stable code, never retryable (the file will not appear or shrink by waiting). */
export class BlockFileError extends Error {
  override readonly name = 'BlockFileError';
  readonly retryable = false;
  constructor(
    readonly code: 'NOT_FOUND' | 'FILE_TOO_LARGE',
    message: string,
  ) {
    super(message);
  }
}

/** Process-local BlockFiles of one tenant; for tests and runs without a configured file store. */
export class InMemoryBlockFiles implements BlockFiles {
  private readonly files = new Map<string, BlockFileInfo & { data: Buffer }>();

  constructor(
    readonly maxBytes: number = 10 * 1024 * 1024,
    private readonly newId: () => string = randomUUID,
  ) {}

  async read(id: string): Promise<BlockFileInfo & { data: Buffer }> {
    const file = this.files.get(id);
    if (!file) throw new BlockFileError('NOT_FOUND', `file ${id} not found`);
    return { ...file, data: Buffer.from(file.data) };
  }

  async write(file: { name: string; mediaType: string; data: Buffer }): Promise<BlockFileInfo> {
    if (file.data.length > this.maxBytes)
      throw new BlockFileError('FILE_TOO_LARGE', `the file has ${file.data.length} bytes; the limit is ${this.maxBytes}`);
    const info = { id: this.newId(), name: file.name, mediaType: file.mediaType, size: file.data.length };
    this.files.set(info.id, { ...info, data: Buffer.from(file.data) });
    return info;
  }
}

export interface RecordedLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields?: Record<string, unknown>;
}

export interface TestContext extends BlockContext {
  /** What the block logged, reported as progress and as usage: for assertions. */
  recorded: { logs: RecordedLog[]; progress: Array<{ message?: string; fraction?: number }>; usage: BlockUsage[] };
}

/** A BlockContext for tests and local runs: in-memory kv, recording logger, global fetch, no-op progress/usage. */
export function createTestContext(overrides: Partial<BlockContext> = {}): TestContext {
  const recorded: TestContext['recorded'] = { logs: [], progress: [], usage: [] };
  const log =
    (level: RecordedLog['level']) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      recorded.logs.push({ level, msg, fields });
    };
  const logger: BlockLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const executionId = overrides.executionId ?? 'test-execution';
  const nodeExecId = overrides.nodeExecId ?? 'test-node-exec';
  const attempt = overrides.attempt ?? 1;
  return {
    tenantId: 'test-tenant',
    graphId: 'test-graph',
    graphVersion: 1,
    nodeId: 'test-node',
    executionId,
    nodeExecId,
    attempt,
    idempotencyKey: `${executionId}/${nodeExecId}/${attempt}`,
    signal: new AbortController().signal,
    logger,
    kv: new InMemoryKv(),
    fetch: globalThis.fetch.bind(globalThis),
    files: new InMemoryBlockFiles(),
    emitProgress: (p) => recorded.progress.push(p),
    reportUsage: (u) => recorded.usage.push(u),
    ...overrides,
    recorded,
  };
}

/**
 * Runs a block to completion and returns every yield in order. Dynamic pins in `input` are merged first.
 * A thrown error propagates; a yielded `error` is returned like any other pin.
 */
export async function runBlock(
  block: BlockDefinition,
  input: Record<string, unknown>,
  ctx: BlockContext = createTestContext(),
): Promise<Array<[string, unknown]>> {
  const yields: Array<[string, unknown]> = [];
  for await (const [pin, value] of block.run(mergeDynamicPins(input), ctx)) yields.push([pin, value]);
  return yields;
}

export interface TestCaseResult {
  pass: boolean;
  /** Expected yields with each predicate replaced by the actual value it accepted (or a description when it refused). */
  expected: Array<[string, unknown]>;
  actual: Array<[string, unknown]>;
  error?: string;
}

/** Runs one self-test case and compares its yields in order (a function in `output` is a predicate). */
export async function runBlockTestCase(
  block: BlockDefinition,
  testCase: BlockTestCase,
  ctx?: BlockContext,
): Promise<TestCaseResult> {
  const context = ctx ?? createTestContext({ credentials: testCase.credentials });
  let actual: Array<[string, unknown]>;
  try {
    actual = await runBlock(block, testCase.input, context);
  } catch (e) {
    actual = [['error', e instanceof Error ? e.message : String(e)]];
  }
  const expected = testCase.output.map(([pin, want], i): [string, unknown] => {
    if (typeof want !== 'function') return [pin, want];
    const got = actual[i];
    if (got && got[0] === pin && (want as (v: unknown) => boolean)(got[1])) return [pin, got[1]];
    return [pin, `<value accepted by ${want.name || 'predicate'}>`];
  });
  const pass =
    expected.length === actual.length &&
    expected.every(([pin, v], i) => pin === actual[i][0] && deepEqual(v, actual[i][1]));
  return { pass, expected, actual };
}

/** Structural equality for JSON-like values (NaN equals NaN; -0 equals 0). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b) || a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  if (a instanceof Date || b instanceof Date)
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}
