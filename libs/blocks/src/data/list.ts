import { deepEqual, defineBlock } from '@agentry/block-sdk';
import { z } from 'zod';
import { isPlainObject, parseMaybeJson } from '../util';

const list = () => z.array(z.any());
const indexOf = (items: unknown[], value: unknown): number => items.findIndex((x) => deepEqual(x, value));
/** Python-style index: negative counts from the end; undefined when out of range. */
const resolveIndex = (length: number, index: number): number | undefined => {
  const i = index < 0 ? length + index : index;
  return i >= 0 && i < length ? i : undefined;
};
/** Rough token estimate (≈ 4 characters per token), enough to size chunks for an LLM. */
const estimateTokens = (value: unknown): number => Math.ceil((typeof value === 'string' ? value : JSON.stringify(value) ?? '').length / 4);

export const CreateListBlock = defineBlock({
  id: 'a912d5c7-6e00-4542-b2a9-8034136930e4',
  name: 'CreateListBlock',
  description: 'Creates a list with the specified values; with `max_size` or `max_tokens` the list is yielded in chunks that fit.',
  categories: ['DATA'],
  input: z.object({
    values: list().describe('A list of values to be combined into a new list.'),
    max_size: z.int().positive().nullable().optional().meta({ advanced: true }).describe('Maximum size of the list. If provided, the list will be yielded in chunks of this size.'),
    max_tokens: z.int().positive().nullable().optional().meta({ advanced: true }).describe('Maximum tokens for the list. If provided, the list will be yielded in chunks that fit within this token limit.'),
  }),
  output: z.object({ list: list().describe('The created list containing the specified values.') }),
  async *run(input) {
    let chunk: unknown[] = [];
    let tokens = 0;
    for (const value of input.values) {
      const t = input.max_tokens ? estimateTokens(value) : 0;
      if (chunk.length > 0 && ((input.max_tokens && tokens + t > input.max_tokens) || (input.max_size && chunk.length + 1 > input.max_size))) {
        yield ['list', chunk];
        chunk = [];
        tokens = 0;
      }
      chunk.push(value);
      tokens += t;
    }
    if (chunk.length > 0 || input.values.length === 0) yield ['list', chunk];
  },
  testCases: [
    { input: { values: ['Alice', 25, true] }, output: [['list', ['Alice', 25, true]]] },
    { name: 'chunks by size', input: { values: [1, 2, 3, 4, 5], max_size: 2 }, output: [['list', [1, 2]], ['list', [3, 4]], ['list', [5]]] },
    { name: 'chunks by tokens', input: { values: ['aaaa', 'bbbb', 'cccccccc'], max_tokens: 2 }, output: [['list', ['aaaa', 'bbbb']], ['list', ['cccccccc']]] },
    { name: 'from list pins', input: { 'values_$_0': 'a', 'values_$_2': 'c' }, output: [['list', ['a', '', 'c']]] },
  ],
});

export const AddToListBlock = defineBlock({
  id: 'aeb08fc1-2fc1-4141-bc8e-f758f183a822',
  name: 'AddToListBlock',
  description: 'Adds an entry (and/or a batch of `entries`) to a list, at `position` or at the end. If no list is provided, a new one is created.',
  categories: ['DATA', 'BASIC'],
  input: z.object({
    list: list().default([]).describe('The list to add the entry to. If not provided, a new list will be created.'),
    entry: z.any().optional().describe('The entry to add to the list. Can be of any type (string, int, dict, etc.).'),
    entries: list().default([]).meta({ advanced: true }).describe('The entries to add to the list. This is the batch version of the `entry` field.'),
    position: z.int().nullable().optional().describe('The position to insert the new entry. If not provided, the entry will be appended to the end of the list.'),
  }),
  output: z.object({ updated_list: list().describe('The list with the new entry added.') }),
  async *run(input) {
    const added = [...input.entries];
    if (input.entry !== undefined && input.entry !== null) added.push(input.entry);
    const pos = input.position;
    const updated = pos === undefined || pos === null ? [...input.list, ...added] : [...input.list.slice(0, pos), ...added, ...input.list.slice(pos)];
    yield ['updated_list', updated];
  },
  testCases: [
    { input: { list: [1, 'string', { existing_key: 'existing_value' }], entry: { new_key: 'new_value' }, position: 1 }, output: [['updated_list', [1, { new_key: 'new_value' }, 'string', { existing_key: 'existing_value' }]]] },
    { input: { entry: 'first_entry' }, output: [['updated_list', ['first_entry']]] },
    { input: { list: ['a', 'b', 'c'], entry: 'd' }, output: [['updated_list', ['a', 'b', 'c', 'd']]] },
    { input: { entry: 'e', entries: ['f', 'g'], list: ['a', 'b'], position: 1 }, output: [['updated_list', ['a', 'f', 'g', 'e', 'b']]] },
  ],
});

