import { defineBlock } from '@agentry/block-sdk';
import { z } from 'zod';
import { isPlainObject, parseMaybeJson } from '../util';

const dict = () => z.record(z.string(), z.any());
const has = (o: object, k: PropertyKey): boolean => Object.prototype.hasOwnProperty.call(o, k);

export const CreateDictionaryBlock = defineBlock({
  id: 'b924ddf4-de4f-4b56-9a85-358930dcbc91',
  name: 'CreateDictionaryBlock',
  description: 'Creates a dictionary with the specified key-value pairs (usually fed through `values_#_<key>` pins).',
  categories: ['DATA'],
  input: z.object({ values: dict().describe('Key-value pairs to create the dictionary with') }),
  output: z.object({ dictionary: dict().describe('The created dictionary containing the specified key-value pairs') }),
  async *run(input) {
    yield ['dictionary', input.values];
  },
  testCases: [
    { input: { values: { name: 'Alice', age: 25, city: 'New York' } }, output: [['dictionary', { name: 'Alice', age: 25, city: 'New York' }]] },
    { name: 'from dynamic pins', input: { values: {}, 'values_#_Email ID': 'x@y.z', 'values_#_Status': 'sent' }, output: [['dictionary', { 'Email ID': 'x@y.z', Status: 'sent' }]] },
  ],
});

export const AddToDictionaryBlock = defineBlock({
  id: '31d1064e-7446-4693-a7d4-65e5ca1180d1',
  name: 'AddToDictionaryBlock',
  description: 'Adds a new key-value pair (or a batch of `entries`) to a dictionary. If no dictionary is provided, a new one is created.',
  categories: ['DATA', 'BASIC'],
  input: z.object({
    dictionary: dict().default({}).describe('The dictionary to add the entry to. If not provided, a new dictionary will be created.'),
    key: z.string().default('').describe('The key for the new entry.'),
    value: z.any().optional().describe('The value for the new entry.'),
    entries: dict().default({}).meta({ advanced: true }).describe('The entries to add to the dictionary. This is the batch version of the `key` and `value` fields.'),
  }),
  output: z.object({ updated_dictionary: dict().describe('The dictionary with the new entry added.') }),
  async *run(input) {
    const updated = { ...input.dictionary };
    if (input.value !== undefined && input.value !== null && input.key) updated[input.key] = input.value;
    Object.assign(updated, input.entries);
    yield ['updated_dictionary', updated];
  },
  testCases: [
    { input: { dictionary: { existing_key: 'existing_value' }, key: 'new_key', value: 'new_value' }, output: [['updated_dictionary', { existing_key: 'existing_value', new_key: 'new_value' }]] },
    { input: { key: 'first_key', value: 'first_value' }, output: [['updated_dictionary', { first_key: 'first_value' }]] },
    {
      input: { dictionary: { existing_key: 'existing_value' }, entries: { new_key: 'new_value', first_key: 'first_value' } },
      output: [['updated_dictionary', { existing_key: 'existing_value', new_key: 'new_value', first_key: 'first_value' }]],
    },
  ],
});

export const FindInDictionaryBlock = defineBlock({
  id: '0e50422c-6dee-4145-83d6-3a5a392f65de',
  name: 'FindInDictionaryBlock',
  description:
    'Looks up a value in a dictionary, list or object by key or index (JSON strings are parsed first). On a list of dictionaries a string key plucks that key from every item.',
  categories: ['DATA', 'BASIC'],
  input: z.object({
    input: z.any().describe('Dictionary to lookup from'),
    key: z.union([z.string(), z.int()]).describe('Key to lookup in the dictionary'),
  }),
  output: z.object({
    output: z.any().describe('Value found for the given key'),
    missing: z.any().describe('Value of the input that missing the key'),
  }),
  async *run(input) {
    const obj = parseMaybeJson(input.input);
    const key = input.key;
    if (isPlainObject(obj) && has(obj, String(key))) yield ['output', obj[String(key)]];
    else if (Array.isArray(obj) && typeof key === 'number' && key >= 0 && key < obj.length) yield ['output', obj[key]];
    else if (Array.isArray(obj) && typeof key === 'string') yield ['output', obj.filter((item) => isPlainObject(item) && has(item, key)).map((item) => (item as Record<string, unknown>)[key])];
    else yield ['missing', input.input];
  },
  testCases: [
    { input: { input: { apple: 1, banana: 2, cherry: 3 }, key: 'banana' }, output: [['output', 2]] },
    { input: { input: { x: 10, y: 20, z: 30 }, key: 'w' }, output: [['missing', { x: 10, y: 20, z: 30 }]] },
    { input: { input: [1, 2, 3], key: 1 }, output: [['output', 2]] },
    { input: { input: [1, 2, 3], key: 3 }, output: [['missing', [1, 2, 3]]] },
    { input: { input: [{ k1: 'v1' }, { k2: 'v2' }, { k1: 'v3' }], key: 'k1' }, output: [['output', ['v1', 'v3']]] },
    { name: 'parses JSON strings', input: { input: '{"status": "ok"}', key: 'status' }, output: [['output', 'ok']] },
  ],
});

