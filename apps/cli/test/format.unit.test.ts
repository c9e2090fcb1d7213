import { ApiError, describeError, fieldErrors, NotSupportedError, UsageError } from '../src/errors';
import { bar, duration, parseInputs, parseSettings, render, table } from '../src/format';

describe('parseInputs', () => {
  it('reads name=text as a string and name:=json as JSON', () => {
    expect(parseInputs(['topic=world', 'count:=3', 'tags:=["a","b"]', 'empty=', 'eq=a=b'])).toEqual({
      topic: 'world',
      count: 3,
      tags: ['a', 'b'],
      empty: '',
      eq: 'a=b',
    });
  });

  it('refuses a pair without =, bad JSON and a repeated name as usage errors', () => {
    expect(() => parseInputs(['topic'])).toThrow(UsageError);
    expect(() => parseInputs(['n:={'])).toThrow(/not valid JSON/);
    expect(() => parseInputs(['a=1', 'a=2'])).toThrow(/given twice/);
    expect(() => parseInputs(['=x'])).toThrow(UsageError);
  });
});

describe('parseSettings', () => {
  it('turns numbers and booleans into themselves', () => {
    expect(parseSettings(['executionsPerDay=500', 'strict=true', 'name=x'], '--set')).toEqual({
      executionsPerDay: 500,
      strict: true,
      name: 'x',
    });
    expect(() => parseSettings(['oops'], '--set')).toThrow(/--set expects name=value/);
  });
});

describe('table', () => {
  it('aligns columns, shows - for empty cells and cuts long ones', () => {
    const out = table(
      [
        { id: 'a', name: 'Greeting', n: 3 },
        { id: 'bbbb', name: 'x'.repeat(50), n: undefined },
      ],
      [
        { header: 'ID', value: (r) => r.id },
        { header: 'NAME', value: (r) => r.name, max: 10 },
        { header: 'N', value: (r) => r.n },
      ],
    );
    expect(out.split('\n')).toEqual(['ID    NAME        N', 'a     Greeting    3', 'bbbb  xxxxxxxxx…  -']);
  });
});

describe('render', () => {
  it('shows { items } as a table and an object as key lines', () => {
    expect(render({ items: [{ userId: 'u1', role: 'owner' }] })).toBe('USER_ID  ROLE\nu1       owner');
    expect(render({ executionsPerDay: 5 })).toBe('executionsPerDay: 5');
    expect(render({ items: [] })).toBe('(none)');
  });
});

describe('duration and bar', () => {
  it('formats how long something took', () => {
    expect(duration('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.250Z')).toBe('250ms');
    expect(duration('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:02.500Z')).toBe('2.5s');
    expect(duration('2026-01-01T00:00:00.000Z', '2026-01-01T00:03:04.000Z')).toBe('3m 04s');
    expect(duration('2026-01-01T00:00:00.000Z', undefined)).toBe('');
  });

  it('draws a progress bar', () => {
    expect(bar(1, 4, 8)).toBe('[##------] 1/4');
    expect(bar(0, 0, 4)).toBe('[----] 0/0');
  });
});

describe('describeError', () => {
  it('shows the detail, the code, every field problem and a hint', () => {
    const err = new ApiError('POST', '/api/v1/graphs', {
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'the graph is invalid',
      errors: { ghost: { blockId: 'unknown block' } },
    });
    expect(describeError(err)).toEqual([
      'error: the graph is invalid (VALIDATION_FAILED)',
      '  ghost.blockId: unknown block',
    ]);
    const expired = new ApiError('GET', '/api/v1/me', {
      status: 401,
      code: 'TOKEN_EXPIRED',
      detail: 'the token has expired',
    });
    expect(describeError(expired)).toEqual([
      'error: the token has expired (TOKEN_EXPIRED)',
      'hint: sign in again with `agentry login`',
    ]);
  });

  it('says plainly when the server lacks a route', () => {
    const [line] = describeError(new NotSupportedError('GET', '/api/v1/tenants/t/usage', 'http://x'));
    expect(line).toMatch(/does not support this yet/);
    expect(line).toMatch(/GET \/api\/v1\/tenants\/t\/usage/);
  });

  it('flattens nested and listed field errors', () => {
    expect(fieldErrors({ nodes: [{ id: 'required' }] })).toEqual(['nodes[0].id: required']);
  });
});
