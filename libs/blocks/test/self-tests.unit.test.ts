import { runBlockTestCase } from '@agentry/block-sdk';
import { allBlocks } from '../src';

/** One jest test per (block, self-test case) for every registered block; cases that need fake servers run in self-tests-net.int.test.ts. */
describe.each(allBlocks.map((b) => [b.name, b] as const))('%s', (_name, block) => {
  const cases = block.testCases
    .map((tc, i) => [tc.name ?? `case ${i + 1}`, tc] as const)
    .filter(([, tc]) => !tc.needs?.length);
  if (cases.length === 0) {
    it('has only network cases (run by the int tier)', () => expect(block.testCases.length).toBeGreaterThan(0));
    return;
  }
  it.each(cases)('%s', async (_caseName, testCase) => {
    const result = await runBlockTestCase(block, testCase);
    expect(result.actual).toEqual(result.expected);
  });
});
