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
