import { validateBlockInput, type BlockDefinition, type BlockUsage } from '@agentry/block-sdk';
import { DomainError, isDomainError } from '@agentry/kernel';
import type { NodeTaskPayload } from './ports';

export interface InlineResult {
  outputs: Array<{ pin: string; value: unknown }>;
  finished: { status: 'COMPLETED' | 'FAILED'; error?: { message: string; code?: string; retryable?: boolean } };
  usage?: BlockUsage;
}

const refuse = (what: string) => () =>
  Promise.reject(new DomainError('PERMISSION_DENIED', `${what} is not available to blocks run inline by the engine`));

/**
 * Runs a pure block (no side effects, no credentials, no network) inside the execution service, so that
 * it costs one decision and one append instead of a queue round trip (DESIGN.md performance notes).
 * Its outputs are recorded by the same events as a runner's: replay cannot tell the difference.
 */
export async function runInline(block: BlockDefinition, task: NodeTaskPayload): Promise<InlineResult> {
  const outputs: InlineResult['outputs'] = [];
  let usage: BlockUsage | undefined;
  const controller = new AbortController();
  const timer =
    task.timeoutMs !== undefined
      ? setTimeout(
          () => controller.abort(new DomainError('TIMEOUT', `timed out after ${task.timeoutMs} ms`)),
          task.timeoutMs,
        )
      : undefined;
  const aborted = new Promise<never>((_, reject) =>
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }),
  );
  aborted.catch(() => {});
  try {
    const valid = validateBlockInput(block, task.input);
    if (!valid.ok) {
      const message = Object.entries(valid.errors)
        .map(([k, v]) => (k ? `${k}: ${v}` : v))
        .join('; ');
      return {
        outputs,
        finished: {
          status: 'FAILED',
          error: {
            message: `invalid input for ${block.name}: ${message}`,
            code: 'VALIDATION_FAILED',
            retryable: false,
          },
        },
      };
    }
    const noop = () => {};
    const iterator = block
      .run(valid.value, {
        tenantId: task.tenantId,
        graphId: task.graphId,
        graphVersion: task.graphVersion,
        nodeId: task.nodeId,
        executionId: task.executionId,
        nodeExecId: task.nodeExecId,
        attempt: task.attempt,
        idempotencyKey: `${task.executionId}/${task.nodeExecId}/${task.attempt}`,
        signal: controller.signal,
        logger: { debug: noop, info: noop, warn: noop, error: noop },
        kv: { get: refuse('kv'), set: refuse('kv'), delete: refuse('kv') },
        fetch: refuse('fetch') as unknown as typeof fetch,
        emitProgress: noop,
        reportUsage: (u) => {
          usage = {
            ...u,
            inputTokens: (usage?.inputTokens ?? 0) + (u.inputTokens ?? 0),
            outputTokens: (usage?.outputTokens ?? 0) + (u.outputTokens ?? 0),
            costUsd: (usage?.costUsd ?? 0) + (u.costUsd ?? 0),
          };
        },
      })
      [Symbol.asyncIterator]();
    for (;;) {
      const step = await Promise.race([iterator.next(), aborted]);
      if (step.done) break;
      const [pin, value] = step.value;
      if (pin === 'error') {
        void Promise.resolve(iterator.return?.(undefined)).catch(() => {});
        return {
          outputs,
          usage,
          finished: {
            status: 'FAILED',
            error: {
              message: typeof value === 'string' ? value : JSON.stringify(value),
              code: 'BLOCK_ERROR',
              retryable: true,
            },
          },
        };
      }
      outputs.push({ pin, value });
    }
    return { outputs, usage, finished: { status: 'COMPLETED' } };
  } catch (err) {
    const error = isDomainError(err)
      ? { message: err.message, code: err.code, retryable: err.retryable }
      : { message: err instanceof Error ? err.message : String(err), retryable: true };
    return { outputs, usage, finished: { status: 'FAILED', error } };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
