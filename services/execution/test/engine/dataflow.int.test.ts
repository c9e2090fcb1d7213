import { MemoryBlobStore } from '../../src/adapters/blob/memory';
import { B } from '../support/blocks';
import { graph } from '../support/graphs';
import { pinValues, startHarness, type Harness } from '../support/harness';
import { tempSqliteLog } from '../support/sqlite';

describe('engine dataflow (engine + block worker + SQLite log, in process)', () => {
  let h: Harness;
  let sqlite: ReturnType<typeof tempSqliteLog>;
  const blobs = new MemoryBlobStore();
  beforeEach(() => {
    sqlite = tempSqliteLog();
    h = startHarness({
      store: sqlite.log.events,
      queue: sqlite.log.queue,
      blobs,
      options: { blobThresholdBytes: 256 * 1024 },
    });
  });
  afterEach(async () => {
    await h.stop();
    await sqlite.dispose();
  });

  it('zip: two outputs that each yield twice pair up in order', async () => {
    const g = graph(
      [
        ['src', B.emit, { items: ['x1', 'x2'] }],
        ['pair', B.pair],
        ['out', B.output, { name: 'pairs' }],
      ],
      [
        ['src', 'item', 'pair', 'a'],
        ['src', 'key', 'pair', 'b'],
        ['pair', 'pair', 'out', 'value'],
      ],
    );
    const view = await h.run(g);
    expect(view.status).toBe('COMPLETED');
    expect(view.outputs.pairs).toEqual([
      ['x1', 0],
      ['x2', 1],
    ]);
  });

  it('static-link backfill: one static value reaches every execution of the sink', async () => {
    const g = graph(
      [
        ['in', B.input, { name: 'greeting' }],
        ['src', B.emit, { items: ['ann', 'bob', 'cy'] }],
        ['tpl', B.template, { format: '{{g}}, {{who}}' }],
        ['out', B.output, { name: 'lines' }],
      ],
      [
        ['in', 'result', 'tpl', 'values_#_g'],
        ['src', 'item', 'tpl', 'values_#_who'],
        ['tpl', 'output', 'out', 'value'],
      ],
    );
    const view = await h.run(g, { greeting: 'hi' });
    expect(view.status).toBe('COMPLETED');
    expect([...view.outputs.lines].sort()).toEqual(['hi, ann', 'hi, bob', 'hi, cy']);
  });

  it('a data-driven loop: a node feeding its own input until done', async () => {
    const g = graph(
      [
        ['start', B.input, { name: 'n' }],
        ['dec', B.decrement],
        ['out', B.output, { name: 'done' }],
      ],
      [
        ['start', 'result', 'dec', 'n'],
        ['dec', 'next', 'dec', 'n'],
        ['dec', 'done', 'out', 'value'],
      ],
    );
    const view = await h.run(g, { n: 3 });
    expect(view.status).toBe('COMPLETED');
    expect(view.outputs.done).toEqual([0]);
    expect(view.nodeExecutions.filter((n) => n.nodeId === 'dec').map((n) => n.input!.n)).toEqual([3, 2, 1, 0]);
  });

  it('every dynamic pin form: _#_ dict, _$_ list, _@_ object, on sinks and on sources', async () => {
    const g = graph(
      [
        ['d', B.dict],
        ['dictSink', B.echo],
        ['listSink', B.echo],
        ['objSink', B.echo],
        ['fromDict', B.echo],
        ['fromList', B.echo],
        ['fromObj', B.echo],
      ],
      [
        ['d', 'obj_#_a', 'dictSink', 'value_#_first'],
        ['d', 'list_$_1', 'listSink', 'value_$_1'],
        ['d', 'list_$_0', 'listSink', 'value_$_0'],
        ['d', 'obj_@_c', 'objSink', 'value_@_attr'],
        ['d', 'obj_#_a', 'fromDict', 'value'],
        ['d', 'list_$_1', 'fromList', 'value'],
        ['d', 'obj_@_c', 'fromObj', 'value'],
      ],
    );
    const view = await h.run(g);
    expect(view.status).toBe('COMPLETED');
    expect(pinValues(view, 'dictSink', 'out')).toEqual([{ first: 'A' }]);
    expect(pinValues(view, 'listSink', 'out')).toEqual([['L0', 'L1']]);
    expect(pinValues(view, 'objSink', 'out')).toEqual([{ attr: { x: 'X' } }]);
    expect(pinValues(view, 'fromDict', 'out')).toEqual(['A']);
    expect(pinValues(view, 'fromList', 'out')).toEqual(['L1']);
    expect(pinValues(view, 'fromObj', 'out')).toEqual([{ x: 'X' }]);
  });

  it('one branch failing while another completes: the other branch runs to the end, the execution FAILS', async () => {
    const g = graph(
      [
        ['bad', B.fail, { message: 'kaput' }],
        ['good', B.echo, { value: 'fine' }],
        ['out', B.output, { name: 'result' }],
      ],
      [['good', 'out', 'out', 'value']],
    );
    const view = await h.run(g);
    expect(view.status).toBe('FAILED');
    expect(view.error).toEqual({ message: 'node bad failed: kaput', code: 'NODE_FAILED' });
    expect(view.outputs.result).toEqual(['fine']);
    expect(view.nodeExecutions.find((n) => n.nodeId === 'bad')).toMatchObject({
      status: 'FAILED',
      error: { message: 'kaput' },
      outputs: { error: ['kaput'] },
    });
  });

  it('an error pin handled downstream: the error value flows on and the execution COMPLETES', async () => {
    const g = graph(
      [
        ['bad', B.errorPin, { message: 'no such user' }],
        ['handler', B.template, { format: 'handled: {{e}}' }],
        ['out', B.output, { name: 'result' }],
      ],
      [
        ['bad', 'error', 'handler', 'values_#_e'],
        ['handler', 'output', 'out', 'value'],
      ],
    );
    const view = await h.run(g);
    expect(view.status).toBe('COMPLETED');
    expect(view.outputs.result).toEqual(['handled: no such user']);
    expect(view.nodeExecutions.find((n) => n.nodeId === 'bad')!.status).toBe('FAILED');
  });

  it('large values travel by reference (rule 15): the log holds a blob reference, get() and task inputs see the value', async () => {
    const g = graph(
      [
        ['big', B.big, { size: 300 * 1024 }],
        ['echo', B.echo],
        ['out', B.output, { name: 'text' }],
      ],
      [
        ['big', 'out', 'echo', 'value'],
        ['echo', 'out', 'out', 'value'],
      ],
    );
    const view = await h.run(g);
    expect(view.status).toBe('COMPLETED');
    expect((view.outputs.text[0] as string).length).toBe(300 * 1024);
    expect(pinValues(view, 'echo', 'out')).toEqual([view.outputs.text[0]]);
    const log = await h.engine.events('tenant-1', view.id);
    const produced = log
      .filter((e) => e.type === 'NodeOutputProduced' && (e.data as { pin: string }).pin !== 'name')
      .map((e) => (e.data as { value: unknown }).value);
    expect(produced).toHaveLength(3);
    expect(produced.every((v) => typeof v === 'object' && v !== null && '$blobRef' in v)).toBe(true);
    expect(Math.max(...log.map((e) => JSON.stringify(e.data).length))).toBeLessThan(64 * 1024);
  });
});
