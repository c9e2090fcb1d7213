/** The same workloads expressed for each platform: Agentry graphs, Node-RED flows, n8n workflows. */
import { randomUUID } from 'node:crypto';

export const BLOCK = {
  passThrough: '1ff065e9-88e8-4358-9d82-8dc91f622ba9', // StoreValueBlock: input -> output
  stepThrough: 'f66a3543-28d3-4ab5-8945-9b336371e2ce', // StepThroughItemsBlock: one item per element
};

export const FANOUT_ITEMS = 10_000;
/** Nodes and links of the graph the editor scenario opens (issue #7: 1,000 nodes and 1,500 links). */
export const EDITOR_NODES = 1000;
export const EDITOR_LINKS = 1500;

/** Where node `i` of a chain is drawn: rows of 40, 220 px apart, rows 160 px apart (both platforms' editors). */
export const chainPosition = (i: number) => ({ x: (i % 40) * 220, y: Math.floor(i / 40) * 160 });

/** `n` pass-through nodes in a line; the first one gets its value from inputDefault. */
export function agentryChain(n: number, name = `bench chain ${n}`) {
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `n${i}`,
    blockId: BLOCK.passThrough,
    inputDefault: i === 0 ? { input: 'x' } : {},
    metadata: { position: chainPosition(i) },
  }));
  const links = nodes
    .slice(1)
    .map((node, i) => ({
      sourceId: `n${i}`,
      sourceName: 'output',
      sinkId: node.id,
      sinkName: 'input',
      isStatic: false,
    }));
  return { name, description: 'benchmark workload', nodes, links };
}

/**
 * The editor scenario's links between `n` nodes: the chain `n<i> -> n<i+1>`, then skips `n<i> -> n<i+2>` from the
 * start until there are `total` links (both platforms' editors draw the same edges).
 */
export function editorLinks(n = EDITOR_NODES, total = EDITOR_LINKS): Array<[number, number]> {
  const links: Array<[number, number]> = [];
  for (let i = 0; i + 1 < n; i++) links.push([i, i + 1]);
  for (let i = 0; links.length < total && i + 2 < n; i++) links.push([i, i + 2]);
  return links;
}

/** The graph the editor scenario opens: `n` pass-through nodes laid out like a chain, joined by `editorLinks`. */
export function agentryEditorGraph(n = EDITOR_NODES, name = `bench editor ${n}`) {
  const graph = agentryChain(n, name);
  graph.links = editorLinks(n).map(([from, to]) => ({
    sourceId: `n${from}`,
    sourceName: 'output',
    sinkId: `n${to}`,
    sinkName: 'input',
    isStatic: false,
  }));
  return graph;
}

/** One node emitting `items` items, each processed by a branch of three pass-through nodes. */
export function agentryFanOut(items = FANOUT_ITEMS) {
  return {
    name: `bench fan-out ${items}`,
    description: 'benchmark workload',
    nodes: [
      {
        id: 'items',
        blockId: BLOCK.stepThrough,
        inputDefault: { items: Array.from({ length: items }, (_, i) => i) },
        metadata: { position: { x: 0, y: 0 } },
      },
      ...[1, 2, 3].map((k) => ({
        id: `b${k}`,
        blockId: BLOCK.passThrough,
        inputDefault: {},
        metadata: { position: { x: 250 * k, y: 0 } },
      })),
    ],
    links: [
      { sourceId: 'items', sourceName: 'item', sinkId: 'b1', sinkName: 'input', isStatic: false },
      { sourceId: 'b1', sourceName: 'output', sinkId: 'b2', sinkName: 'input', isStatic: false },
      { sourceId: 'b2', sourceName: 'output', sinkId: 'b3', sinkName: 'input', isStatic: false },
    ],
  };
}

// ---------------------------------------------------------------- Node-RED

const TAB = 'benchtab';

/** http in (POST /<path>) -> n change nodes (msg.payload passed through) -> http response. */
export function nodeRedChain(path: string, n: number): any[] {
  const ids = Array.from({ length: n }, (_, i) => `${path}-c${i}`);
  return [
    { id: `${path}-in`, type: 'http in', z: TAB, url: `/${path}`, method: 'post', upload: false, wires: [[ids[0]]] },
    ...ids.map((id, i) => ({
      id,
      type: 'change',
      z: TAB,
      rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'payload', tot: 'msg' }],
      wires: [[i + 1 < n ? ids[i + 1] : `${path}-out`]],
    })),
    { id: `${path}-out`, type: 'http response', z: TAB, statusCode: '', headers: {}, wires: [] },
  ];
}

