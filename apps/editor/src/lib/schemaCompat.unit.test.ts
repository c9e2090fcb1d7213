import { checkCompatibility, pinType, schemaTypes } from './schemaCompat';

describe('schemaCompat', () => {
  it('accepts identical primitive types', () => {
    expect(checkCompatibility({ type: 'string' }, { type: 'string' })).toEqual({ ok: true });
  });

  it('refuses a number output into a boolean input with an explanation', () => {
    const verdict = checkCompatibility({ type: 'number' }, { type: 'boolean' });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toBe('number output cannot feed a boolean input');
  });

  it('treats untyped pins on either side as any', () => {
    expect(checkCompatibility({}, { type: 'boolean' }).ok).toBe(true);
    expect(checkCompatibility({ type: 'number' }, {}).ok).toBe(true);
    expect(checkCompatibility(undefined, { type: 'object' }).ok).toBe(true);
  });

  it('lets integers feed numbers but not the reverse', () => {
    expect(checkCompatibility({ type: 'integer' }, { type: 'number' }).ok).toBe(true);
    expect(checkCompatibility({ type: 'number' }, { type: 'integer' }).ok).toBe(false);
  });

  it('requires every source union member to be accepted', () => {
    expect(checkCompatibility({ anyOf: [{ type: 'string' }, { type: 'number' }] }, { type: 'string' }).ok).toBe(false);
    expect(checkCompatibility({ type: 'string' }, { anyOf: [{ type: 'string' }, { type: 'null' }] }).ok).toBe(true);
  });

  it('checks list items and enum subsets', () => {
    expect(
      checkCompatibility({ type: 'array', items: { type: 'string' } }, { type: 'array', items: { type: 'number' } }).ok,
    ).toBe(false);
    expect(
      checkCompatibility({ type: 'array', items: { type: 'integer' } }, { type: 'array', items: { type: 'number' } })
        .ok,
    ).toBe(true);
    expect(checkCompatibility({ enum: ['a', 'b'] }, { enum: ['a'] }).ok).toBe(false);
    expect(checkCompatibility({ enum: ['a'] }, { type: 'string', enum: ['a', 'b'] }).ok).toBe(true);
  });

  it('derives display types', () => {
    expect(pinType({ type: ['string', 'null'] })).toBe('string');
    expect(pinType({ anyOf: [{ type: 'string' }, { type: 'number' }] })).toBe('any');
    expect([...schemaTypes({ enum: [1, 2.5] })].sort()).toEqual(['integer', 'number']);
    expect(pinType({ properties: { a: {} } })).toBe('object');
  });
});
