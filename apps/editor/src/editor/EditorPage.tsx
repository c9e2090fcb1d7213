import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  Controls,
  MiniMap,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { api, ApiError, describeError } from '../api/client';
import type { Graph } from '../api/types';
import { AppHeader } from '../components/AppHeader';
import { useToast } from '../components/Toasts';
import { BlockCatalog, estimateHandles, estimateNodeSize } from '../lib/blockModel';
import { CredentialsStore } from '../lib/credentials';
import { downloadText, safeFileName } from '../lib/download';
import type { NodeRunState } from '../lib/executionState';
import {
  copySelection,
  flowToGraph,
  graphInputNames,
  graphToFlow,
  linkEdgeId,
  makeEdge,
  pasteClipboard,
  type BlockFlowNode,
  type Clipboard,
  type FlowDoc,
  type LinkEdge,
} from '../lib/graphDoc';
import { canRedo, canUndo, createHistory, record, redo, undo, type History } from '../lib/history';
import { newId } from '../lib/ids';
import { KeyedStore } from '../lib/keyedStore';
import { dictPinName, inputPinSchema, outputPinSchema } from '../lib/pins';
import { checkCompatibility, PIN_COLORS, pinType } from '../lib/schemaCompat';
import { navigate } from '../router';
import { BlockNode } from './BlockNode';
import { EditorContext, type EditorApi } from './context';
import { BLOCK_MIME, Palette } from './Palette';
import { RunPanel } from './RunPanel';
import { useExecution } from './useExecution';
import { VersionsPanel } from './VersionsPanel';

const nodeTypes = { block: BlockNode };
const CLIPBOARD_KEY = 'agentry.clipboard';
const FIT_ALL_LIMIT = 150;

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

export default function EditorPage({ graphId }: { graphId: string | null }) {
  const [catalog, setCatalog] = useState<BlockCatalog | null>(null);
  const [graph, setGraph] = useState<Graph | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    Promise.all([api.blocks(), graphId ? api.getGraph(graphId) : Promise.resolve(null)])
      .then(([blocks, g]) => {
        if (!live) return;
        setCatalog(new BlockCatalog(blocks.items));
        setGraph(g);
      })
      .catch((err) => live && setError(describeError(err)));
    return () => {
      live = false;
    };
  }, [graphId]);

  if (error) {
    return (
      <>
        <AppHeader />
        <main className="center-message">
          <p role="alert">{error}</p>
          <button type="button" onClick={() => navigate('/')}>
            Back to agents
          </button>
        </main>
      </>
    );
  }
  if (!catalog || (graphId && !graph)) {
    return (
      <p className="loading" role="status">
        Loading…
      </p>
    );
  }
  return (
    <ReactFlowProvider>
      <Editor catalog={catalog} initialGraph={graph} />
    </ReactFlowProvider>
  );
}

