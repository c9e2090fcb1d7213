import { inlinePureBlocks } from '../../src/app/engine';
import { B } from '../support/blocks';
import { graph } from '../support/graphs';
import { startHarness, type Harness } from '../support/harness';

describe('engine: basic path', () => {
  let h: Harness;
  beforeEach(() => (h = startHarness()));
  afterEach(() => h.stop());

  it('input -> template -> output completes with the output recorded', async () => {
    const g = graph(
      [
        ['in', B.input, { name: 'topic' }],
        ['tpl', B.template, { format: 'Hello {{ who }}!' }],
        ['out', B.output, { name: 'greeting' }],
      ],
      [
        ['in', 'result', 'tpl', 'values_#_who'],
        ['tpl', 'output', 'out', 'value'],
      ],
    );
    const view = await h.run(g, { topic: 'world' });
    expect(view.status).toBe('COMPLETED');
    expect(view.outputs).toEqual({ greeting: ['Hello world!'] });
    expect(view.nodeExecutions.map((n) => n.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
  });
});

describe('engine: pure blocks run inline (no block-runner)', () => {
  let h: Harness;
  beforeEach(
    () =>
      (h = startHarness({
        workers: 0,
        options: { inlineBlocks: inlinePureBlocks, logger: { warn: () => {}, error: () => {} } },
      })),
  );
  afterEach(() => h.stop());

  it('runs the graph inside the engine, recorded with the same events, one append per node', async () => {
    const g = graph(
      [
        ['in', B.input, { name: 'topic' }],
        ['src', B.emit, { items: ['a', 'b'] }],
        ['tpl', B.template, { format: '{{ t }}-{{ i }}' }],
        ['out', B.output, { name: 'lines' }],
      ],
      [
        ['in', 'result', 'tpl', 'values_#_t'],
        ['src', 'item', 'tpl', 'values_#_i'],
        ['tpl', 'output', 'out', 'value'],
      ],
    );
    const view = await h.run(g, { topic: 'x' });
    expect(view.status).toBe('COMPLETED');
    expect(view.outputs.lines).toEqual(['x-a', 'x-b']);
    expect(view.nodeExecutions.every((n) => n.workerId === 'engine-inline')).toBe(true);
    const log = await h.engine.events('tenant-1', view.id);
    expect(log.filter((e) => e.type === 'NodeExecutionStarted')).toHaveLength(view.nodeExecutions.length);
  });

  it('side-effecting blocks still go to the queue', async () => {
    const id = await h.start(graph([['s', B.send]]));
    await h.waitFor(id, () => true);
    const deadline = Date.now() + 5000;
    while ((await h.queue.depth('node-tasks')) === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    expect(await h.queue.depth('node-tasks')).toBe(1);
    await h.engine.cancel('tenant-1', id);
  });
});