export const RemoveFromDictionaryBlock = defineBlock({
  id: '46afe2ea-c613-43f8-95ff-6692c3ef6876',
  name: 'RemoveFromDictionaryBlock',
  description: 'Removes a key-value pair from a dictionary.',
  categories: ['DATA', 'BASIC'],
  input: z.object({
    dictionary: dict().describe('The dictionary to modify.'),
    key: z.union([z.string(), z.int()]).describe('Key to remove from the dictionary.'),
    return_value: z.boolean().default(false).describe('Whether to return the removed value.'),
  }),
  output: z.object({ updated_dictionary: dict().describe('The dictionary after removal.'), removed_value: z.any().describe('The removed value if requested.') }),
  async *run(input) {
    const key = String(input.key);
    if (!has(input.dictionary, key)) {
      yield ['error', `Key '${key}' not found in dictionary`];
      return;
    }
    const { [key]: removed, ...rest } = input.dictionary;
    yield ['updated_dictionary', rest];
    if (input.return_value) yield ['removed_value', removed];
  },
  testCases: [
    { input: { dictionary: { a: 1, b: 2, c: 3 }, key: 'b', return_value: true }, output: [['updated_dictionary', { a: 1, c: 3 }], ['removed_value', 2]] },
    { input: { dictionary: { x: 'hello', y: 'world' }, key: 'x' }, output: [['updated_dictionary', { y: 'world' }]] },
    { input: { dictionary: { x: 1 }, key: 'nope' }, output: [['error', "Key 'nope' not found in dictionary"]] },
  ],
});

export const ReplaceDictionaryValueBlock = defineBlock({
  id: '27e31876-18b6-44f3-ab97-f6226d8b3889',
  name: 'ReplaceDictionaryValueBlock',
  description: 'Replaces the value for a specified key in a dictionary.',
  categories: ['DATA', 'BASIC'],
  input: z.object({
    dictionary: dict().describe('The dictionary to modify.'),
    key: z.union([z.string(), z.int()]).describe('Key to replace the value for.'),
    value: z.any().describe('The new value for the given key.'),
  }),
  output: z.object({ updated_dictionary: dict().describe('The dictionary after replacement.'), old_value: z.any().describe('The value that was replaced.') }),
  async *run(input) {
    const key = String(input.key);
    if (!has(input.dictionary, key)) {
      yield ['error', `Key '${key}' not found in dictionary`];
      return;
    }
    yield ['updated_dictionary', { ...input.dictionary, [key]: input.value }];
    yield ['old_value', input.dictionary[key]];
  },
  testCases: [
    { input: { dictionary: { a: 1, b: 2, c: 3 }, key: 'b', value: 99 }, output: [['updated_dictionary', { a: 1, b: 99, c: 3 }], ['old_value', 2]] },
    { input: { dictionary: { a: 1 }, key: 'z', value: 2 }, output: [['error', "Key 'z' not found in dictionary"]] },
  ],
});

export const DictionaryIsEmptyBlock = defineBlock({
  id: 'a3cf3f64-6bb9-4cc6-9900-608a0b3359b0',
  name: 'DictionaryIsEmptyBlock',
  description: 'Checks if a dictionary is empty.',
  categories: ['DATA', 'LOGIC'],
  input: z.object({ dictionary: dict().describe('The dictionary to check.') }),
  output: z.object({ is_empty: z.boolean().describe('True if the dictionary is empty.') }),
  async *run(input) {
    yield ['is_empty', Object.keys(input.dictionary).length === 0];
  },
  testCases: [
    { input: { dictionary: {} }, output: [['is_empty', true]] },
    { input: { dictionary: { a: 1 } }, output: [['is_empty', false]] },
  ],
});

