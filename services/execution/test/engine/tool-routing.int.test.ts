import { randomUUID } from 'node:crypto';
import { catalogueBlocks, createRegistry } from '@agentry/blocks';
import { startFakeServers, type FakeServers, type RecordedRequest } from '@agentry/testing';
import { createBlockWorker, type BlockWorker } from '@agentry/svc-block-runner/src/app/worker';
import { createExecutionEngine, type ExecutionEngine, type ExecutionView } from '../../src/app/engine';
import { SMART_DECISION_MAKER_BLOCK_ID } from '../../src/app/tool-routing';
import { graph, MemoryGraphs, TENANT, USER } from '../support/graphs';
import { MemoryEventStore, MemoryWorkQueue } from '../support/memory-event-log';

/**
 * A SmartDecisionMaker picks a tool through a fake OpenAI server: the engine derives the tool definitions from
 * the graph's tools_^_ links, the block yields the tool call's arguments on those pins, and the tool node runs
 * with them. Real block library, real block-runner worker, real HTTP to the fake.
 */
const INPUT = 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b';
const OUTPUT = '363ae599-353e-4804-937e-b2ee3cef3da4';
const CALCULATOR = 'b1ab9b19-67a6-406d-abf5-2dba76d00c79';
const FILL_TEMPLATE = 'db7d8f02-2f44-4c55-ab7a-eae0941f0c30';