export const FindInListBlock = defineBlock({
  id: '5e2c6d0a-1e37-489f-b1d0-8e1812b23333',
  name: 'FindInListBlock',
  description: 'Finds the index of the value in the list (structural equality).',
  categories: ['DATA', 'BASIC'],
  input: z.object({ list: list().describe('The list to search in.'), value: z.any().describe('The value to search for.') }),
  output: z.object({
    index: z.int().describe('The index of the value in the list.'),
    found: z.boolean().describe('Whether the value was found in the list.'),
    not_found_value: z.any().describe('The value that was not found in the list.'),
  }),
  async *run(input) {
    const i = indexOf(input.list, input.value);
    if (i >= 0) {
      yield ['index', i];
      yield ['found', true];
    } else {
      yield ['found', false];
      yield ['not_found_value', input.value];
    }
  },
  testCases: [
    { input: { list: [1, 2, 3, 4, 5], value: 3 }, output: [['index', 2], ['found', true]] },
    { input: { list: [1, 2, 3, 4, 5], value: 6 }, output: [['found', false], ['not_found_value', 6]] },
    { input: { list: [{ a: 1 }, { b: 2 }], value: { b: 2 } }, output: [['index', 1], ['found', true]] },
  ],
});

export const GetListItemBlock = defineBlock({
  id: '262ca24c-1025-43cf-a578-534e23234e97',
  name: 'GetListItemBlock',
  description: 'Returns the element at the given index (negative indices count from the end).',
  categories: ['DATA', 'BASIC'],
  input: z.object({ list: list().describe('The list to get the item from.'), index: z.int().describe('The 0-based index of the item (supports negative indices).') }),
  output: z.object({ item: z.any().describe('The item at the specified index.') }),
  async *run(input) {
    const i = resolveIndex(input.list.length, input.index);
    if (i === undefined) yield ['error', 'Index out of range'];
    else yield ['item', input.list[i]];
  },
  testCases: [
    { input: { list: [1, 2, 3], index: 1 }, output: [['item', 2]] },
    { input: { list: [1, 2, 3], index: -1 }, output: [['item', 3]] },
    { input: { list: [1, 2, 3], index: 3 }, output: [['error', 'Index out of range']] },
  ],
});

export const RemoveFromListBlock = defineBlock({
  id: 'd93c5a93-ac7e-41c1-ae5c-ef67e6e9b826',
  name: 'RemoveFromListBlock',
  description: 'Removes an item from a list by index (negative counts from the end) or by value.',
  categories: ['DATA', 'BASIC'],
  input: z.object({
    list: list().describe('The list to modify.'),
    value: z.any().optional().describe('Value to remove from the list.'),
    index: z.int().nullable().optional().describe('Index of the item to pop (supports negative indices).'),
    return_item: z.boolean().default(false).describe('Whether to return the removed item.'),
  }),
  output: z.object({ updated_list: list().describe('The list after removal.'), removed_item: z.any().describe('The removed item if requested.') }),
  async *run(input) {
    const items = [...input.list];
    let i: number | undefined;
    if (input.index !== undefined && input.index !== null) i = resolveIndex(items.length, input.index);
    else if (input.value !== undefined && input.value !== null) i = indexOf(items, input.value);
    if (i === undefined || i < 0) {
      yield ['error', 'Index or value not found'];
      return;
    }
    const [removed] = items.splice(i, 1);
    yield ['updated_list', items];
    if (input.return_item) yield ['removed_item', removed];
  },
  testCases: [
    { input: { list: [1, 2, 3], index: 1, return_item: true }, output: [['updated_list', [1, 3]], ['removed_item', 2]] },
    { input: { list: ['a', 'b', 'c'], value: 'b' }, output: [['updated_list', ['a', 'c']]] },
    { input: { list: ['a'], value: 'z' }, output: [['error', 'Index or value not found']] },
  ],
});