/** Reads `a.b[0].c` style paths; a plain key with dots is tried first. */
export function getPath(obj: unknown, path: string): { found: boolean; value?: unknown } {
  if (isPlainObject(obj) && has(obj, path)) return { found: true, value: obj[path] };
  const segments = path.match(/[^.[\]]+/g) ?? [];
  let current: unknown = obj;
  for (const seg of segments) {
    if (Array.isArray(current) && /^-?\d+$/.test(seg)) {
      const i = Number(seg) < 0 ? current.length + Number(seg) : Number(seg);
      if (i < 0 || i >= current.length) return { found: false };
      current = current[i];
    } else if (isPlainObject(current) && has(current, seg)) current = current[seg];
    else return { found: false };
  }
  return { found: segments.length > 0, value: current };
}

export const GetDictionaryValueBlock = defineBlock({
  id: '94e2534f-b1df-49e9-94fa-f3d6edf37519',
  name: 'GetDictionaryValueBlock',
  description: 'Reads a value by key or path (`user.address.city`, `items[0].id`) from a dictionary or JSON string; yields `default_value` on `missing` when absent.',
  categories: ['DATA'],
  input: z.object({
    dictionary: z.any().describe('Dictionary (or JSON string) to read from'),
    path: z.string().describe('Key or dotted path, e.g. "user.name" or "items[0].id"'),
    default_value: z.any().optional().describe('Yielded on `missing` when the path is absent'),
  }),
  output: z.object({ value: z.any().describe('The value at the path'), missing: z.any().describe('The default value, when the path is absent') }),
  async *run(input) {
    const found = getPath(parseMaybeJson(input.dictionary), input.path);
    if (found.found) yield ['value', found.value];
    else yield ['missing', input.default_value ?? null];
  },
  testCases: [
    { input: { dictionary: { user: { tags: ['a', 'b'], name: 'Bo' } }, path: 'user.tags[1]' }, output: [['value', 'b']] },
    { input: { dictionary: { 'a.b': 1, a: { b: 2 } }, path: 'a.b' }, output: [['value', 1]] },
    { input: { dictionary: '{"x": {"y": null}}', path: 'x.y' }, output: [['value', null]] },
    { input: { dictionary: { x: 1 }, path: 'y', default_value: 'none' }, output: [['missing', 'none']] },
  ],
});

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isPlainObject(out[k]) && isPlainObject(v) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

export const MergeDictionariesBlock = defineBlock({
  id: 'de5fc692-11f1-45ca-99eb-2bcc04455411',
  name: 'MergeDictionariesBlock',
  description: 'Merges dictionaries left to right (later keys win); `deep` merges nested dictionaries instead of replacing them.',
  categories: ['DATA'],
  input: z.object({
    dictionaries: z.array(dict()).describe('Dictionaries to merge, in order (feed with `dictionaries_$_0`, `dictionaries_$_1`…)'),
    deep: z.boolean().default(false).describe('Merge nested dictionaries recursively'),
  }),
  output: z.object({ merged: dict().describe('The merged dictionary') }),
  async *run(input) {
    yield ['merged', input.dictionaries.reduce<Record<string, unknown>>((acc, d) => (input.deep ? deepMerge(acc, d) : { ...acc, ...d }), {})];
  },
  testCases: [
    { input: { dictionaries: [{ a: 1, n: { x: 1 } }, { b: 2, n: { y: 2 } }] }, output: [['merged', { a: 1, b: 2, n: { y: 2 } }]] },
    { input: { dictionaries: [{ a: 1, n: { x: 1 } }, { a: 3, n: { y: 2 } }], deep: true }, output: [['merged', { a: 3, n: { x: 1, y: 2 } }]] },
    { name: 'list pins', input: { 'dictionaries_$_0': { a: 1 }, 'dictionaries_$_1': { a: 2 } }, output: [['merged', { a: 2 }]] },
  ],
});

export const DictionaryKeysValuesBlock = defineBlock({
  id: '87d93748-5b20-4089-8337-4bcea69217c0',
  name: 'DictionaryKeysValuesBlock',
  description: 'Yields the keys, the values and the number of entries of a dictionary (or JSON object string).',
  categories: ['DATA'],
  input: z.object({ dictionary: z.any().describe('Dictionary (or JSON string) to inspect') }),
  output: z.object({ keys: z.array(z.string()), values: z.array(z.any()), length: z.int() }),
  async *run(input) {
    const d = parseMaybeJson(input.dictionary);
    if (!isPlainObject(d)) {
      yield ['error', 'Input is not a dictionary'];
      return;
    }
    yield ['keys', Object.keys(d)];
    yield ['values', Object.values(d)];
    yield ['length', Object.keys(d).length];
  },
  testCases: [
    { input: { dictionary: { a: 1, b: [2] } }, output: [['keys', ['a', 'b']], ['values', [1, [2]]], ['length', 2]] },
    { input: { dictionary: [1, 2] }, output: [['error', 'Input is not a dictionary']] },
  ],
});
