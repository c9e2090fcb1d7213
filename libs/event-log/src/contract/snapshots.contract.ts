import type { SnapshotStore } from '../ports';
import { useFixture, waitUntil, type MakeFixture } from './harness';

const state = (n: number) => ({
  n,
  nodes: [['a#1', { status: 'COMPLETED', outputs: { out: [n] } }]],
  set: ['x'],
  none: null,
});

/**
 * Behaviour every SnapshotStore adapter must show (libs/event-log README, "Snapshots"). The fixture's clients
 * must carry `snapshots`. Reads by another client are awaited (an adapter may show a save to others shortly after).
 */
export function snapshotStoreContract(name: string, makeFixture: MakeFixture): void {
  describe(`SnapshotStore contract: ${name}`, () => {
    const connect = useFixture(makeFixture);
    const open = async (): Promise<SnapshotStore> => {
      const { snapshots } = await connect();
      if (!snapshots) throw new Error(`${name}: the fixture's clients have no snapshots`);
      return snapshots;
    };

    it('returns undefined for a key never saved, and what was saved (with savedAt) after a save', async () => {
      const snapshots = await open();
      expect(await snapshots.load('execution-1')).toBeUndefined();
      const before = Date.now();
      await snapshots.save({ key: 'execution-1', version: 7, schema: 'execution/1', state: state(7) });
      const loaded = await snapshots.load<ReturnType<typeof state>>('execution-1');
      expect(loaded).toEqual({
        key: 'execution-1',
        version: 7,
        schema: 'execution/1',
        state: state(7),
        savedAt: expect.any(String),
      });
      expect(new Date(loaded!.savedAt).toISOString()).toBe(loaded!.savedAt);
      expect(Date.parse(loaded!.savedAt)).toBeGreaterThanOrEqual(before - 1000);
    });

    it('keeps arbitrary JSON state intact', async () => {
      const snapshots = await open();
      const data = {
        text: 'héllo "quoted" \n ✓',
        nested: { list: [1, 2.5, null, true, -0.125], empty: {}, arr: [] },
        big: 'x'.repeat(50_000),
        n: 0,
      };
      await snapshots.save({ key: 'doc-1', version: 1, schema: 's', state: data });
      expect((await snapshots.load('doc-1'))?.state).toEqual(data);
    });

    it('keeps the newer snapshot: a save of a lower version does not replace a higher one', async () => {
      const snapshots = await open();
      await snapshots.save({ key: 'execution-2', version: 10, schema: 's', state: state(10) });
      await snapshots.save({ key: 'execution-2', version: 5, schema: 's', state: state(5) });
      expect(await snapshots.load('execution-2')).toMatchObject({ version: 10, state: state(10) });
      await snapshots.save({ key: 'execution-2', version: 12, schema: 's', state: state(12) });
      expect(await snapshots.load('execution-2')).toMatchObject({ version: 12, state: state(12) });
      await snapshots.save({ key: 'execution-2', version: 12, schema: 's', state: state(-12) }); // same version: replaced
      expect(await snapshots.load('execution-2')).toMatchObject({ version: 12, state: state(-12) });
    });

    it('keeps the schema tag of each save', async () => {
      const snapshots = await open();
      await snapshots.save({ key: 'execution-3', version: 1, schema: 'execution/1', state: state(1) });
      expect(await snapshots.load('execution-3')).toMatchObject({ schema: 'execution/1' });
      await snapshots.save({ key: 'execution-3', version: 2, schema: 'execution/2', state: state(2) });
      expect(await snapshots.load('execution-3')).toMatchObject({ version: 2, schema: 'execution/2' });
    });

    it('removes a snapshot; removing an unknown key is a no-op; a key can be saved again (any version) after a remove', async () => {
      const snapshots = await open();
      await snapshots.save({ key: 'execution-4', version: 100, schema: 's', state: state(100) });
      await snapshots.remove('execution-4');
      expect(await snapshots.load('execution-4')).toBeUndefined();
      await expect(snapshots.remove('execution-unknown')).resolves.toBeUndefined();
      await snapshots.save({ key: 'execution-4', version: 3, schema: 's', state: state(3) });
      expect(await snapshots.load('execution-4')).toMatchObject({ version: 3, state: state(3) });
    });

    it('keeps keys apart, whatever characters they hold', async () => {
      const snapshots = await open();
      const keys = [
        'execution-a',
        'execution-b',
        'execution-a.b',
        'exec/ü space*>',
        '~ZXhlY3V0aW9uLWE',
        '=ZXhlY3V0aW9uLWE',
        'execution-A',
      ];
      for (const [i, key] of keys.entries())
        await snapshots.save({ key, version: i + 1, schema: `s${i}`, state: state(i) });
      for (const [i, key] of keys.entries())
        expect(await snapshots.load(key)).toMatchObject({ key, version: i + 1, schema: `s${i}`, state: state(i) });
      await snapshots.remove('execution-a');
      expect(await snapshots.load('execution-a')).toBeUndefined();
      for (const [i, key] of keys.entries())
        if (key !== 'execution-a') expect(await snapshots.load(key)).toMatchObject({ version: i + 1 });
    });

    it('rejects a save without a key or with a bad version', async () => {
      const snapshots = await open();
      await expect(snapshots.save({ key: '', version: 1, schema: 's', state: {} })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await expect(snapshots.save({ key: 'k', version: -1, schema: 's', state: {} })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await expect(snapshots.save({ key: 'k', version: 1.5, schema: 's', state: {} })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      expect(await snapshots.load('k')).toBeUndefined();
    });

    it('shows saves and removes to another client of the same log', async () => {
      const a = await open();
      await a.save({ key: 'execution-5', version: 4, schema: 's', state: state(4) });
      const b = await open();
      expect(await b.load('execution-5')).toMatchObject({ version: 4, state: state(4) });
      await b.save({ key: 'execution-5', version: 9, schema: 's', state: state(9) });
      await waitUntil(
        async () => (await a.load('execution-5'))?.version === 9,
        10_000,
        'the other client to see version 9',
      );
      await a.save({ key: 'execution-5', version: 6, schema: 's', state: state(6) }); // older than what b saved: ignored
      expect(await a.load('execution-5')).toMatchObject({ version: 9 });
      await a.remove('execution-5');
      await waitUntil(
        async () => (await b.load('execution-5')) === undefined,
        10_000,
        'the other client to see the remove',
      );
    });
  });
}
