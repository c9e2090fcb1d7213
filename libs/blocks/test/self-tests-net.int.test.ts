import { createTestContext, runBlockTestCase, type BlockTestCase } from '@agentry/block-sdk';
import { allBlocks } from '../src';
import * as testing from '@agentry/testing';

type StartFakeServers = (needs: string[]) => Promise<{ close(): Promise<void> | void }>;

/** Self-test cases that need local fake servers (`needs`): started per case through @agentry/testing's startFakeServers. */
const netCases = allBlocks.flatMap((block) =>
  block.testCases
    .map((tc, i) => [`${block.name} › ${tc.name ?? `case ${i + 1}`}`, block, tc] as const)
    .filter(([, , tc]) => (tc as BlockTestCase).needs?.length),
);

it('every network case names the fake servers it needs', () => {
  for (const [, , tc] of netCases) expect(tc.needs!.every((n) => typeof n === 'string' && n.length > 0)).toBe(true);
});

if (netCases.length > 0) {
  it.each(netCases)('%s', async (_name, block, testCase) => {
    const start = (testing as Record<string, unknown>).startFakeServers as StartFakeServers | undefined;
    if (typeof start !== 'function') throw new Error('@agentry/testing does not export startFakeServers yet');
    const fakes = await start(testCase.needs!);
    try {
      const result = await runBlockTestCase(block, testCase, createTestContext({ credentials: testCase.credentials }));
      expect(result.actual).toEqual(result.expected);
    } finally {
      await fakes.close();
    }
  });
}
