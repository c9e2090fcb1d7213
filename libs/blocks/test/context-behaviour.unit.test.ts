import { createTestContext, runBlock } from '@agentry/block-sdk';
import { CountdownTimerBlock, WaitBlock } from '../src/time/time';
import { CounterBlock, PersistInformationBlock, RetrieveInformationBlock } from '../src/storage/storage';
import { JavaScriptCodeBlock } from '../src/code/javascript';

describe('storage blocks share the context kv', () => {
  it('retrieves what was persisted, per scope', async () => {
    const ctx = createTestContext();
    await runBlock(PersistInformationBlock, { key: 'theme', value: 'dark' }, ctx);
    await runBlock(PersistInformationBlock, { key: 'theme', value: 'shared', scope: 'across_agents' }, ctx);
    expect(await runBlock(RetrieveInformationBlock, { key: 'theme', default_value: 'light' }, ctx)).toEqual([
      ['value', 'dark'],
    ]);
    expect(await runBlock(RetrieveInformationBlock, { key: 'theme', scope: 'across_agents' }, ctx)).toEqual([
      ['value', 'shared'],
    ]);
  });

  it('counts across runs and resets', async () => {
    const ctx = createTestContext();
    await runBlock(CounterBlock, { name: 'n' }, ctx);
    expect(await runBlock(CounterBlock, { name: 'n', increment: 2 }, ctx)).toEqual([['count', 3]]);
    expect(await runBlock(CounterBlock, { name: 'n', reset: true }, ctx)).toEqual([['count', 1]]);
    // Another execution has its own per-execution counter.
    const other = createTestContext({ executionId: 'other', kv: ctx.kv });
    expect(await runBlock(CounterBlock, { name: 'n' }, other)).toEqual([['count', 1]]);
  });
});

describe('long-running blocks respect the abort signal', () => {
  it('WaitBlock rejects with the abort reason', async () => {
    await expect(runBlock(WaitBlock, { value: 1, milliseconds: 60_000 }, ctxAbortingSoon())).rejects.toThrow(
      'cancelled',
    );
  });

  it('CountdownTimerBlock rejects with the abort reason', async () => {
    await expect(runBlock(CountdownTimerBlock, { minutes: 5 }, ctxAbortingSoon())).rejects.toThrow('cancelled');
  });

  it('JavaScriptCodeBlock does not start work for a cancelled node', async () => {
    // The sandbox runs synchronously, so a cancel during a run is bounded by timeout_ms; an aborted signal stops it at once.
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    const ctx = createTestContext({ signal: controller.signal });
    expect(await runBlock(JavaScriptCodeBlock, { code: 'while (true) {}', timeout_ms: 30_000 }, ctx)).toEqual([
      ['error', 'Cancelled'],
    ]);
  });
});

function ctxAbortingSoon() {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('cancelled')), 20);
  return createTestContext({ signal: controller.signal });
}
