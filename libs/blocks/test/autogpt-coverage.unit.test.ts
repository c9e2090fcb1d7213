import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogueBlocks } from '../src';

/**
 * The blocks that AutoGPT's published store agents use (a copy of the shared blocks-used.json facts): every one
 * must be in the catalogue under AutoGPT's id and class name, with the pins the agents link to.
 */
interface UsedBlock {
  id: string;
  className: string;
  inputs: Array<{ name: string }>;
  outputs: Array<{ name: string }>;
  inputPinsSeenInAgents: string[];
  outputPinsSeenInAgents: string[];
  credentials: string | null;
}
const used = (
  JSON.parse(readFileSync(join(__dirname, 'fixtures', 'autogpt-blocks-used.json'), 'utf8')) as { blocks: UsedBlock[] }
).blocks;
const byId = new Map(catalogueBlocks.map((b) => [b.id, b]));
/** Pins addressing part of a structured pin (`_#_` dict key, `_$_` list index, `_^_` tool routing) are dynamic. */
const isDynamic = (pin: string): boolean => /_[#$^]_/.test(pin);

describe('AutoGPT block coverage', () => {
  it('has every block AutoGPT store agents use, under its AutoGPT id', () => {
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((b) => !byId.has(b.id)).map((b) => `${b.className} ${b.id}`)).toEqual([]);
  });

  it('keeps AutoGPT class names', () => {
    const mismatched = used
      .map((b) => ({ id: b.id, expected: b.className.split(' ')[0], actual: byId.get(b.id)?.name }))
      .filter((b) => b.actual !== b.expected);
    expect(mismatched).toEqual([]);
  });

  it('has AutoGPT\'s input and output pins, and every pin the agents link to', () => {
    const missing: string[] = [];
    for (const b of used) {
      const block = byId.get(b.id)!;
      // A sub-agent's pins are the input and output names of the graph it runs.
      if (block.kind === 'agent') continue;
      const inputs = Object.keys(block.inputSchema.properties ?? {});
      const outputs = Object.keys(block.outputSchema.properties ?? {});
      const declaredInputs = [...b.inputs.map((i) => i.name), ...b.inputPinsSeenInAgents];
      const declaredOutputs = [...b.outputs.map((o) => o.name), ...b.outputPinsSeenInAgents];
      for (const pin of new Set(declaredInputs.filter((p) => !isDynamic(p))))
        if (!inputs.includes(pin)) missing.push(`${b.className} input ${pin}`);
      for (const pin of new Set(declaredOutputs.filter((p) => !isDynamic(p))))
        if (!outputs.includes(pin) && !block.outputSchema.additionalProperties) missing.push(`${b.className} output ${pin}`);
    }
    expect(missing).toEqual([]);
  });

  it('asks for credentials of the provider AutoGPT uses', () => {
    const wrong = used
      .filter((b) => b.credentials && /^[a-z_]+ (api_key|oauth2|user_password)/.test(b.credentials))
      .map((b) => ({ name: b.className, provider: b.credentials!.split(' ')[0], block: byId.get(b.id)! }))
      .filter(({ provider, block }) => !block.credentials?.providers.includes(provider))
      .map(({ name, provider, block }) => `${name}: wants ${provider}, has ${block.credentials?.providers.join('|')}`);
    expect(wrong).toEqual([]);
  });
});
