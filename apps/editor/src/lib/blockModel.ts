/** Everything a node card needs from its block, computed once per block and cached (never per render). */
import type { BlockDefinition, JsonSchema } from '../api/types';
import { fieldsFromSchema, humanize, type FieldDescriptor } from './forms';
import { isDictSchema } from './pins';
import { PIN_COLORS, pinType, type PinType } from './schemaCompat';

export interface PinDescriptor {
  name: string;
  label: string;
  type: PinType;
  color: string;
  schema: JsonSchema | undefined;
}

export interface BlockModel {
  block: BlockDefinition;
  inputPins: PinDescriptor[];
  outputPins: PinDescriptor[];
  /** Inputs typed as dicts: the card offers "add key" to create `<name>_#_<key>` handles. */
  dictInputs: Set<string>;
  fields: FieldDescriptor[];
  fieldByName: Map<string, FieldDescriptor>;
  hasAdvanced: boolean;
}

export function pinDescriptor(name: string, schema: JsonSchema | undefined, label?: string): PinDescriptor {
  const type = pinType(schema);
  return { name, label: label ?? schema?.title ?? humanize(name), type, color: PIN_COLORS[type], schema };
}

export function compileBlock(block: BlockDefinition): BlockModel {
  const skip = new Set<string>(block.credentials ? [block.credentials.field] : []);
  const props = block.inputSchema.properties ?? {};
  const inputPins = Object.entries(props)
    .filter(([name]) => !skip.has(name))
    .map(([name, schema]) => pinDescriptor(name, schema));
  const outputPins = Object.entries(block.outputSchema.properties ?? {}).map(([name, schema]) =>
    pinDescriptor(name, schema),
  );
  const dictInputs = new Set(
    Object.entries(props)
      .filter(([, s]) => isDictSchema(s))
      .map(([n]) => n),
  );
  const fields = fieldsFromSchema(block.inputSchema, skip);
  return {
    block,
    inputPins,
    outputPins,
    dictInputs,
    fields,
    fieldByName: new Map(fields.map((f) => [f.name, f])),
    hasAdvanced: fields.some((f) => f.advanced),
  };
}

export class BlockCatalog {
  private readonly models = new Map<string, BlockModel>();
  readonly blocks: BlockDefinition[];
  readonly byId: Map<string, BlockDefinition>;
  readonly byName: Map<string, BlockDefinition>;
  readonly categories: string[];

  constructor(blocks: BlockDefinition[]) {
    this.blocks = [...blocks].sort((a, b) => a.name.localeCompare(b.name));
    this.byId = new Map(blocks.map((b) => [b.id, b]));
    this.byName = new Map(blocks.map((b) => [b.name, b]));
    this.categories = [...new Set(blocks.flatMap((b) => b.categories))].sort();
  }

  model(blockId: string): BlockModel | undefined {
    const cached = this.models.get(blockId);
    if (cached) return cached;
    const block = this.byId.get(blockId);
    if (!block) return undefined;
    const model = compileBlock(block);
    this.models.set(blockId, model);
    return model;
  }

  search(query: string, category: string | null): BlockDefinition[] {
    const q = query.trim().toLowerCase();
    return this.blocks.filter(
      (b) =>
        (!category || b.categories.includes(category)) &&
        (!q || b.name.toLowerCase().includes(q) || b.description.toLowerCase().includes(q)),
    );
  }
}

/** Card width is fixed in CSS; heights are a rough estimate, close enough for viewport culling before measurement. */
export const NODE_WIDTH = 260;

export function estimateNodeSize(
  model: BlockModel | undefined,
  dynamicKeyCount = 0,
): { width: number; height: number } {
  if (!model) return { width: NODE_WIDTH, height: 80 };
  if (model.block.kind === 'note') return { width: NODE_WIDTH, height: 90 };
  const basic = model.inputPins.filter((p) => !model.fieldByName.get(p.name)?.advanced).length;
  const height =
    40 +
    basic * 50 +
    dynamicKeyCount * 28 +
    model.dictInputs.size * 30 +
    model.outputPins.length * 24 +
    (model.hasAdvanced ? 22 : 0);
  return { width: NODE_WIDTH, height };
}

/** A handle's bounds relative to its node, in React Flow's `node.handles` shape. */
export interface EstimatedHandle {
  id: string;
  type: 'source' | 'target';
  position: 'left' | 'right';
  x: number;
  y: number;
  width: number;
  height: number;
}

const HANDLE_SIZE = 11;

/**
 * Where a card's pins will roughly be, before it is ever drawn. React Flow force-mounts every node that has no handle
 * bounds yet (to measure them), even with `onlyRenderVisibleElements`; given these, it culls from the first frame and
 * measures a card for real only when it scrolls into view. Off-screen link ends land close enough until then.
 * `extra` adds pins only known from links (dynamic dict keys, advanced inputs that are linked).
 */
export function estimateHandles(
  model: BlockModel | undefined,
  size: { width: number; height: number },
  dynamicKeys: Record<string, readonly string[]> = {},
  extra: { targets?: Iterable<string>; sources?: Iterable<string> } = {},
): EstimatedHandle[] {
  const handles: EstimatedHandle[] = [];
  const seen = new Set<string>();
  let y = 40;
  const add = (id: string, type: 'source' | 'target', at: number) => {
    const key = `${type}:${id}`;
    if (seen.has(key)) return;
    seen.add(key);
    handles.push({
      id,
      type,
      position: type === 'target' ? 'left' : 'right',
      x: type === 'target' ? -HANDLE_SIZE / 2 : size.width - HANDLE_SIZE / 2,
      y: Math.min(at, size.height - HANDLE_SIZE),
      width: HANDLE_SIZE,
      height: HANDLE_SIZE,
    });
  };
  if (model) {
    for (const pin of model.inputPins) {
      if (model.fieldByName.get(pin.name)?.advanced) continue;
      add(pin.name, 'target', y + 20);
      y += 50;
      for (const k of dynamicKeys[pin.name] ?? []) {
        add(`${pin.name}_#_${k}`, 'target', y + 8);
        y += 28;
      }
      if (model.dictInputs.has(pin.name)) y += 30;
    }
    if (model.hasAdvanced) y += 22;
    for (const pin of model.outputPins) {
      add(pin.name, 'source', y + 6);
      y += 24;
    }
  }
  for (const id of extra.targets ?? []) add(id, 'target', 40 + 20);
  for (const id of extra.sources ?? []) add(id, 'source', Math.max(40, size.height - 30));
  return handles;
}
