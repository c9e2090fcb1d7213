import type { BlockDefinition } from '../api/types';
import { compileBlock, estimateHandles, estimateNodeSize } from './blockModel';

const template: BlockDefinition = {
  id: 't',
  name: 'FillTextTemplateBlock',
  description: '',
  categories: ['TEXT'],
  kind: 'standard',
  inputSchema: {
    type: 'object',
    properties: {
      values: { type: 'object', additionalProperties: {} },
      format: { type: 'string' },
      escape_html: { type: 'boolean', default: false, advanced: true },
    },
    required: ['values', 'format'],
  },
  outputSchema: { type: 'object', properties: { output: { type: 'string' }, error: { type: 'string' } } },
};

describe('estimated handle bounds (so React Flow can cull cards it has never drawn)', () => {
  it('places inputs on the left, outputs on the right, top to bottom, inside the card', () => {
    const model = compileBlock(template);
    const size = estimateNodeSize(model, 1);
    const handles = estimateHandles(model, size, { values: ['topic'] });
    expect(handles.map((h) => `${h.type}:${h.id}`)).toEqual([
      'target:values',
      'target:values_#_topic',
      'target:format',
      'source:output',
      'source:error',
    ]);
    for (const h of handles) {
      expect(h.position).toBe(h.type === 'target' ? 'left' : 'right');
      expect(h.y).toBeGreaterThanOrEqual(0);
      expect(h.y + h.height).toBeLessThanOrEqual(size.height);
    }
    const ys = handles.map((h) => h.y);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
  });

  it('adds pins only links know about (a linked advanced input), once', () => {
    const model = compileBlock(template);
    const handles = estimateHandles(model, estimateNodeSize(model), {}, { targets: ['escape_html', 'format'], sources: ['output'] });
    expect(handles.filter((h) => h.id === 'escape_html')).toHaveLength(1);
    expect(handles.filter((h) => h.id === 'format')).toHaveLength(1);
    expect(handles.filter((h) => h.id === 'output')).toHaveLength(1);
  });

  it('still gives an unknown block the handles its links need', () => {
    const handles = estimateHandles(undefined, { width: 260, height: 80 }, {}, { targets: ['a'], sources: ['b'] });
    expect(handles.map((h) => `${h.type}:${h.id}`)).toEqual(['target:a', 'source:b']);
  });
});
