import { dynamicKeysFromPins, inputPinSchema, isDictSchema, parsePinName, validateDictKey } from './pins';

describe('pins', () => {
  const schema = {
    type: 'object',
    properties: {
      values: { type: 'object', additionalProperties: { type: 'number' } },
      items: { type: 'array', items: { type: 'string' } },
      text: { type: 'string' },
    },
  };

  it('parses dynamic pin names', () => {
    expect(parsePinName('values_#_name')).toEqual({ base: 'values', kind: 'dict', key: 'name' });
    expect(parsePinName('items_$_3')).toEqual({ base: 'items', kind: 'list', key: '3' });
    expect(parsePinName('obj_@_attr')).toEqual({ base: 'obj', kind: 'attr', key: 'attr' });
    expect(parsePinName('plain')).toEqual({ base: 'plain' });
  });

  it('resolves dynamic pin schemas from their base input', () => {
    expect(inputPinSchema(schema, 'values_#_a')).toEqual({ type: 'number' });
    expect(inputPinSchema(schema, 'items_$_0')).toEqual({ type: 'string' });
    expect(inputPinSchema(schema, 'text')).toEqual({ type: 'string' });
    expect(inputPinSchema(schema, 'missing')).toBeUndefined();
  });

  it('recognises dict inputs and collects their keys from pin names', () => {
    expect(isDictSchema(schema.properties.values)).toBe(true);
    expect(isDictSchema({ type: 'object', properties: { a: {} } })).toBe(false);
    expect(dynamicKeysFromPins(['values_#_a', 'text', 'values_#_b', 'values_#_a'])).toEqual({ values: ['a', 'b'] });
  });

  it('validates new dict keys', () => {
    expect(validateDictKey('', [])).toBe('Key is required');
    expect(validateDictKey('a', ['a'])).toMatch(/already exists/);
    expect(validateDictKey('x_#_y', [])).toMatch(/must not contain/);
    expect(validateDictKey('name', ['a'])).toBeNull();
  });
});