export const ReplaceListItemBlock = defineBlock({
  id: 'fbf62922-bea1-4a3d-8bac-23587f810b38',
  name: 'ReplaceListItemBlock',
  description: 'Replaces an item at the specified index (negative indices count from the end).',
  categories: ['DATA', 'BASIC'],
  input: z.object({ list: list().describe('The list to modify.'), index: z.int().describe('Index of the item to replace (supports negative indices).'), value: z.any().describe('The new value for the given index.') }),
  output: z.object({ updated_list: list().describe('The list after replacement.'), old_item: z.any().describe('The item that was replaced.') }),
  async *run(input) {
    const i = resolveIndex(input.list.length, input.index);
    if (i === undefined) {
      yield ['error', 'Index out of range'];
      return;
    }
    const items = [...input.list];
    const old = items[i];
    items[i] = input.value;
    yield ['updated_list', items];
    yield ['old_item', old];
  },
  testCases: [
    { input: { list: [1, 2, 3], index: 1, value: 99 }, output: [['updated_list', [1, 99, 3]], ['old_item', 2]] },
    { input: { list: ['a', 'b'], index: -1, value: 'c' }, output: [['updated_list', ['a', 'c']], ['old_item', 'b']] },
  ],
});

export const ListIsEmptyBlock = defineBlock({
  id: '896ed73b-27d0-41be-813c-c1c1dc856c03',
  name: 'ListIsEmptyBlock',
  description: 'Checks if a list is empty.',
  categories: ['DATA', 'LOGIC'],
  input: z.object({ list: list().describe('The list to check.') }),
  output: z.object({ is_empty: z.boolean().describe('True if the list is empty.') }),
  async *run(input) {
    yield ['is_empty', input.list.length === 0];
  },
  testCases: [
    { input: { list: [] }, output: [['is_empty', true]] },
    { input: { list: [1] }, output: [['is_empty', false]] },
  ],
});

function checkLists(lists: unknown[]): string | undefined {
  const bad = lists.findIndex((l) => l !== null && l !== undefined && !Array.isArray(l));
  return bad < 0 ? undefined : `Invalid input at index ${bad}: expected a list, got ${typeof lists[bad]}. All items in 'lists' must be lists (e.g., [[1, 2], [3, 4]]).`;
}
const presentLists = (lists: unknown[]): unknown[][] => lists.filter((l): l is unknown[] => Array.isArray(l));

export const ConcatenateListsBlock = defineBlock({
  id: '3cf9298b-5817-4141-9d80-7c2cc5199c8e',
  name: 'ConcatenateListsBlock',
  description: 'Concatenates multiple lists into a single list, in order. Supports optional deduplication and None removal.',
  categories: ['DATA', 'BASIC'],
  input: z.object({
    lists: z.array(z.any()).describe('A list of lists to concatenate together (or feed `lists_$_0`, `lists_$_1`…).'),
    deduplicate: z.boolean().default(false).meta({ advanced: true }).describe('If True, remove duplicate elements from the concatenated result while preserving order.'),
    remove_none: z.boolean().default(false).meta({ advanced: true }).describe('If True, remove None values from the concatenated result.'),
  }),
  output: z.object({ concatenated_list: list().describe('The concatenated list.'), length: z.int().describe('The total number of elements in the concatenated list.') }),
  async *run(input) {
    const error = checkLists(input.lists);
    if (error) {
      yield ['error', error];
      return;
    }
    let result = presentLists(input.lists).flat(1);
    if (input.remove_none) result = result.filter((x) => x !== null && x !== undefined);
    if (input.deduplicate) result = result.filter((x, i) => indexOf(result, x) === i);
    yield ['concatenated_list', result];
    yield ['length', result.length];
  },
  testCases: [
    { input: { lists: [[1, 2, 3], [4, 5, 6]] }, output: [['concatenated_list', [1, 2, 3, 4, 5, 6]], ['length', 6]] },
    { input: { lists: [[1, 2, 2, 3], [3, 4]], deduplicate: true }, output: [['concatenated_list', [1, 2, 3, 4]], ['length', 4]] },
    { input: { lists: [[1, null, 2], [null, 3]], remove_none: true }, output: [['concatenated_list', [1, 2, 3]], ['length', 3]] },
    { input: { lists: [[1], 'x'] }, output: [['error', (e: unknown) => String(e).startsWith('Invalid input at index 1')]] },
  ],
});

