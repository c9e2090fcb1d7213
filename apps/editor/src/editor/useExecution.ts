import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, describeError } from '../api/client';
import { ExecutionSocket, type SocketStatus } from '../api/socket';
import type {
  Execution,
  ExecutionStatus,
  ExecutionSummary,
  NodeExecutionEventData,
  NodeExecutionStatus,
  ServerMessage,
} from '../api/types';
import { applyNodeEvent, type NodeRunState } from '../lib/executionState';
import { createFrameBatcher } from '../lib/frameBatcher';
import type { KeyedStore } from '../lib/keyedStore';
import { auth } from '../api/client';

const TERMINAL: ReadonlySet<ExecutionStatus> = new Set(['COMPLETED', 'FAILED', 'TERMINATED']);

export interface ExecutionView {
  executionId: string | null;
  status: ExecutionStatus | null;
  detail: Execution | null;
  socketStatus: SocketStatus;
  history: ExecutionSummary[];
}

export function useExecution(
  graphId: string | null,
  runStates: KeyedStore<NodeRunState>,
  onError: (msg: string) => void,
) {
  const socket = useMemo(() => new ExecutionSocket(() => auth.token), []);
  const [executionId, setExecutionId] = useState<string | null>(null);
  const [status, setStatus] = useState<ExecutionStatus | null>(null);
  const [detail, setDetail] = useState<Execution | null>(null);
  const [socketStatus, setSocketStatus] = useState<SocketStatus>('closed');
  const [history, setHistory] = useState<ExecutionSummary[]>([]);
  const current = useRef<string | null>(null);
  const fold = useRef({ state: new Map<string, NodeRunState>(), perExec: new Map<string, NodeExecutionStatus>() });
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;

  const batcher = useMemo(
    () =>
      createFrameBatcher<NodeExecutionEventData>((events) => {
        const changed = new Set<string>();
        for (const ev of events) {
          applyNodeEvent(fold.current.state, fold.current.perExec, ev);
          changed.add(ev.nodeId);
        }
        runStates.setMany([...changed].map((id) => [id, fold.current.state.get(id)!]));
      }),
    [runStates],
  );

  const refreshHistory = useCallback(async () => {
    if (!graphId) return;
    try {
      const page = await api.listExecutions({ graphId, limit: 20 });
      setHistory(page.items);
    } catch (err) {
      onErrorRef.current(describeError(err));
    }
  }, [graphId]);

  const refreshDetail = useCallback(
    async (id: string) => {
      try {
        const exec = await api.getExecution(id);
        if (current.current !== id) return;
        setDetail(exec);
        setStatus(exec.status);
        // Fold the fetched record into what the socket delivered; per node execution, status only moves forward.
        const changed = new Set<string>();
        for (const ne of exec.nodeExecutions ?? []) {
          applyNodeEvent(fold.current.state, fold.current.perExec, {
            nodeId: ne.nodeId,
            nodeExecId: ne.id,
            status: ne.status,
            outputs: ne.outputs,
            error: ne.error,
          });
          changed.add(ne.nodeId);
        }
        runStates.setMany([...changed].map((n) => [n, fold.current.state.get(n)!]));
        if (TERMINAL.has(exec.status)) void refreshHistory();
      } catch (err) {
        onErrorRef.current(describeError(err));
      }
    },
    [runStates, refreshHistory],
  );

  useEffect(() => {
    const offStatus = socket.onStatus(setSocketStatus);
    const offMsg = socket.onMessage((msg: ServerMessage) => {
      const id = current.current;
      if (msg.method === 'graph_execution_event' && !id) {
        // Runs started elsewhere (schedule, webhook, another tab) show up in the history.
        void refreshHistory();
        return;
      }
      if (!id) return;
      if (msg.method === 'node_execution_event') {
        if (msg.data.executionId && msg.data.executionId !== id) return;
        batcher.push(msg.data);
        if (msg.data.status === 'REVIEW') void refreshDetail(id);
      } else if (msg.method === 'graph_execution_event') {
        const evId = msg.data.executionId ?? msg.data.id;
        if (evId && evId !== id) {
          void refreshHistory();
          return;
        }
        setStatus(msg.data.status);
        if (msg.data.outputs) setDetail((d) => (d ? { ...d, status: msg.data.status, outputs: msg.data.outputs! } : d));
        if (TERMINAL.has(msg.data.status) || msg.data.status === 'REVIEW') {
          batcher.flushNow();
          void refreshDetail(id);
        }
      }
    });
    return () => {
      offStatus();
      offMsg();
      // The batcher is not disposed: StrictMode re-runs this effect with the same memoised instance.
      batcher.flushNow();
      socket.close();
    };
  }, [socket, batcher, refreshDetail, refreshHistory]);

  // Keep the history list's status of the followed run in step with the live one.
  useEffect(() => {
    void refreshHistory();
  }, [refreshHistory, status]);

  useEffect(() => {
    if (!graphId) return;
    socket.subscribeGraph(graphId);
    return () => socket.unsubscribeGraph(graphId);
  }, [socket, graphId]);

  // Safety net: poll while a run is live (fast when the socket is down, slow otherwise).
  useEffect(() => {
    if (!executionId || !status || TERMINAL.has(status)) return;
    const t = setInterval(() => void refreshDetail(executionId), socketStatus === 'open' ? 3000 : 1000);
    return () => clearInterval(t);
  }, [executionId, status, socketStatus, refreshDetail]);

  const follow = useCallback(
    (id: string, initialStatus: ExecutionStatus | null) => {
      if (current.current && current.current !== id) socket.unsubscribeExecution(current.current);
      current.current = id;
      fold.current = { state: new Map(), perExec: new Map() };
      runStates.clear();
      setExecutionId(id);
      setStatus(initialStatus);
      setDetail(null);
      if (!initialStatus || !TERMINAL.has(initialStatus)) socket.subscribeExecution(id);
      void refreshDetail(id);
    },
    [socket, runStates, refreshDetail],
  );

  const start = useCallback(
    async (gid: string, inputs: Record<string, unknown>, version?: number) => {
      const { executionId: id } = await api.execute(gid, inputs, version);
      follow(id, 'QUEUED');
      void refreshHistory();
      return id;
    },
    [follow, refreshHistory],
  );

  const cancel = useCallback(async () => {
    if (!current.current) return;
    await api.cancelExecution(current.current);
    void refreshDetail(current.current);
  }, [refreshDetail]);

  const review = useCallback(
    async (nodeExecId: string, decision: 'approve' | 'reject', editedData?: unknown) => {
      if (!current.current) return;
      await api.review(current.current, nodeExecId, decision, editedData);
      void refreshDetail(current.current);
    },
    [refreshDetail],
  );

  const clear = useCallback(() => {
    if (current.current) socket.unsubscribeExecution(current.current);
    current.current = null;
    runStates.clear();
    setExecutionId(null);
    setStatus(null);
    setDetail(null);
  }, [socket, runStates]);

  const view: ExecutionView = useMemo(
    () => ({ executionId, status, detail, socketStatus, history }),
    [executionId, status, detail, socketStatus, history],
  );
  return useMemo(
    () => ({ view, start, cancel, review, follow, clear, refreshHistory }),
    [view, start, cancel, review, follow, clear, refreshHistory],
  );
}