describe('engine: SmartDecisionMaker tool routing', () => {
  let fakes: FakeServers;
  let engine: ExecutionEngine;
  let worker: BlockWorker;
  const graphs = new MemoryGraphs();
  const openAiRequests = () => fakes.servers.openai!.requests as RecordedRequest[];

  beforeAll(async () => {
    fakes = await startFakeServers(['openai']);
    const queue = new MemoryWorkQueue();
    const blocks = createRegistry(catalogueBlocks);
    engine = createExecutionEngine({
      events: new MemoryEventStore(),
      queue,
      graphs,
      blocks,
      clock: { now: () => new Date() },
      newId: randomUUID,
      options: { logger: { warn: () => {}, error: () => {} } },
    });
    worker = createBlockWorker({
      queue,
      blocks,
      reporter: engine,
      workerId: 'worker-tools',
      pollMs: 20,
      fetch: globalThis.fetch.bind(globalThis),
      credentials: {
        resolve: async (_tenant, _ref, _purpose) => ({
          id: 'openai-key',
          provider: 'openai',
          type: 'api_key',
          apiKey: 'sk-test-tool-routing-0123456789',
        }),
      },
    });
    worker.start();
  });
  afterAll(async () => {
    await worker.stop({ graceMs: 500 });
    await engine.close();
    await fakes.close();
  });
  beforeEach(() => fakes.servers.openai!.reset());

  async function settled(executionId: string): Promise<ExecutionView> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const view = await engine.get(TENANT, executionId);
      if (view.status !== 'RUNNING' || Date.now() > deadline) return view;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('routes the tool call arguments to the tool node, which runs with them, and the execution completes', async () => {
    fakes.servers.openai!.enqueue({ toolCalls: [{ name: 'calculatorblock', arguments: { a: 6, b: 7 } }] });
    const g = graph(
      [
        ['question', INPUT, { name: 'question' }],
        [
          'sdm',
          SMART_DECISION_MAKER_BLOCK_ID,
          { model: 'gpt-4o', credentials: { id: 'openai-key', provider: 'openai', type: 'api_key' } },
        ],
        ['calc', CALCULATOR, { operation: 'Multiply' }],
        ['greet', FILL_TEMPLATE, {}],
        ['answer', OUTPUT, { name: 'answer' }],
      ],
      [
        ['question', 'result', 'sdm', 'prompt'],
        ['sdm', 'tools_^_calculatorblock_~_a', 'calc', 'a'],
        ['sdm', 'tools_^_calculatorblock_~_b', 'calc', 'b'],
        ['sdm', 'tools_^_filltexttemplateblock_~_format', 'greet', 'format'],
        ['calc', 'result', 'answer', 'value'],
      ],
    );
    graphs.add(g);
    const { executionId } = await engine.requestExecution({
      tenantId: TENANT,
      userId: USER,
      graphId: g.id,
      inputs: { question: 'What is 6 times 7?' },
      trigger: 'manual',
    });
    const view = await settled(executionId);

    expect(view.status).toBe('COMPLETED');
    expect(view.outputs).toEqual({ answer: [42] });
    // The model was offered one function per linked tool node, built from the sink blocks' input schemas.
    const sent = openAiRequests()[0].body as {
      tools: Array<{
        function: { name: string; parameters: { properties: Record<string, unknown>; required: string[] } };
      }>;
    };
    expect(sent.tools.map((t) => t.function.name)).toEqual(['calculatorblock', 'filltexttemplateblock']);
    expect(sent.tools[0].function.parameters).toMatchObject({
      properties: {
        a: { description: 'Enter the first number (A)' },
        b: { description: 'Enter the second number (B)' },
      },
      required: ['a', 'b'],
    });
    const byNode = (id: string) => view.nodeExecutions.filter((n) => n.nodeId === id);
    expect(byNode('sdm')[0].outputs).toMatchObject({
      'tools_^_calculatorblock_~_a': [6],
      'tools_^_calculatorblock_~_b': [7],
    });
    expect(byNode('calc').map((n) => n.status)).toEqual(['COMPLETED']);
    // The tool that was not called never runs and does not hold the execution open.
    expect(byNode('greet').every((n) => n.status === 'INCOMPLETE')).toBe(true);
  });
  it("runs AutoGPT's tool loop: the tool's result comes back on last_tool_output, the conversation on conversation_history, and the model finishes", async () => {
    fakes.servers.openai!.enqueue(
      { toolCalls: [{ name: 'calculatorblock', arguments: { a: 6, b: 7 } }] },
      { text: 'The answer is 42.' },
    );
    const g = graph(
      [
        ['question', INPUT, { name: 'question' }],
        [
          'sdm',
          SMART_DECISION_MAKER_BLOCK_ID,
          { model: 'gpt-4o', credentials: { id: 'openai-key', provider: 'openai', type: 'api_key' } },
        ],
        ['calc', CALCULATOR, { operation: 'Multiply' }],
        ['answer', OUTPUT, { name: 'answer' }],
      ],
      [
        ['question', 'result', 'sdm', 'prompt'],
        ['sdm', 'tools_^_calculatorblock_~_a', 'calc', 'a'],
        ['sdm', 'tools_^_calculatorblock_~_b', 'calc', 'b'],
        ['calc', 'result', 'sdm', 'last_tool_output'],
        ['sdm', 'conversations', 'sdm', 'conversation_history'],
        ['sdm', 'finished', 'answer', 'value'],
      ],
    );
    graphs.add(g);
    const { executionId } = await engine.requestExecution({
      tenantId: TENANT,
      userId: USER,
      graphId: g.id,
      inputs: { question: 'What is 6 times 7?' },
      trigger: 'manual',
    });
    const view = await settled(executionId);

    expect(view.status).toBe('COMPLETED');
    expect(view.outputs).toEqual({ answer: ['The answer is 42.'] });
    const sdm = view.nodeExecutions.filter((n) => n.nodeId === 'sdm');
    // Turn 1 asked for the tool; turn 2 ran only once both the tool's result and the conversation had arrived.
    expect(sdm.map((n) => n.status)).toEqual(['COMPLETED', 'COMPLETED']);
    expect(view.nodeExecutions.filter((n) => n.nodeId === 'calc').map((n) => n.status)).toEqual(['COMPLETED']);
    const second = openAiRequests()[1].body as {
      messages: Array<{ role: string; content: unknown; tool_call_id?: string }>;
    };
    const toolMessage = second.messages.find((m) => m.role === 'tool');
    expect(toolMessage).toMatchObject({ content: '42' });
    expect(openAiRequests()).toHaveLength(2);
  });
});