/** http in -> function emitting N messages -> 3 change nodes -> a counter that answers once all N arrived. */
export function nodeRedFanOut(path: string, items = FANOUT_ITEMS): any[] {
  const emit = `for (let i = 0; i < ${items}; i++) node.send({ payload: i, req: msg.req, res: msg.res, _fan: msg._msgid }); return null;`;
  const count = `const c = (context.get(msg._fan) || 0) + 1; if (c === ${items}) { context.set(msg._fan, undefined); msg.payload = { items: c }; return msg; } context.set(msg._fan, c); return null;`;
  return [
    {
      id: `${path}-in`,
      type: 'http in',
      z: TAB,
      url: `/${path}`,
      method: 'post',
      upload: false,
      wires: [[`${path}-emit`]],
    },
    { id: `${path}-emit`, type: 'function', z: TAB, func: emit, outputs: 1, wires: [[`${path}-b1`]] },
    ...[1, 2, 3].map((k) => ({
      id: `${path}-b${k}`,
      type: 'change',
      z: TAB,
      rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'payload', tot: 'msg' }],
      wires: [[k < 3 ? `${path}-b${k + 1}` : `${path}-count`]],
    })),
    { id: `${path}-count`, type: 'function', z: TAB, func: count, outputs: 1, wires: [[`${path}-out`]] },
    { id: `${path}-out`, type: 'http response', z: TAB, statusCode: '', headers: {}, wires: [] },
  ];
}

export function nodeRedFlows(): any[] {
  return [
    { id: TAB, type: 'tab', label: 'bench' },
    ...nodeRedChain('chain1', 1),
    ...nodeRedChain('chain50', 50),
    ...nodeRedChain('chain10', 10),
    ...nodeRedFanOut('fanout'),
  ];
}

// ---------------------------------------------------------------- n8n

function n8nWorkflow(name: string, path: string, steps: any[]) {
  const webhook = {
    parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
    id: randomUUID(),
    name: 'Webhook',
    type: 'n8n-nodes-base.webhook',
    typeVersion: 2,
    position: [0, 0],
    webhookId: randomUUID(),
  };
  const nodes = [webhook, ...steps.map((s, i) => ({ ...s, id: randomUUID(), position: [220 * (i + 1), 0] }))];
  const connections: Record<string, any> = {};
  for (let i = 0; i + 1 < nodes.length; i++)
    connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
  return {
    id: randomUUID().replace(/-/g, '').slice(0, 16),
    name,
    nodes,
    connections,
    active: true,
    settings: { executionOrder: 'v1' },
    pinData: {},
  };
}

const n8nSet = (i: number) => ({
  name: `Set ${i}`,
  type: 'n8n-nodes-base.set',
  typeVersion: 3.4,
  parameters: {
    assignments: { assignments: [{ id: randomUUID(), name: 'step', value: String(i), type: 'string' }] },
    includeOtherFields: true,
    options: {},
  },
});

/** webhook (answers with the last node's first item) -> n Set nodes. `n` counts the Set nodes. */
export function n8nChain(path: string, n: number) {
  return n8nWorkflow(
    `bench ${path}`,
    path,
    Array.from({ length: n }, (_, i) => n8nSet(i + 1)),
  );
}

export function n8nFanOut(path: string, items = FANOUT_ITEMS) {
  const code = {
    name: 'Items',
    type: 'n8n-nodes-base.code',
    typeVersion: 2,
    parameters: { jsCode: `return Array.from({ length: ${items} }, (_, i) => ({ json: { i } }));` },
  };
  return n8nWorkflow(`bench ${path}`, path, [code, n8nSet(1), n8nSet(2), n8nSet(3)]);
}

/** The four n8n workflows; the 10-node one is webhook + 9 Set nodes (the webhook is a node in n8n). */
export function n8nWorkflows() {
  return [n8nChain('chain1', 1), n8nChain('chain50', 50), n8nChain('chain10', 9), n8nFanOut('fanout')];
}

/**
 * The editor scenario's graph for n8n: the same nodes and links as `agentryEditorGraph(n)` (node `n<i>` at the same
 * position, the links of `editorLinks`), of No Operation nodes (n8n's pass-through). Not activated: it is only opened.
 */
export function n8nEditorWorkflow(n = EDITOR_NODES, name = `bench editor ${n}`) {
  const nodes = Array.from({ length: n }, (_, i) => {
    const { x, y } = chainPosition(i);
    return {
      parameters: {},
      id: randomUUID(),
      name: `n${i}`,
      type: 'n8n-nodes-base.noOp',
      typeVersion: 1,
      position: [x, y] as [number, number],
    };
  });
  const connections: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }> = {};
  for (const [from, to] of editorLinks(n))
    (connections[`n${from}`] ??= { main: [[]] }).main[0].push({ node: `n${to}`, type: 'main', index: 0 });
  return { name, nodes, connections, active: false, settings: { executionOrder: 'v1' }, pinData: {} };
}
