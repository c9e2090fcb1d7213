import { memo, useCallback, useEffect, useState, useSyncExternalStore, type FormEvent } from 'react';
import type { ExecutionStatus, NodeExecution } from '../api/types';
import { formatValue, outputLines, type NodeRunState } from '../lib/executionState';
import type { KeyedStore } from '../lib/keyedStore';
import type { ExecutionView } from './useExecution';

interface GraphInput {
  nodeId: string;
  name: string;
  value: unknown;
}

interface Props {
  inputs: GraphInput[];
  view: ExecutionView;
  canRun: boolean;
  running: boolean;
  selectedNode: { id: string; label: string } | null;
  runStates: KeyedStore<NodeRunState>;
  onRun(values: Record<string, unknown>): void;
  onCancel(): void;
  onSelectExecution(id: string, status: ExecutionStatus): void;
  onReview(nodeExecId: string, decision: 'approve' | 'reject', editedData?: unknown): Promise<void>;
}

const LIVE: ReadonlySet<string> = new Set(['QUEUED', 'RUNNING', 'REVIEW']);

function RunInputs({ inputs, canRun, running, onRun }: Pick<Props, 'inputs' | 'canRun' | 'running' | 'onRun'>) {
  const [values, setValues] = useState<Record<string, string>>({});
  useEffect(() => {
    setValues((prev) => {
      const next: Record<string, string> = {};
      for (const i of inputs)
        next[i.name] = prev[i.name] ?? (i.value === undefined || i.value === null ? '' : formatValue(i.value));
      return next;
    });
  }, [inputs]);

  function submit(e: FormEvent) {
    e.preventDefault();
    onRun(values);
  }

  return (
    <form onSubmit={submit} className="run-form" aria-label="Run inputs">
      {inputs.map((i) => (
        <div className="field" key={i.nodeId}>
          <label htmlFor={`run-input-${i.nodeId}`}>{i.name}</label>
          <input
            id={`run-input-${i.nodeId}`}
            data-testid={`run-input-${i.name}`}
            value={values[i.name] ?? ''}
            onChange={(e) => setValues((v) => ({ ...v, [i.name]: e.target.value }))}
          />
        </div>
      ))}
      {!inputs.length && <p className="muted small">This agent has no input blocks.</p>}
      <button type="submit" className="primary" data-testid="run-button" disabled={!canRun || running}>
        {running ? 'Running…' : 'Run'}
      </button>
    </form>
  );
}

function ReviewCard({ ne, onReview }: { ne: NodeExecution; onReview: Props['onReview'] }) {
  const payload = (ne.input?.data ?? ne.input) as unknown;
  const message = typeof ne.input?.message === 'string' ? ne.input.message : 'Review required';
  const original = JSON.stringify(payload, null, 2) ?? '';
  const [text, setText] = useState(original);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function decide(decision: 'approve' | 'reject') {
    let edited: unknown;
    if (decision === 'approve' && text !== original) {
      try {
        edited = JSON.parse(text);
      } catch {
        setError('Edited data is not valid JSON');
        return;
      }
    }
    setBusy(true);
    try {
      await onReview(ne.id, decision, edited);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="review-card" data-testid={`review-${ne.id}`}>
      <p>
        <strong>{message}</strong>
      </p>
      <label htmlFor={`review-data-${ne.id}`}>Data (edit before approving)</label>
      <textarea
        id={`review-data-${ne.id}`}
        rows={5}
        value={text}
        onChange={(e) => setText(e.target.value)}
        data-testid="review-data"
      />
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => void decide('approve')}
          data-testid="review-approve"
        >
          Approve
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() => void decide('reject')}
          data-testid="review-reject"
        >
          Reject
        </button>
      </div>
    </div>
  );
}

function NodeInspector({
  node,
  runStates,
  detail,
}: {
  node: { id: string; label: string };
  runStates: KeyedStore<NodeRunState>;
  detail: ExecutionView['detail'];
}) {
  const subscribe = useCallback((cb: () => void) => runStates.subscribe(node.id, cb), [runStates, node.id]);
  const run = useSyncExternalStore(subscribe, () => runStates.get(node.id));
  const execs = detail?.nodeExecutions.filter((n) => n.nodeId === node.id) ?? [];
  return (
    <section className="panel-section" aria-labelledby="inspector-title" data-testid="node-inspector">
      <h3 id="inspector-title">Node: {node.label}</h3>
      {!run && !execs.length && <p className="muted small">No executions of this node in the selected run.</p>}
      {run && (
        <p className="small">
          Status <span className={`status-pill status-pill-${run.status}`}>{run.status.toLowerCase()}</span> ·{' '}
          {run.count} execution
          {run.count === 1 ? '' : 's'}
        </p>
      )}
      {execs.length > 0
        ? execs.map((ne) => (
            <details key={ne.id} open={execs.length === 1} className="node-exec">
              <summary>
                #{ne.attempt ?? 1} {ne.status.toLowerCase()} <code className="muted">{ne.id.slice(0, 8)}</code>
              </summary>
              <div className="kv">
                <span>Input</span>
                <pre>{JSON.stringify(ne.input, null, 2)}</pre>
                <span>Outputs</span>
                <pre data-testid="inspector-outputs">{JSON.stringify(ne.outputs, null, 2)}</pre>
                {ne.error && (
                  <>
                    <span>Error</span>
                    <pre className="field-error">{ne.error}</pre>
                  </>
                )}
              </div>
            </details>
          ))
        : run && <pre data-testid="inspector-outputs">{JSON.stringify(run.outputs, null, 2)}</pre>}
    </section>
  );
}

