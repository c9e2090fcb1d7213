import { isSchemaAssignable, type JsonSchema } from '../src';

const s = (type: string | string[], extra: JsonSchema = {}): JsonSchema => ({ type, ...extra });

describe('isSchemaAssignable', () => {
  it.each<[string, JsonSchema, JsonSchema, boolean]>([
    ['any source to string', {}, s('string'), true],
    ['string to any sink', s('string'), {}, true],
    ['string to string', s('string'), s('string'), true],
    ['string to number', s('string'), s('number'), false],
    ['integer to number', s('integer'), s('number'), true],
    ['number to integer', s('number'), s('integer'), false],
    ['object to array', s('object'), s('array'), false],
    ['array to array of other items', s('array', { items: s('string') }), s('array', { items: s('number') }), true],
    ['nullable string to string', s(['string', 'null']), s('string'), true],
    [
      'string|integer to anyOf[string, number]',
      { anyOf: [s('string'), s('integer')] },
      { anyOf: [s('string'), s('number')] },
      true,
    ],
    ['string|object to string', { anyOf: [s('string'), s('object')] }, s('string'), false],
    ['string to anyOf[number, null]', s('string'), { anyOf: [s('number'), s('null')] }, false],
    ['anyOf with an any branch', s('boolean'), { anyOf: [s('number'), {}] }, true],
    ['enum inside sink enum', s('string', { enum: ['a'] }), s('string', { enum: ['a', 'b'] }), true],
    ['enum outside sink enum', s('string', { enum: ['a', 'z'] }), s('string', { enum: ['a', 'b'] }), false],
    ['properties imply object', { properties: { a: {} } }, s('object'), true],
  ])('%s', (_name, source, sink, ok) => {
    const result = isSchemaAssignable(source, sink);
    expect(result.ok).toBe(ok);
    if (!ok) expect(result.reason).toEqual(expect.any(String));
  });
});
