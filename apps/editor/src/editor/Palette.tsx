import { memo, useMemo, useState } from 'react';
import type { BlockCatalog } from '../lib/blockModel';

export const BLOCK_MIME = 'application/x-agentry-block';

interface Props {
  catalog: BlockCatalog;
  /** Keyboard/click alternative to dragging: adds the block at the centre of the view. */
  onAdd(blockId: string): void;
}

export const Palette = memo(function Palette({ catalog, onAdd }: Props) {
  const [query, setQuery] = useState('');
  const [category, setCategory] = useState<string | null>(null);
  const blocks = useMemo(() => catalog.search(query, category), [catalog, query, category]);

  return (
    <aside className="palette" aria-label="Block palette" data-testid="palette">
      <h2 className="panel-title">Blocks</h2>
      <input
        type="search"
        placeholder="Search blocks"
        aria-label="Search blocks"
        data-testid="palette-search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <div className="categories" role="group" aria-label="Block categories">
        <button
          type="button"
          aria-pressed={category === null}
          onClick={() => setCategory(null)}
          data-testid="palette-category-all"
        >
          All
        </button>
        {catalog.categories.map((c) => (
          <button
            key={c}
            type="button"
            aria-pressed={category === c}
            onClick={() => setCategory(category === c ? null : c)}
            data-testid={`palette-category-${c}`}
          >
            {c}
          </button>
        ))}
      </div>
      <ul className="palette-list">
        {blocks.map((b) => (
          <li key={b.id}>
            <button
              type="button"
              className={`palette-item kind-${b.kind}`}
              draggable
              data-testid={`palette-${b.name}`}
              data-block-id={b.id}
              title={b.description}
              onDragStart={(e) => {
                e.dataTransfer.setData(BLOCK_MIME, b.id);
                e.dataTransfer.setData('text/plain', b.id);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onClick={() => onAdd(b.id)}
            >
              <span className="palette-name">{b.name}</span>
              <span className="palette-desc">{b.description}</span>
            </button>
          </li>
        ))}
        {!blocks.length && <li className="muted">No blocks match.</li>}
      </ul>
    </aside>
  );
});
