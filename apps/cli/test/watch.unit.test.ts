import { applyMessage, applySnapshot, frame, initialWatchState, plainRenderer } from '../src/watch';

const node = (position: number, nodeId: string, nodeExecId: string, status: string) => ({
  method: 'node_execution_event',
  position,
  data: { executionId: 'e1', nodeId, nodeExecId, status },
});
const exec = (position: number, status: string) => ({
  method: 'graph_execution_event',
  position,
  data: { executionId: 'e1', status },
});

describe('the watch state', () => {
  it('folds WebSocket messages into node states, ignoring replays and other executions', () => {
    const s = initialWatchState('e1', ['in', 'fill', 'out']);
    expect(applyMessage(s, exec(1, 'RUNNING'))).toBe(true);
    expect(applyMessage(s, node(2, 'in', 'in#1', 'RUNNING'))).toBe(true);
    expect(applyMessage(s, node(2, 'in', 'in#1', 'COMPLETED'))).toBe(false); // same position: already seen
    expect(
      applyMessage(s, {
        method: 'node_execution_event',
        position: 3,
        data: { executionId: 'other', nodeId: 'in', status: 'FAILED' },
      }),
    ).toBe(false);
    // A node event that names only its node execution still finds its node.
    expect(
      applyMessage(s, {
        method: 'node_execution_event',
        position: 4,
        data: { executionId: 'e1', nodeExecId: 'in#1', status: 'COMPLETED' },
      }),
    ).toBe(true);
    expect(applyMessage(s, { method: 'heartbeat', data: 'pong' })).toBe(false);
    expect(s.status).toBe('RUNNING');
    expect(s.nodes.get('in')).toEqual({ nodeId: 'in', status: 'COMPLETED', runs: 1 });
    expect(s.nodes.get('fill')?.status).toBe('INCOMPLETE');
  });

  it('counts the runs of a node that executes more than once', () => {
    const s = initialWatchState('e1', ['loop']);
    applyMessage(s, node(1, 'loop', 'loop#1', 'COMPLETED'));
    applyMessage(s, node(2, 'loop', 'loop#2', 'RUNNING'));
    expect(s.nodes.get('loop')).toEqual({ nodeId: 'loop', status: 'RUNNING', runs: 2 });
  });

  it('takes a REST snapshot and reports whether it changed anything', () => {
    const s = initialWatchState('e1', ['in', 'out']);
    const view = {
      id: 'e1',
      graphId: 'g',
      status: 'COMPLETED',
      nodeExecutions: [
        { id: 'in#1', nodeId: 'in', status: 'COMPLETED' },
        { id: 'out#1', nodeId: 'out', status: 'COMPLETED' },
      ],
    };
    expect(applySnapshot(s, view)).toBe(true);
    expect(applySnapshot(s, view)).toBe(false);
  });
});

describe('the displays', () => {
  it('draws a compact frame: a bar, then one line per node', () => {
    const s = initialWatchState('e1', ['in', 'fill', 'out']);
    applyMessage(s, exec(1, 'RUNNING'));
    applyMessage(s, node(2, 'in', 'in#1', 'COMPLETED'));
    applyMessage(s, node(3, 'fill', 'fill#1', 'RUNNING'));
    const lines = frame(s);
    expect(lines[0]).toMatch(/^execution e1 {2}RUNNING +\[#+-+\] 1\/3 nodes$/);
    expect(lines.slice(1)).toEqual(['  ✔ in    COMPLETED', '  ▶ fill  RUNNING', '  · out   INCOMPLETE']);
  });

  it('summarises big graphs instead of printing every node', () => {
    const s = initialWatchState(
      'e1',
      Array.from({ length: 30 }, (_, i) => `n${i}`),
    );
    applyMessage(s, node(1, 'n3', 'n3#1', 'RUNNING'));
    const lines = frame(s);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('  … 29 more: 29 incomplete, 1 running');
  });

  it('prints one plain line per change, nothing twice', () => {
    const out: string[] = [];
    const r = plainRenderer((t) => out.push(t));
    const s = initialWatchState('e1', ['in']);
    r.update(s);
    applyMessage(s, exec(1, 'RUNNING'));
    applyMessage(s, node(2, 'in', 'in#1', 'RUNNING'));
    r.update(s);
    r.update(s);
    applyMessage(s, node(3, 'in', 'in#1', 'COMPLETED'));
    applyMessage(s, exec(4, 'COMPLETED'));
    r.finish(s);
    expect(out.join('')).toBe(
      'execution e1 QUEUED\nnode in RUNNING\nexecution e1 RUNNING\nnode in COMPLETED\nexecution e1 COMPLETED\n',
    );
  });
});