function Editor({ catalog, initialGraph }: { catalog: BlockCatalog; initialGraph: Graph | null }) {
  const toast = useToast();
  const rf = useReactFlow<BlockFlowNode, LinkEdge>();

  const decorateEdge = useCallback(
    (e: LinkEdge, nodes: Map<string, BlockFlowNode>): LinkEdge => {
      const src = nodes.get(e.source);
      const model = src ? catalog.model(src.data.blockId) : undefined;
      const color =
        PIN_COLORS[pinType(model ? outputPinSchema(model.block.outputSchema, e.sourceHandle ?? '') : undefined)];
      return { ...e, style: { ...e.style, stroke: color, strokeWidth: 2 } };
    },
    [catalog],
  );

  const toDoc = useCallback(
    (g: Graph | null): FlowDoc => {
      if (!g) return { nodes: [], edges: [] };
      const doc = graphToFlow(g);
      // Pre-sized nodes let `onlyRenderVisibleElements` cull from the first frame; unmeasured nodes would all mount.
      const nodes = doc.nodes.map((n) => ({
        ...n,
        measured: estimateNodeSize(catalog.model(n.data.blockId), Object.values(n.data.dynamicKeys).flat().length),
      }));
      const byId = new Map(nodes.map((n) => [n.id, n]));
      return { nodes, edges: doc.edges.map((e) => decorateEdge(e, byId)) };
    },
    [decorateEdge, catalog],
  );

  const [doc, setDoc] = useState<FlowDoc>(() => toDoc(initialGraph));
  const docRef = useRef(doc);
  const hist = useRef<History<FlowDoc>>(createHistory(doc));
  const lastMerge = useRef<{ key: string; at: number } | null>(null);
  const [, setHistTick] = useState(0);
  const [meta, setMeta] = useState({
    name: initialGraph?.name ?? 'Untitled agent',
    description: initialGraph?.description ?? '',
  });
  const [saved, setSaved] = useState<{ id: string | null; version: number | null }>({
    id: initialGraph?.id ?? null,
    version: initialGraph?.version ?? null,
  });
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [conflict, setConflict] = useState(false);
  const [showVersions, setShowVersions] = useState(false);
  const [versionsTick, setVersionsTick] = useState(0);
  const runStates = useMemo(() => new KeyedStore<NodeRunState>(), []);
  const serverErrors = useMemo(() => new KeyedStore<Record<string, string>>(), []);
  const credentials = useMemo(
    () => new CredentialsStore({ list: api.listCredentials, create: api.createCredential }),
    [],
  );
  const exec = useExecution(saved.id, runStates, (m) => toast(m, 'error'));

  /** Every canvas mutation goes through here; `commit` records an undo step (a string key merges quick repeats). */
  const update = useCallback((fn: (d: FlowDoc) => FlowDoc, commit: boolean | string = false) => {
    const next = fn(docRef.current);
    if (next === docRef.current) return;
    docRef.current = next;
    setDoc(next);
    if (!commit) return;
    const key = typeof commit === 'string' ? commit : null;
    const now = Date.now();
    if (key && lastMerge.current?.key === key && now - lastMerge.current.at < 1000) {
      hist.current = { ...hist.current, present: next };
    } else {
      hist.current = record(hist.current, next);
    }
    lastMerge.current = key ? { key, at: now } : null;
    setDirty(true);
    setHistTick((t) => t + 1);
  }, []);

  const replaceDoc = useCallback((next: FlowDoc) => {
    docRef.current = next;
    hist.current = createHistory(next);
    lastMerge.current = null;
    setDoc(next);
    setHistTick((t) => t + 1);
  }, []);

  const travel = useCallback((dir: 'undo' | 'redo') => {
    const h = dir === 'undo' ? undo(hist.current) : redo(hist.current);
    if (h === hist.current) return;
    hist.current = h;
    lastMerge.current = null;
    docRef.current = h.present;
    setDoc(h.present);
    setDirty(true);
    setHistTick((t) => t + 1);
  }, []);

  const updateNodeData = useCallback(
    (nodeId: string, fn: (n: BlockFlowNode) => BlockFlowNode, commit: boolean | string) =>
      update((d) => ({ ...d, nodes: d.nodes.map((n) => (n.id === nodeId ? fn(n) : n)) }), commit),
    [update],
  );

  const editorApi: EditorApi = useMemo(
    () => ({
      catalog,
      runStates,
      serverErrors,
      credentials,
      setInput: (nodeId, name, value) =>
        updateNodeData(
          nodeId,
          (n) => ({ ...n, data: { ...n.data, inputs: { ...n.data.inputs, [name]: value } } }),
          `input:${nodeId}:${name}`,
        ),
      addDictKey: (nodeId, base, key) =>
        updateNodeData(
          nodeId,
          (n) => ({
            ...n,
            data: {
              ...n.data,
              dynamicKeys: { ...n.data.dynamicKeys, [base]: [...(n.data.dynamicKeys[base] ?? []), key] },
            },
          }),
          true,
        ),
      removeDictKey: (nodeId, base, key) => {
        const pin = dictPinName(base, key);
        update(
          (d) => ({
            nodes: d.nodes.map((n) =>
              n.id === nodeId
                ? {
                    ...n,
                    data: {
                      ...n.data,
                      dynamicKeys: {
                        ...n.data.dynamicKeys,
                        [base]: (n.data.dynamicKeys[base] ?? []).filter((k) => k !== key),
                      },
                    },
                  }
                : n,
            ),
            edges: d.edges.filter((e) => !(e.target === nodeId && e.targetHandle === pin)),
          }),
          true,
        );
      },
    }),
    [catalog, runStates, serverErrors, credentials, update, updateNodeData],
  );

  // Cards React Flow has measured get their real handle bounds; the others carry estimates (see estimateHandles),
  // so it culls them instead of mounting all of them once to measure. One estimate per node object, kept stable.
  const measuredIds = useRef(new Set<string>());
  const withHandles = useRef(new WeakMap<BlockFlowNode, BlockFlowNode>());
  const flowNodes = useMemo(() => {
    let linked: Map<string, { targets: string[]; sources: string[] }> | null = null;
    const linkedPins = (id: string) => {
      if (!linked) {
        linked = new Map();
        for (const e of doc.edges) {
          const t = linked.get(e.target) ?? { targets: [], sources: [] };
          if (e.targetHandle) t.targets.push(e.targetHandle);
          linked.set(e.target, t);
          const s = linked.get(e.source) ?? { targets: [], sources: [] };
          if (e.sourceHandle) s.sources.push(e.sourceHandle);
          linked.set(e.source, s);
        }
      }
      return linked.get(id);
    };
    return doc.nodes.map((n) => {
      if (measuredIds.current.has(n.id)) return n;
      let out = withHandles.current.get(n);
      if (!out) {
        const model = catalog.model(n.data.blockId);
        const size = n.measured?.width && n.measured.height ? { width: n.measured.width, height: n.measured.height } : estimateNodeSize(model);
        const handles = estimateHandles(model, size, n.data.dynamicKeys, linkedPins(n.id)).map((h) => ({
          ...h,
          position: h.position === 'left' ? Position.Left : Position.Right,
        }));
        out = { ...n, handles };
        withHandles.current.set(n, out);
      }
      return out;
    });
  }, [doc.nodes, doc.edges, catalog]);

  const onNodesChange = useCallback(
    (changes: NodeChange<BlockFlowNode>[]) => {
      for (const c of changes) if (c.type === 'dimensions' && c.dimensions) measuredIds.current.add(c.id);
      const removes = changes.some((c) => c.type === 'remove');
      const dragEnd = changes.some((c) => c.type === 'position' && c.dragging === false);
      update((d) => ({ ...d, nodes: applyNodeChanges(changes, d.nodes) }), removes ? 'delete' : dragEnd);
    },
    [update],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<LinkEdge>[]) => {
      const removes = changes.some((c) => c.type === 'remove');
      update((d) => ({ ...d, edges: applyEdgeChanges(changes, d.edges) }), removes ? 'delete' : false);
    },
    [update],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      const nodes = docRef.current.nodes;
      const src = nodes.find((n) => n.id === c.source);
      const sink = nodes.find((n) => n.id === c.target);
      const srcModel = src && catalog.model(src.data.blockId);
      const sinkModel = sink && catalog.model(sink.data.blockId);
      if (!srcModel || !sinkModel || !c.sourceHandle || !c.targetHandle) return;
      const verdict = checkCompatibility(
        outputPinSchema(srcModel.block.outputSchema, c.sourceHandle),
        inputPinSchema(sinkModel.block.inputSchema, c.targetHandle),
      );
      if (!verdict.ok) {
        toast(
          `Cannot connect ${srcModel.block.name}.${c.sourceHandle} → ${sinkModel.block.name}.${c.targetHandle}: ${verdict.reason}`,
          'error',
        );
        return;
      }
      const link = {
        sourceId: c.source,
        sourceName: c.sourceHandle,
        sinkId: c.target,
        sinkName: c.targetHandle,
        isStatic: Boolean(srcModel.block.staticOutput),
      };
      const id = linkEdgeId(link);
      update((d) => {
        if (d.edges.some((e) => e.id === id)) return d;
        const edge = decorateEdge(makeEdge(link), new Map([[src!.id, src!]]));
        return { ...d, edges: [...d.edges, edge] };
      }, true);
    },
    [catalog, toast, update, decorateEdge],
  );

  const addNode = useCallback(
    (blockId: string, position: { x: number; y: number }) => {
      const node: BlockFlowNode = {
        id: newId(),
        type: 'block',
        position,
        data: { blockId, inputs: {}, dynamicKeys: {} },
        selected: true,
      };
      update(
        (d) => ({ ...d, nodes: [...d.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] }),
        true,
      );
    },
    [update],
  );

  const addAtCenter = useCallback(
    (blockId: string) => {
      const pane = document.querySelector('.canvas')?.getBoundingClientRect();
      const centre = pane
        ? { x: pane.left + pane.width / 2 - 120, y: pane.top + pane.height / 2 - 60 }
        : { x: 300, y: 200 };
      const jitter = (docRef.current.nodes.length % 5) * 24;
      const p = rf.screenToFlowPosition(centre);
      addNode(blockId, { x: p.x + jitter, y: p.y + jitter });
    },
    [rf, addNode],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(BLOCK_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const blockId = e.dataTransfer.getData(BLOCK_MIME);
      if (!blockId) return;
      e.preventDefault();
      addNode(blockId, rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
    },
    [rf, addNode],
  );

  const copy = useCallback(() => {
    const clip = copySelection(docRef.current);
    if (!clip) return;
    localStorage.setItem(CLIPBOARD_KEY, JSON.stringify(clip));
    toast(`Copied ${clip.nodes.length} node${clip.nodes.length === 1 ? '' : 's'}`);
  }, [toast]);

  const paste = useCallback(() => {
    const raw = localStorage.getItem(CLIPBOARD_KEY);
    if (!raw) return;
    let clip: Clipboard;
    try {
      clip = JSON.parse(raw) as Clipboard;
    } catch {
      return;
    }
    clip = { nodes: clip.nodes.filter((n) => catalog.byId.has(n.data.blockId)), edges: clip.edges };
    update((d) => {
      const next = pasteClipboard(d, clip, newId);
      const byId = new Map(next.nodes.map((n) => [n.id, n]));
      return { ...next, edges: next.edges.map((e, i) => (i >= d.edges.length ? decorateEdge(e, byId) : e)) };
    }, true);
  }, [catalog, update, decorateEdge]);

  const loadGraph = useCallback(
    (g: Graph) => {
      replaceDoc(toDoc(g));
      setMeta({ name: g.name, description: g.description ?? '' });
      setSaved({ id: g.id, version: g.version });
      setDirty(false);
      setConflict(false);
      serverErrors.clear();
    },
    [replaceDoc, toDoc, serverErrors],
  );

  const save = useCallback(async (): Promise<{ id: string; version: number } | null> => {
    setSaving(true);
    const body = {
      name: meta.name.trim() || 'Untitled agent',
      description: meta.description,
      ...flowToGraph(docRef.current),
    };
    const before = docRef.current;
    try {
      const g =
        saved.id && saved.version !== null
          ? await api.updateGraph(saved.id, { ...body, baseVersion: saved.version })
          : await api.createGraph(body);
      if (!saved.id) history.replaceState(null, '', `/graphs/${encodeURIComponent(g.id)}`);
      setSaved({ id: g.id, version: g.version });
      if (docRef.current === before) setDirty(false);
      setConflict(false);
      serverErrors.clear();
      setVersionsTick((t) => t + 1);
      toast(`Saved version ${g.version}`, 'success');
      return { id: g.id, version: g.version };
    } catch (err) {
      if (err instanceof ApiError && (err.status === 409 || err.code === 'VERSION_CONFLICT')) {
        setConflict(true);
        toast('A newer version exists on the server. Your changes were not saved.', 'error');
      } else {
        if (
          err instanceof ApiError &&
          err.problem.errors &&
          typeof err.problem.errors === 'object' &&
          !Array.isArray(err.problem.errors)
        ) {
          serverErrors.replace(new Map(Object.entries(err.problem.errors as Record<string, Record<string, string>>)));
        }
        toast(`Save failed: ${describeError(err)}`, 'error');
      }
      return null;
    } finally {
      setSaving(false);
    }
  }, [meta, saved, serverErrors, toast]);

  const loadLatest = useCallback(async () => {
    if (!saved.id) return;
    try {
      loadGraph(await api.getGraph(saved.id));
      toast('Loaded the latest version', 'success');
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }, [saved.id, loadGraph, toast]);

  const restore = useCallback(
    async (version: number) => {
      if (!saved.id || saved.version === null) return;
      if (dirty && !confirm('Restoring discards your unsaved changes. Continue?')) return;
      try {
        const old = await api.getGraph(saved.id, version);
        const g = await api.updateGraph(saved.id, {
          name: old.name,
          description: old.description,
          nodes: old.nodes,
          links: old.links,
          baseVersion: saved.version,
        });
        loadGraph(g);
        setVersionsTick((t) => t + 1);
        toast(`Restored version ${version} as version ${g.version}`, 'success');
      } catch (err) {
        if (err instanceof ApiError && (err.status === 409 || err.code === 'VERSION_CONFLICT')) {
          setConflict(true);
          toast('A newer version exists on the server. Nothing was restored.', 'error');
        } else toast(describeError(err), 'error');
      }
    },
    [saved, dirty, loadGraph, toast],
  );

  const exportGraph = useCallback(async () => {
    if (!saved.id) return;
    try {
      downloadText(`${safeFileName(meta.name)}.json`, await api.exportGraph(saved.id));
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }, [saved.id, meta.name, toast]);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const k = e.key.toLowerCase();
      if (k === 's') {
        e.preventDefault();
        void save();
        return;
      }
      if (isTyping(e.target)) return;
      if (k === 'z' && !e.shiftKey) {
        e.preventDefault();
        travel('undo');
      } else if ((k === 'z' && e.shiftKey) || k === 'y') {
        e.preventDefault();
        travel('redo');
      } else if (k === 'c') {
        copy();
      } else if (k === 'v') {
        e.preventDefault();
        paste();
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save, travel, copy, paste]);

  useEffect(() => {
    function beforeUnload(e: BeforeUnloadEvent) {
      if (dirty) e.preventDefault();
    }
    window.addEventListener('beforeunload', beforeUnload);
    return () => window.removeEventListener('beforeunload', beforeUnload);
  }, [dirty]);

  const inputNodesKey = useMemo(
    () => JSON.stringify(graphInputNames(doc, (id) => catalog.byId.get(id)?.kind === 'input')),
    [doc.nodes, catalog],
  );
  const graphInputs = useMemo(() => JSON.parse(inputNodesKey) as ReturnType<typeof graphInputNames>, [inputNodesKey]);

  const selectedId = useMemo(() => {
    const sel = doc.nodes.filter((n) => n.selected);
    return sel.length === 1 ? sel[0].id : null;
  }, [doc.nodes]);
  const selectedBlockId = selectedId ? doc.nodes.find((n) => n.id === selectedId)?.data.blockId : undefined;
  const selectedNode = useMemo(
    () =>
      selectedId
        ? { id: selectedId, label: (selectedBlockId && catalog.byId.get(selectedBlockId)?.name) || selectedId }
        : null,
    [selectedId, selectedBlockId, catalog],
  );

  const run = useCallback(
    async (values: Record<string, unknown>) => {
      let target = saved.id && saved.version !== null && !dirty ? { id: saved.id, version: saved.version } : null;
      if (!target) target = await save();
      if (!target) return;
      try {
        await exec.start(target.id, values, target.version);
      } catch (err) {
        toast(`Run failed: ${describeError(err)}`, 'error');
      }
    },
    [saved, dirty, save, exec, toast],
  );

  const onRun = useCallback((v: Record<string, unknown>) => void run(v), [run]);
  const onCancel = useCallback(
    () => void exec.cancel().catch((err) => toast(describeError(err), 'error')),
    [exec, toast],
  );
  const live = exec.view.status === 'QUEUED' || exec.view.status === 'RUNNING' || exec.view.status === 'REVIEW';
  // Fit small graphs; open large ones at a readable zoom on their top-left corner instead of a sea of tiny cards.
  const [initialView] = useState(() => {
    const nodes = docRef.current.nodes;
    if (nodes.length <= FIT_ALL_LIMIT) return { fitView: nodes.length > 0, viewport: undefined };
    const minX = Math.min(...nodes.map((n) => n.position.x));
    const minY = Math.min(...nodes.map((n) => n.position.y));
    const zoom = 0.75;
    return { fitView: false, viewport: { x: 40 - minX * zoom, y: 40 - minY * zoom, zoom } };
  });
  const fitViewOptions = useMemo(() => ({ maxZoom: 1 }), []);

  return (
    <EditorContext.Provider value={editorApi}>
      <div className="editor-layout">
        <AppHeader>
          <div className="editor-toolbar" role="toolbar" aria-label="Editor">
            <input
              className="graph-name"
              aria-label="Agent name"
              data-testid="graph-name"
              value={meta.name}
              onChange={(e) => {
                setMeta((m) => ({ ...m, name: e.target.value }));
                setDirty(true);
              }}
            />
            <button
              type="button"
              className="icon-button"
              aria-label="Undo"
              title="Undo (Ctrl+Z)"
              disabled={!canUndo(hist.current)}
              onClick={() => travel('undo')}
              data-testid="undo-button"
            >
              ↶
            </button>
            <button
              type="button"
              className="icon-button"
              aria-label="Redo"
              title="Redo (Ctrl+Shift+Z)"
              disabled={!canRedo(hist.current)}
              onClick={() => travel('redo')}
              data-testid="redo-button"
            >
              ↷
            </button>
            <span className="save-status muted small" data-testid="save-status" aria-live="polite">
              {saving
                ? 'Saving…'
                : dirty
                  ? 'Unsaved changes'
                  : saved.version !== null
                    ? `Saved · v${saved.version}`
                    : 'New agent'}
            </span>
            <button
              type="button"
              className="primary"
              onClick={() => void save()}
              disabled={saving}
              data-testid="save-button"
            >
              Save
            </button>
            <button
              type="button"
              onClick={() => setShowVersions((v) => !v)}
              disabled={!saved.id}
              aria-expanded={showVersions}
              data-testid="versions-button"
            >
              Versions
            </button>
            <button type="button" onClick={() => void exportGraph()} disabled={!saved.id} data-testid="export-button">
              Export
            </button>
          </div>
        </AppHeader>
        {conflict && (
          <div className="banner banner-error" role="alert" data-testid="conflict-banner">
            A newer version exists on the server. Your changes were not saved.
            <button type="button" onClick={() => void loadLatest()} data-testid="load-latest">
              Load latest (discard mine)
            </button>
            <button type="button" className="ghost" onClick={() => setConflict(false)}>
              Keep editing
            </button>
          </div>
        )}
        <div className="editor-body">
          <Palette catalog={catalog} onAdd={addAtCenter} />
          <main
            className="canvas"
            aria-label="Graph canvas"
            data-testid="canvas"
            onDragOver={onDragOver}
            onDrop={onDrop}
          >
            <ReactFlow<BlockFlowNode, LinkEdge>
              nodes={flowNodes}
              edges={doc.edges}
              nodeTypes={nodeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              onlyRenderVisibleElements
              deleteKeyCode={['Delete', 'Backspace']}
              multiSelectionKeyCode={['Meta', 'Control']}
              selectionKeyCode="Shift"
              fitView={initialView.fitView}
              fitViewOptions={fitViewOptions}
              defaultViewport={initialView.viewport}
              minZoom={0.05}
              maxZoom={2}
            >
              <Background gap={20} />
              <MiniMap pannable zoomable ariaLabel="Minimap" nodeColor={(n) => (n.selected ? '#2563eb' : '#cbd5e1')} />
              <Controls aria-label="Canvas controls" />
            </ReactFlow>
            {doc.nodes.length === 0 && (
              <p className="canvas-hint" aria-hidden="true">
                Drag a block from the palette, or click it to add it here.
              </p>
            )}
          </main>
          <RunPanel
            inputs={graphInputs}
            view={exec.view}
            canRun={catalog.blocks.length > 0}
            running={live}
            selectedNode={selectedNode}
            runStates={runStates}
            onRun={onRun}
            onCancel={onCancel}
            onSelectExecution={exec.follow}
            onReview={exec.review}
          />
        </div>
        {showVersions && saved.id && (
          <VersionsPanel
            graphId={saved.id}
            currentVersion={saved.version}
            refreshKey={versionsTick}
            onRestore={(v) => void restore(v)}
            onClose={() => setShowVersions(false)}
          />
        )}
      </div>
    </EditorContext.Provider>
  );
}