export const RunPanel = memo(function RunPanel(props: Props) {
  const { view } = props;
  const lines = outputLines(view.detail?.outputs);
  const reviews = view.detail?.nodeExecutions.filter((n) => n.status === 'REVIEW') ?? [];
  const live = view.status ? LIVE.has(view.status) : false;
  return (
    <aside className="run-panel" aria-label="Run panel" data-testid="run-panel">
      <section className="panel-section" aria-labelledby="run-title">
        <h2 id="run-title" className="panel-title">
          Run
        </h2>
        <RunInputs inputs={props.inputs} canRun={props.canRun} running={props.running} onRun={props.onRun} />
      </section>

      {view.executionId && (
        <section className="panel-section" aria-labelledby="exec-title">
          <h3 id="exec-title">
            Execution <code>{view.executionId.slice(0, 8)}</code>
          </h3>
          <p className="small">
            Status{' '}
            <span className={`status-pill status-pill-${view.status ?? 'QUEUED'}`} data-testid="execution-status">
              {view.status ?? '…'}
            </span>{' '}
            <span className={`socket socket-${view.socketStatus}`} title={`Live updates: ${view.socketStatus}`}>
              ● live {view.socketStatus}
            </span>
          </p>
          {live && (
            <button type="button" className="danger" onClick={props.onCancel} data-testid="cancel-button">
              Cancel run
            </button>
          )}
          {view.detail?.error && (
            <p className="field-error" role="alert">
              {view.detail.error}
            </p>
          )}
        </section>
      )}

      {reviews.length > 0 && (
        <section className="panel-section" aria-labelledby="review-title" data-testid="review-panel">
          <h3 id="review-title">Pending reviews</h3>
          {reviews.map((ne) => (
            <ReviewCard key={ne.id} ne={ne} onReview={props.onReview} />
          ))}
        </section>
      )}

      <section className="panel-section" aria-labelledby="outputs-title" data-testid="output-panel" aria-live="polite">
        <h3 id="outputs-title">Outputs</h3>
        {lines.length ? (
          <ul className="output-list">
            {Object.entries(view.detail?.outputs ?? {}).flatMap(([name, values]) =>
              (values ?? []).map((v, i) => (
                <li key={`${name}-${i}`} data-testid={`output-${name}`}>
                  <strong>{name}:</strong> <span className="output-value">{formatValue(v)}</span>
                </li>
              )),
            )}
          </ul>
        ) : (
          <p className="muted small">
            {view.executionId ? (live ? 'Waiting for outputs…' : 'No outputs.') : 'Run the agent to see its outputs.'}
          </p>
        )}
      </section>

      {props.selectedNode && (
        <NodeInspector node={props.selectedNode} runStates={props.runStates} detail={view.detail} />
      )}

      <section className="panel-section" aria-labelledby="history-title">
        <h3 id="history-title">History</h3>
        <ul className="history-list" data-testid="execution-history">
          {view.history.map((e) => (
            <li key={e.id}>
              <button
                type="button"
                className={`history-item${e.id === view.executionId ? ' current' : ''}`}
                onClick={() => props.onSelectExecution(e.id, e.status)}
                title={`Show execution ${e.id.slice(0, 8)}`}
                data-testid={`execution-${e.id}`}
              >
                <span className="sr-only">Execution {e.id.slice(0, 8)}</span>
                <span className={`status-pill status-pill-${e.status}`}>{e.status.toLowerCase()}</span>
                <span>v{e.graphVersion}</span>
                <span className="muted small">{e.startedAt ? new Date(e.startedAt).toLocaleTimeString() : ''}</span>
              </button>
            </li>
          ))}
          {!view.history.length && <li className="muted small">No runs yet.</li>}
        </ul>
      </section>
    </aside>
  );
});