function depthOf(items: unknown): number {
  if (!Array.isArray(items)) return 0;
  if (items.length === 0) return 1;
  return 1 + Math.max(...items.map(depthOf));
}

export const FlattenListBlock = defineBlock({
  id: 'cc45bb0f-d035-4756-96a7-fe3e36254b4d',
  name: 'FlattenListBlock',
  description: 'Flattens a nested list structure into a single flat list, up to `max_depth` levels (-1 = completely).',
  categories: ['DATA', 'BASIC'],
  input: z.object({
    nested_list: list().describe('A potentially nested list to flatten into a single-level list.'),
    max_depth: z.int().default(-1).meta({ advanced: true }).describe('Maximum depth to flatten. -1 means flatten completely. 1 means flatten only one level.'),
  }),
  output: z.object({ flattened_list: list(), length: z.int(), original_depth: z.int().describe('The maximum nesting depth of the original input list.') }),
  async *run(input) {
    if (input.max_depth < -1) {
      yield ['error', `max_depth must be -1 (unlimited) or a non-negative integer, got ${input.max_depth}`];
      return;
    }
    const flattened = input.nested_list.flat(input.max_depth === -1 ? Infinity : input.max_depth);
    yield ['flattened_list', flattened];
    yield ['length', flattened.length];
    yield ['original_depth', depthOf(input.nested_list)];
  },
  testCases: [
    { input: { nested_list: [[1, 2], [3, [4, 5]]] }, output: [['flattened_list', [1, 2, 3, 4, 5]], ['length', 5], ['original_depth', 3]] },
    { input: { nested_list: [1, [2, [3, [4]]], 5], max_depth: 1 }, output: [['flattened_list', [1, 2, [3, [4]], 5]], ['length', 4], ['original_depth', 4]] },
    { input: { nested_list: [] }, output: [['flattened_list', []], ['length', 0], ['original_depth', 1]] },
  ],
});

export const InterleaveListsBlock = defineBlock({
  id: '9f616084-1d9f-4f8e-bc00-5b9d2a75cd75',
  name: 'InterleaveListsBlock',
  description: 'Interleaves elements from multiple lists in round-robin fashion, alternating between sources.',
  categories: ['DATA', 'BASIC'],
  input: z.object({ lists: z.array(z.any()).describe('A list of lists to interleave. Elements will be taken in round-robin order.') }),
  output: z.object({ interleaved_list: list(), length: z.int() }),
  async *run(input) {
    const error = checkLists(input.lists);
    if (error) {
      yield ['error', error];
      return;
    }
    const lists = presentLists(input.lists);
    const max = Math.max(0, ...lists.map((l) => l.length));
    const result: unknown[] = [];
    for (let i = 0; i < max; i++) for (const l of lists) if (i < l.length) result.push(l[i]);
    yield ['interleaved_list', result];
    yield ['length', result.length];
  },
  testCases: [
    { input: { lists: [[1, 2, 3], ['a', 'b'], ['x', 'y', 'z']] }, output: [['interleaved_list', [1, 'a', 'x', 2, 'b', 'y', 3, 'z']], ['length', 8]] },
    { input: { lists: [] }, output: [['interleaved_list', []], ['length', 0]] },
  ],
});

