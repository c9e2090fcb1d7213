import { useEffect, useState, type FormEvent } from 'react';
import { api, describeError } from '../api/client';
import type { Execution } from '../api/types';
import { useToast } from '../components/Toasts';
import { formatValue } from '../lib/executionState';
import { storeApi, type LibraryAgent } from './api';

const DONE = new Set(['COMPLETED', 'FAILED', 'TERMINATED']);

/** The graph's input names (input blocks' `name`), for the preset form. */
async function inputNames(graphId: string): Promise<string[]> {
  const [graph, blocks] = await Promise.all([api.getGraph(graphId), api.blocks()]);
  const inputBlocks = new Set(blocks.items.filter((b) => b.kind === 'input').map((b) => b.id));
  const names = graph.nodes
    .filter((n) => inputBlocks.has(n.blockId) && typeof n.inputDefault.name === 'string' && n.inputDefault.name)
    .map((n) => String(n.inputDefault.name));
  return [...new Set(names)];
}

/** Parses a typed value as JSON when it is JSON (numbers, objects), else keeps the text. */
function parseValue(raw: string): unknown {
  const t = raw.trim();
  if (!t) return '';
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return raw;
  }
}

/** Presets (saved inputs) of one library agent: save one from the agent's inputs, list them, run or delete one. */
export function LibraryPresets({ agent, onChange }: { agent: LibraryAgent; onChange(a: LibraryAgent): void }) {
  const toast = useToast();
  const [names, setNames] = useState<string[] | null>(null);
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [run, setRun] = useState<{ presetId: string; execution: Execution | null } | null>(null);

  useEffect(() => {
    inputNames(agent.graphId).then(setNames, (err: unknown) => {
      setNames([]);
      setError(describeError(err));
    });
  }, [agent.graphId]);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) {
      setError('Give the preset a name');
      return;
    }
    setError(null);
    const inputs = Object.fromEntries((names ?? []).map((n) => [n, parseValue(values[n] ?? '')]));
    try {
      onChange(await storeApi.savePreset(agent.id, name.trim(), inputs));
      toast(`Saved preset "${name.trim()}"`, 'success');
      setName('');
      setValues({});
    } catch (err) {
      setError(describeError(err));
    }
  }

  async function remove(presetId: string) {
    try {
      onChange(await storeApi.deletePreset(agent.id, presetId));
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }

  async function runPreset(presetId: string) {
    setRun({ presetId, execution: null });
    try {
      const { executionId } = await storeApi.runLibraryAgent(agent.id, { presetId });
      // Bounded poll (the editor follows runs over the WebSocket; a short list row does not need to).
      for (let i = 0; i < 240; i++) {
        const ex = await api.getExecution(executionId);
        setRun({ presetId, execution: ex });
        if (DONE.has(ex.status)) return;
        await new Promise((r) => setTimeout(r, i < 20 ? 100 : 500));
      }
    } catch (err) {
      setRun(null);
      toast(`Run failed: ${describeError(err)}`, 'error');
    }
  }

  return (
    <section className="preset-panel" aria-label={`Presets of ${agent.listingName}`} data-testid="preset-panel">
      <h3>Presets</h3>
      {agent.presets.length === 0 && <p className="muted small">No presets yet.</p>}
      <ul className="preset-list">
        {agent.presets.map((p) => (
          <li key={p.id} data-testid={`preset-${p.id}`} data-preset-name={p.name}>
            <strong>{p.name}</strong>{' '}
            <code className="muted small">{JSON.stringify(p.inputs)}</code>{' '}
            <button type="button" className="primary" onClick={() => void runPreset(p.id)} data-testid="preset-run">
              Run
            </button>{' '}
            <button type="button" className="ghost" onClick={() => void remove(p.id)} data-testid="preset-delete" aria-label={`Delete preset ${p.name}`}>
              Delete
            </button>
            {run?.presetId === p.id && (
              <div className="preset-run" aria-live="polite">
                <span className={`status-pill status-pill-${run.execution?.status ?? 'QUEUED'}`} data-testid="preset-run-status">
                  {run.execution?.status ?? 'QUEUED'}
                </span>
                <ul>
                  {Object.entries(run.execution?.outputs ?? {}).flatMap(([out, vals]) =>
                    (vals ?? []).map((v, i) => (
                      <li key={`${out}-${i}`} data-testid={`preset-output-${out}`}>
                        <strong>{out}:</strong> {formatValue(v)}
                      </li>
                    )),
                  )}
                </ul>
              </div>
            )}
          </li>
        ))}
      </ul>
      <form className="run-form" onSubmit={(e) => void save(e)} aria-label="New preset">
        <label className="field">
          Preset name
          <input value={name} onChange={(e) => setName(e.target.value)} data-testid="preset-name" />
        </label>
        {names === null && <p className="muted small">Loading the agent’s inputs…</p>}
        {names?.map((n) => (
          <label className="field" key={n}>
            {n}
            <input
              value={values[n] ?? ''}
              onChange={(e) => setValues((v) => ({ ...v, [n]: e.target.value }))}
              data-testid={`preset-input-${n}`}
            />
          </label>
        ))}
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" data-testid="preset-save">
          Save preset
        </button>
      </form>
    </section>
  );
}
