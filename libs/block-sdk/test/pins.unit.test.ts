import { mergeDynamicPins, pickFromOutput, resolvePin, splitPinName } from '../src';

describe('splitPinName', () => {
  it.each([
    ['values', { base: 'values', kind: 'plain' }],
    ['values_#_topic', { base: 'values', kind: 'dict', key: 'topic' }],
    ['values_#_Email ID', { base: 'values', kind: 'dict', key: 'Email ID' }],
    ['input_$_1', { base: 'input', kind: 'list', key: '1' }],
    ['obj_@_attr', { base: 'obj', kind: 'object', key: 'attr' }],
    ['a_#_b_$_0', { base: 'a', kind: 'dict', key: 'b_$_0' }],
    ['_#_x', { base: '_#_x', kind: 'plain' }],
  ])('%s', (pin, expected) => expect(splitPinName(pin)).toEqual(expected));
});

describe('mergeDynamicPins', () => {
  it('folds dict, list and object pins into their containers, keeping defaults', () => {
    const input = { values: { a: 1 }, 'values_#_b': 2, list_$_2: 'c', list: ['a'], 'obj_@_x': true, other: 'kept' };
    expect(mergeDynamicPins(input)).toEqual({
      values: { a: 1, b: 2 },
      list: ['a', '', 'c'],
      obj: { x: true },
      other: 'kept',
    });
    expect(input.values).toEqual({ a: 1 });
    expect(input.list).toEqual(['a']);
  });

  it('creates containers that do not exist and overwrites entries', () => {
    expect(mergeDynamicPins({ 'v_#_k': 1, l_$_0: 'x' })).toEqual({ v: { k: 1 }, l: ['x'] });
    expect(mergeDynamicPins({ v: { k: 'old' }, 'v_#_k': 'new' })).toEqual({ v: { k: 'new' } });
  });

  it('rejects a list pin whose index is not a number', () => {
    expect(() => mergeDynamicPins({ l_$_x: 1 })).toThrow('list index');
  });
});

describe('resolvePin', () => {
  const schema = {
    type: 'object',
    properties: {
      values: { type: 'object', additionalProperties: { type: 'string' } },
      input: { type: 'array', items: { type: 'number' } },
      any: {},
    },
  };
  it('resolves plain and dynamic pins with their element schema', () => {
    expect(resolvePin(schema, 'values')).toEqual({ base: 'values', kind: 'plain', schema: schema.properties.values });
    expect(resolvePin(schema, 'values_#_topic')).toEqual({
      base: 'values',
      kind: 'dict',
      key: 'topic',
      schema: { type: 'string' },
    });
    expect(resolvePin(schema, 'input_$_3')?.schema).toEqual({ type: 'number' });
    expect(resolvePin(schema, 'any_#_x')?.schema).toEqual({});
  });
  it('refuses unknown pins and bad list indices', () => {
    expect(resolvePin(schema, 'nope')).toBeUndefined();
    expect(resolvePin(schema, 'nope_#_x')).toBeUndefined();
    expect(resolvePin(schema, 'input_$_first')).toBeUndefined();
  });
});

describe('pickFromOutput', () => {
  it('reads a key or index out of a yielded structure', () => {
    expect(pickFromOutput('result', 'result', { status: 1 })).toEqual({ matched: true, value: { status: 1 } });
    expect(pickFromOutput('result_#_status', 'result', { status: 'ok' })).toEqual({ matched: true, value: 'ok' });
    expect(pickFromOutput('list_$_1', 'list', ['a', 'b'])).toEqual({ matched: true, value: 'b' });
    expect(pickFromOutput('result_#_status', 'result', { other: 1 })).toEqual({ matched: false });
    expect(pickFromOutput('result_#_status', 'error', 'x')).toEqual({ matched: false });
  });
});