export const ZipListsBlock = defineBlock({
  id: '0d0e684f-5cb9-4c4b-b8d1-47a0860e0c07',
  name: 'ZipListsBlock',
  description: 'Zips multiple lists together into a list of grouped elements. Truncates to the shortest list unless `pad_to_longest`.',
  categories: ['DATA', 'BASIC'],
  input: z.object({
    lists: z.array(z.any()).describe('A list of lists to zip together. Corresponding elements will be grouped.'),
    pad_to_longest: z.boolean().default(false).meta({ advanced: true }).describe('If True, pad shorter lists with fill_value to match the longest list. If False, truncate to shortest.'),
    fill_value: z.any().optional().meta({ advanced: true }).describe('Value to use for padding when pad_to_longest is True.'),
  }),
  output: z.object({ zipped_list: z.array(list()), length: z.int() }),
  async *run(input) {
    const error = checkLists(input.lists);
    if (error) {
      yield ['error', error];
      return;
    }
    const lists = presentLists(input.lists);
    const lengths = lists.map((l) => l.length);
    const n = lists.length === 0 ? 0 : input.pad_to_longest ? Math.max(...lengths) : Math.min(...lengths);
    const fill = input.fill_value ?? null;
    const result = Array.from({ length: n }, (_, i) => lists.map((l) => (i < l.length ? l[i] : fill)));
    yield ['zipped_list', result];
    yield ['length', result.length];
  },
  testCases: [
    { input: { lists: [[1, 2, 3], ['a', 'b']] }, output: [['zipped_list', [[1, 'a'], [2, 'b']]], ['length', 2]] },
    { input: { lists: [[1, 2], ['a', 'b', 'c']], pad_to_longest: true, fill_value: 0 }, output: [['zipped_list', [[1, 'a'], [2, 'b'], [0, 'c']]], ['length', 3]] },
  ],
});

export const ListDifferenceBlock = defineBlock({
  id: '05309873-9d61-447e-96b5-b804e2511829',
  name: 'ListDifferenceBlock',
  description: 'Computes the difference between two lists: elements of list_a not in list_b (or in either but not both when `symmetric`).',
  categories: ['DATA', 'BASIC'],
  input: z.object({
    list_a: list().describe('The primary list to check elements from.'),
    list_b: list().describe('The list to subtract. Elements found here will be removed from list_a.'),
    symmetric: z.boolean().default(false).meta({ advanced: true }).describe('If True, compute symmetric difference (elements in either list but not both).'),
  }),
  output: z.object({ difference: list(), length: z.int() }),
  async *run(input) {
    const aNotB = input.list_a.filter((x) => indexOf(input.list_b, x) < 0);
    const result = input.symmetric ? [...aNotB, ...input.list_b.filter((x) => indexOf(input.list_a, x) < 0)] : aNotB;
    yield ['difference', result];
    yield ['length', result.length];
  },
  testCases: [
    { input: { list_a: [1, 2, 3, 4, 5], list_b: [3, 4, 5, 6] }, output: [['difference', [1, 2]], ['length', 2]] },
    { input: { list_a: [1, 2, 3], list_b: [2, 3, 4], symmetric: true }, output: [['difference', [1, 4]], ['length', 2]] },
  ],
});

export const SliceListBlock = defineBlock({
  id: 'd9afcfea-7a6b-4e2f-b64a-4eacc555a4ff',
  name: 'SliceListBlock',
  description: 'Returns the items from `start` up to (not including) `end`; negative positions count from the end.',
  categories: ['DATA'],
  input: z.object({
    list: list().describe('The list to slice'),
    start: z.int().default(0).describe('First position (inclusive)'),
    end: z.int().nullable().optional().describe('Last position (exclusive); empty = to the end'),
  }),
  output: z.object({ sliced_list: list(), length: z.int() }),
  async *run(input) {
    const sliced = input.list.slice(input.start, input.end ?? undefined);
    yield ['sliced_list', sliced];
    yield ['length', sliced.length];
  },
  testCases: [
    { input: { list: [1, 2, 3, 4, 5], start: 1, end: 3 }, output: [['sliced_list', [2, 3]], ['length', 2]] },
    { input: { list: [1, 2, 3, 4, 5], start: -2 }, output: [['sliced_list', [4, 5]], ['length', 2]] },
  ],
});

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a ?? '').localeCompare(String(b ?? ''), undefined, { numeric: true });
}

export const SortListBlock = defineBlock({
  id: '6d4a022e-5d40-42e8-bad2-ffa3843d320a',
  name: 'SortListBlock',
  description: 'Sorts a list (numbers numerically, text naturally); `key` sorts a list of dictionaries by that field.',
  categories: ['DATA'],
  input: z.object({
    list: list().describe('The list to sort'),
    key: z.string().default('').describe('Field to sort dictionaries by (empty = the items themselves)'),
    descending: z.boolean().default(false).describe('Sort from largest to smallest'),
  }),
  output: z.object({ sorted_list: list() }),
  async *run(input) {
    const pick = (x: unknown): unknown => (input.key && isPlainObject(x) ? x[input.key] : x);
    const sorted = [...input.list].sort((a, b) => compareValues(pick(a), pick(b)) * (input.descending ? -1 : 1));
    yield ['sorted_list', sorted];
  },
  testCases: [
    { input: { list: [10, 2, 33, 1] }, output: [['sorted_list', [1, 2, 10, 33]]] },
    { input: { list: ['item10', 'item2', 'item1'], descending: true }, output: [['sorted_list', ['item10', 'item2', 'item1']]] },
    { input: { list: [{ n: 'b', v: 2 }, { n: 'a', v: 1 }], key: 'v' }, output: [['sorted_list', [{ n: 'a', v: 1 }, { n: 'b', v: 2 }]]] },
  ],
});

