import { useEffect, useState } from 'react';
import { api, describeError } from '../api/client';
import type { GraphVersionSummary } from '../api/types';

interface Props {
  graphId: string;
  currentVersion: number | null;
  refreshKey: number;
  onRestore(version: number): void;
  onClose(): void;
}

export function VersionsPanel({ graphId, currentVersion, refreshKey, onRestore, onClose }: Props) {
  const [items, setItems] = useState<GraphVersionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api
      .graphVersions(graphId)
      .then((r) => live && setItems([...r.items].sort((a, b) => b.version - a.version)))
      .catch((e) => live && setError(describeError(e)));
    return () => {
      live = false;
    };
  }, [graphId, refreshKey]);

  return (
    <section className="versions-panel card" aria-labelledby="versions-title" data-testid="versions-panel">
      <div className="panel-head">
        <h2 id="versions-title" className="panel-title">
          Version history
        </h2>
        <button type="button" className="icon-button" aria-label="Close version history" onClick={onClose}>
          ×
        </button>
      </div>
      {error && <p className="field-error">{error}</p>}
      {!items && !error && <p role="status">Loading…</p>}
      <ul className="versions-list">
        {items?.map((v) => (
          <li key={v.version} data-testid={`version-${v.version}`}>
            <span>
              <strong>v{v.version}</strong> {v.isActive && <span className="tag">active</span>}
              {v.version === currentVersion && <span className="tag">editing</span>}
              <br />
              <span className="muted small">{new Date(v.createdAt).toLocaleString()}</span>
            </span>
            {v.version !== currentVersion && (
              <button
                type="button"
                onClick={() => onRestore(v.version)}
                aria-label={`Restore version ${v.version}`}
                data-testid={`restore-${v.version}`}
              >
                Restore
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
