import { allBlocks, catalogueBlocks, createRegistry, localBlocks } from '../src';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('block registry', () => {
  it('has unique uuid ids and unique names', () => {
    const ids = allBlocks.map((b) => b.id);
    const names = allBlocks.map((b) => b.name);
    expect(ids.filter((id) => !UUID.test(id))).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('gives every block at least one self-test case and a category', () => {
    expect(allBlocks.filter((b) => b.testCases.length === 0).map((b) => b.name)).toEqual([]);
    expect(allBlocks.filter((b) => b.categories.length === 0).map((b) => b.name)).toEqual([]);
  });

  it('describes every input and output as an object schema', () => {
    for (const b of allBlocks) {
      expect({ block: b.name, input: b.inputSchema.type, output: b.outputSchema.type }).toEqual({
        block: b.name,
        input: 'object',
        output: 'object',
      });
      expect(b.inputSchema.properties).toBeDefined();
      expect(b.outputSchema.properties).toBeDefined();
    }
  });

  it('looks blocks up by id', () => {
    const registry = createRegistry();
    expect(registry.get('db7d8f02-2f44-4c55-ab7a-eae0941f0c30')?.name).toBe('FillTextTemplateBlock');
    expect(registry.get('00000000-0000-0000-0000-000000000000')).toBeUndefined();
    expect(registry.list()).toHaveLength(catalogueBlocks.length);
    expect(registry.get('e189baac-8c20-45a1-94a7-55177ea42565')?.kind).toBe('agent');
  });

  it('keeps AutoGPT graph input/output blocks engine-ready', () => {
    const byName = new Map(localBlocks.map((b) => [b.name, b]));
    const input = byName.get('AgentInputBlock')!;
    expect(input).toMatchObject({ id: 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', kind: 'input', staticOutput: true });
    expect(Object.keys(input.outputSchema.properties!)).toEqual(['result']);
    expect(byName.get('AgentOutputBlock')).toMatchObject({
      id: '363ae599-353e-4804-937e-b2ee3cef3da4',
      kind: 'output',
    });
    expect(byName.get('NoteBlock')?.kind).toBe('note');
    expect(byName.get('StoreValueBlock')?.staticOutput).toBe(true);
    expect(byName.get('RetrieveInformationBlock')?.staticOutput).toBe(true);
    // Standard blocks carry the automatic error pin that links from `error` rely on.
    expect(byName.get('XMLParserBlock')?.outputSchema.properties?.error).toEqual(
      expect.objectContaining({ type: 'string' }),
    );
    expect(input.outputSchema.properties?.error).toBeUndefined();
  });
});
