import { Handle, Position, useNodeConnections, useStore, type NodeProps, type ReactFlowState } from '@xyflow/react';
import {
  memo,
  startTransition,
  useCallback,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
  type FormEvent,
} from 'react';
import type { BlockModel, PinDescriptor } from '../lib/blockModel';
import { pinDescriptor } from '../lib/blockModel';
import type { BlockFlowNode } from '../lib/graphDoc';
import { dictPinName, inputPinSchema, validateDictKey } from '../lib/pins';
import { useEditorApi } from './context';
import { CredentialsPicker } from './CredentialsPicker';
import { FieldControl } from './FieldControl';

function useKeyed<T>(
  store: { subscribe(k: string, cb: () => void): () => void; get(k: string): T | undefined },
  key: string,
) {
  const subscribe = useCallback((cb: () => void) => store.subscribe(key, cb), [store, key]);
  return useSyncExternalStore(subscribe, () => store.get(key));
}

const EMPTY: readonly string[] = [];

/** Below this zoom, cards drop their forms: unreadable anyway, and far cheaper to lay out and paint. */
const COMPACT_ZOOM = 0.5;
const compactSelector = (s: ReactFlowState) => s.transform[2] < COMPACT_ZOOM;

function PinHandle({ pin, type }: { pin: PinDescriptor; type: 'source' | 'target' }) {
  return (
    <Handle
      type={type}
      id={pin.name}
      position={type === 'target' ? Position.Left : Position.Right}
      className={`pin-handle pin-${pin.type}`}
      style={{ background: pin.color }}
      data-pin={pin.name}
      data-pin-type={pin.type}
      data-testid={`handle-${type === 'target' ? 'in' : 'out'}-${pin.name}`}
      role="img"
      aria-label={`${type === 'target' ? 'Input' : 'Output'} ${pin.label} (${pin.type})`}
      title={`${pin.label}: ${pin.type}`}
    />
  );
}