export const CountItemsBlock = defineBlock({
  id: '3c9c2f42-b0c3-435f-ba35-05f7a25c772a',
  name: 'CountItemsBlock',
  description: 'Counts the items of a list or dictionary, or the characters of a string; -1 when the input is not countable.',
  categories: ['DATA', 'BASIC'],
  input: z.object({ collection: z.any().describe('The collection to count. This can be a list, dictionary, string, or any other iterable.') }),
  output: z.object({ count: z.int().describe('The number of items in the collection.') }),
  async *run(input) {
    const c = input.collection;
    if (typeof c === 'string' || Array.isArray(c)) yield ['count', c.length];
    else if (isPlainObject(c)) yield ['count', Object.keys(c).length];
    else yield ['count', -1];
  },
  testCases: [
    { input: { collection: [1, 2, 3, 4, 5] }, output: [['count', 5]] },
    { input: { collection: 'Hello' }, output: [['count', 5]] },
    { input: { collection: { a: 1, b: 2 } }, output: [['count', 2]] },
    { input: { collection: 42 }, output: [['count', -1]] },
  ],
});

const MAX_STEP_ITEMS = 10_000;

export const StepThroughItemsBlock = defineBlock({
  id: 'f66a3543-28d3-4ab5-8945-9b336371e2ce',
  name: 'StepThroughItemsBlock',
  description:
    'Iterates over a list or dictionary (or a JSON string of one) and yields `item` then `key` for every element, in order: downstream nodes run once per element.',
  categories: ['DATA', 'LOGIC'],
  input: z.object({
    items: z.union([list(), z.record(z.string(), z.any())]).default([]).describe('The list or dictionary of items to iterate over'),
    items_object: z.record(z.string(), z.any()).default({}).describe('The list or dictionary of items to iterate over'),
    items_str: z.string().default('').describe('The list or dictionary of items to iterate over (JSON)'),
  }),
  output: z.object({ item: z.any().describe('The current item in the iteration'), key: z.any().describe('The key or index of the current item in the iteration') }),
  async *run(input) {
    const sources: unknown[] = [input.items, input.items_object, input.items_str];
    for (const source of sources) {
      if (source === '' || (Array.isArray(source) && source.length === 0) || (isPlainObject(source) && Object.keys(source).length === 0)) continue;
      const data = typeof source === 'string' ? parseMaybeJson(source) : source;
      const entries: Array<[unknown, unknown]> = Array.isArray(data) ? data.map((v, i) => [i, v]) : isPlainObject(data) ? Object.entries(data) : [];
      if (typeof source === 'string' && entries.length === 0 && !Array.isArray(data) && !isPlainObject(data)) {
        yield ['error', 'items_str must be a JSON list or object'];
        return;
      }
      if (entries.length > MAX_STEP_ITEMS) {
        yield ['error', `Too many items (${entries.length}); the limit is ${MAX_STEP_ITEMS}`];
        return;
      }
      for (const [key, item] of entries) {
        yield ['item', item];
        yield ['key', key];
      }
    }
  },
  testCases: [
    { input: { items: [1, 2, 3] }, output: [['item', 1], ['key', 0], ['item', 2], ['key', 1], ['item', 3], ['key', 2]] },
    { input: { items_object: { a: 'x', b: 'y' } }, output: [['item', 'x'], ['key', 'a'], ['item', 'y'], ['key', 'b']] },
    { input: { items_str: '["p", {"q": 1}]' }, output: [['item', 'p'], ['key', 0], ['item', { q: 1 }], ['key', 1]] },
    { input: { items_str: 'not json' }, output: [['error', 'items_str must be a JSON list or object']] },
    { name: 'nothing to step through', input: {}, output: [] },
  ],
});
