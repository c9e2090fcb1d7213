import { fieldsFromSchema, parseFieldInput, validateField } from './forms';

describe('forms', () => {
  const fields = fieldsFromSchema({
    type: 'object',
    required: ['name', 'count'],
    properties: {
      name: { type: 'string', title: 'Your name' },
      count: { type: 'integer', minimum: 1 },
      ratio: { type: 'number' },
      enabled: { type: 'boolean' },
      model: { type: 'string', enum: ['small', 'large'] },
      api_key: { type: 'string', secret: true },
      options: { type: 'object' },
      tags: { type: 'array', items: { type: 'string' }, advanced: true },
    },
  });
  const f = (name: string) => fields.find((x) => x.name === name)!;

  it('maps schema types to controls', () => {
    expect(fields.map((x) => [x.name, x.kind])).toEqual([
      ['name', 'text'],
      ['count', 'integer'],
      ['ratio', 'number'],
      ['enabled', 'boolean'],
      ['model', 'select'],
      ['api_key', 'password'],
      ['options', 'json'],
      ['tags', 'json'],
    ]);
    expect(f('name').label).toBe('Your name');
    expect(f('api_key').label).toBe('Api key');
    expect(f('tags').advanced).toBe(true);
  });

  it('parses raw input with inline errors', () => {
    expect(parseFieldInput(f('count'), '3')).toEqual({ value: 3 });
    expect(parseFieldInput(f('count'), '3.5').error).toBe('Must be a whole number');
    expect(parseFieldInput(f('ratio'), 'abc').error).toBe('Must be a number');
    expect(parseFieldInput(f('options'), '{"a":1}')).toEqual({ value: { a: 1 } });
    expect(parseFieldInput(f('options'), '{').error).toBe('Invalid JSON');
    expect(parseFieldInput(f('ratio'), '')).toEqual({ value: undefined });
  });

  it('takes plain text for untyped inputs and never calls a checkbox missing', () => {
    const [any] = fieldsFromSchema({ type: 'object', properties: { value: {} } });
    expect(any.kind).toBe('json');
    expect(parseFieldInput(any, 'hello')).toEqual({ value: 'hello' });
    expect(parseFieldInput(any, '{"a":1}')).toEqual({ value: { a: 1 } });
    const [flag] = fieldsFromSchema({ type: 'object', required: ['flag'], properties: { flag: { type: 'boolean' } } });
    expect(validateField(flag, undefined, false)).toBeNull();
  });

  it('validates stored values; linked inputs are always satisfied', () => {
    expect(validateField(f('name'), undefined, false)).toBe('Required');
    expect(validateField(f('name'), undefined, true)).toBeNull();
    expect(validateField(f('count'), 0, false)).toBe('Must be ≥ 1');
    expect(validateField(f('model'), 'medium', false)).toBe('Choose one of the listed values');
    expect(validateField(f('options'), [1], false)).toBe('Must be a JSON object');
    expect(validateField(f('tags'), ['a'], false)).toBeNull();
  });
});