function AddKeyForm({ nodeId, base, existing }: { nodeId: string; base: string; existing: readonly string[] }) {
  const { addDictKey } = useEditorApi();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  function submit(e: FormEvent) {
    e.preventDefault();
    const err = validateDictKey(key, existing);
    setError(err);
    if (err) return;
    addDictKey(nodeId, base, key.trim());
    setKey('');
  }
  return (
    <form className="add-key nodrag" onSubmit={submit}>
      <input
        aria-label={`New key for ${base}`}
        placeholder="key"
        value={key}
        onChange={(e) => setKey(e.target.value)}
        data-testid={`add-key-input-${base}`}
      />
      <button type="submit" aria-label={`Add key to ${base}`} data-testid={`add-key-${base}`}>
        + key
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

function BlockNodeView({ id, data, selected }: NodeProps<BlockFlowNode>) {
  const api = useEditorApi();
  const model: BlockModel | undefined = api.catalog.model(data.blockId);
  const run = useKeyed(api.runStates, id);
  const serverErrors = useKeyed(api.serverErrors, id);
  const [showAdvanced, setShowAdvanced] = useState(false);
  const connections = useNodeConnections({ handleType: 'target' });
  const linked = useMemo(() => new Set(connections.map((c) => c.targetHandle ?? '')), [connections]);
  const zoomedOut = useStore(compactSelector);
  // First render is the light card: React Flow mounts every node once to measure it (even with
  // onlyRenderVisibleElements), and most of a large graph is culled right after. Forms arrive a frame later.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => {
    // Zoomed out, the card stays compact anyway: hydrating would only re-render every card of a "fit all" for nothing.
    if (hydrated || zoomedOut) return;
    const raf = requestAnimationFrame(() => startTransition(() => setHydrated(true)));
    return () => cancelAnimationFrame(raf);
  }, [hydrated, zoomedOut]);
  const compact = zoomedOut || !hydrated;

  if (!model) {
    return (
      <div className="block-node unknown-block" data-testid={`node-${id}`} data-block="unknown">
        <div className="node-header">
          <strong>Unknown block</strong>
        </div>
        <p className="field-error">Block {data.blockId} is not available on this server.</p>
      </div>
    );
  }

  const { block } = model;
  const status = run?.status;
  const className = `block-node kind-${block.kind}${status ? ` status-${status}` : ''}${selected ? ' selected' : ''}${compact ? ' compact' : ''}`;

  if (block.kind === 'note') {
    const field = model.fields[0];
    return (
      <div className={className} data-testid={`node-${id}`} data-block={block.name}>
        {field && (
          <FieldControl
            nodeId={id}
            field={field}
            value={data.inputs[field.name]}
            linked={false}
            onChange={api.setInput}
          />
        )}
      </div>
    );
  }

  const dynamicKeys = data.dynamicKeys ?? {};
  return (
    <div
      className={className}
      data-testid={`node-${id}`}
      data-node-id={id}
      data-block={block.name}
      data-status={status ?? 'IDLE'}
    >
      <div className="node-header">
        <strong title={block.description}>{block.name}</strong>
        {run && (
          <span className={`status-pill status-pill-${run.status}`} data-testid="node-status">
            {run.status.toLowerCase()}
          </span>
        )}
        {run && run.count > 0 && (
          <span
            className="count-badge"
            data-testid="node-count"
            aria-label={`${run.count} executions`}
            title={`${run.count} executions`}
          >
            {run.count}
          </span>
        )}
      </div>
      <div className="node-body">
        <div className="node-inputs">
          {model.inputPins.map((pin) => {
            const field = model.fieldByName.get(pin.name);
            const isLinked = linked.has(pin.name);
            if (field?.advanced && !showAdvanced && !isLinked) return null;
            const keys = model.dictInputs.has(pin.name) ? (dynamicKeys[pin.name] ?? EMPTY) : null;
            return (
              <div key={pin.name} className="pin-group">
                <div className="pin-row pin-row-in">
                  <PinHandle pin={pin} type="target" />
                  {field && !compact ? (
                    <FieldControl
                      nodeId={id}
                      field={field}
                      value={data.inputs[pin.name]}
                      linked={isLinked}
                      suppliedByPins={keys?.some((k) => linked.has(dictPinName(pin.name, k)))}
                      serverError={serverErrors?.[pin.name]}
                      onChange={api.setInput}
                    />
                  ) : (
                    <span className="pin-label">{pin.label}</span>
                  )}
                </div>
                {keys?.map((k) => {
                  const name = dictPinName(pin.name, k);
                  const dyn = pinDescriptor(name, inputPinSchema(block.inputSchema, name), `${pin.label} › ${k}`);
                  return (
                    <div key={name} className="pin-row pin-row-in pin-row-dynamic">
                      <PinHandle pin={dyn} type="target" />
                      <span className="pin-label">{k}</span>
                      {serverErrors?.[name] && <span className="field-error">{serverErrors[name]}</span>}
                      <button
                        type="button"
                        className="icon-button nodrag"
                        aria-label={`Remove key ${k} from ${pin.name}`}
                        onClick={() => api.removeDictKey(id, pin.name, k)}
                      >
                        ×
                      </button>
                    </div>
                  );
                })}
                {keys && !compact && <AddKeyForm nodeId={id} base={pin.name} existing={keys} />}
              </div>
            );
          })}
          {model.hasAdvanced && !compact && (
            <button
              type="button"
              className="link-button nodrag"
              onClick={() => setShowAdvanced((v) => !v)}
              aria-expanded={showAdvanced}
            >
              {showAdvanced ? 'Hide advanced' : 'Show advanced'}
            </button>
          )}
          {block.credentials &&
            (compact ? (
              <p className="muted small">
                Credentials: {block.credentials.providers.join(', ')} ({block.credentials.types.join(', ')})
              </p>
            ) : (
              <CredentialsPicker
                nodeId={id}
                blockId={block.id}
                requirement={block.credentials}
                value={data.inputs[block.credentials.field]}
              />
            ))}
        </div>
        <div className="node-outputs">
          {model.outputPins.map((pin) => (
            <div key={pin.name} className="pin-row pin-row-out">
              <span className="pin-label">{pin.label}</span>
              <PinHandle pin={pin} type="source" />
            </div>
          ))}
        </div>
      </div>
      {run?.error && (
        <p className="node-error" role="alert" data-testid="node-error">
          {run.error}
        </p>
      )}
    </div>
  );
}

export const BlockNode = memo(BlockNodeView);
