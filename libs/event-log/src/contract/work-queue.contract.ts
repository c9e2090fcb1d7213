import type { LeasedTask, WorkQueue } from '../ports';
import { expectCode, pause, useFixture, waitUntil, type ContractOptions, type MakeFixture } from './harness';

const T = 'tenant-a';

/**
 * Behaviour every WorkQueue adapter must show (libs/event-log README, "Semantics").
 * Leases are short (default 400 ms) so expiry is exercised for real; durations are never asserted.
 */
export function workQueueContract(name: string, makeFixture: MakeFixture, options: ContractOptions = {}): void {
  /** One lease length per queue in a test: JetStream keeps one (AckWait) per queue. */
  const leaseMs = options.leaseMs ?? 400;

  describe(`WorkQueue contract: ${name}`, () => {
    const connect = useFixture(makeFixture);
    const open = async (): Promise<WorkQueue> => (await connect()).queue;
    const Q = 'node-tasks';

    it('enqueues idempotently by id and hands out payload, tenant and a first delivery', async () => {
      const queue = await open();
      await queue.enqueue(Q, [
        { id: 'a', tenantId: T, payload: { step: 1 } },
        { id: 'b', tenantId: 'tenant-b', payload: { step: 2 } },
      ]);
      await queue.enqueue(Q, [{ id: 'a', tenantId: T, payload: { step: 'duplicate' } }]);
      expect(await queue.depth(Q)).toBe(2);
      const leased = await queue.lease(Q, { workerId: 'w1', leaseMs: 5_000, max: 10 });
      expect(leased.map((t) => t.id).sort()).toEqual(['a', 'b']);
      const a = leased.find((t) => t.id === 'a')!;
      expect(a).toMatchObject({ queue: Q, tenantId: T, payload: { step: 1 }, deliveries: 1 });
      expect(a.leaseToken).toEqual(expect.any(String));
      expect(a.leaseExpiresAt).toBeGreaterThan(Date.now());
      await queue.enqueue(Q, [{ id: 'a', tenantId: T, payload: { step: 'while leased' } }]);
      expect(await queue.depth(Q)).toBe(2); // still queued or leased: a no-op
      expect(await queue.lease(Q, { workerId: 'w2', leaseMs: 5_000, max: 10 })).toEqual([]);
    });

    it('returns nothing at once from an empty queue, and keeps queues apart', async () => {
      const queue = await open();
      expect(await queue.lease(Q, { workerId: 'w1', leaseMs })).toEqual([]);
      await queue.enqueue('other-queue', [{ id: 'x', tenantId: T, payload: null }]);
      expect(await queue.lease(Q, { workerId: 'w1', leaseMs })).toEqual([]);
      expect(await queue.depth(Q)).toBe(0);
      expect(await queue.depth('other-queue')).toBe(1);
    });

    it('hands every task to exactly one of two competing workers, and ack removes it', async () => {
      const workers = [await open(), await open()];
      const tasks = Array.from({ length: 30 }, (_, k) => ({ id: `t-${k}`, tenantId: T, payload: { k } }));
      await workers[0].enqueue(Q, tasks);
      const taken: Array<{ worker: number; task: LeasedTask }> = [];
      await Promise.all(
        workers.map(async (queue, w) => {
          for (;;) {
            const batch = await queue.lease(Q, { workerId: `w${w}`, leaseMs: 10_000, max: 4 });
            if (batch.length === 0) return;
            for (const task of batch) taken.push({ worker: w, task });
            await Promise.all(batch.map((t) => queue.ack(t)));
          }
        }),
      );
      expect(taken.map((t) => t.task.id).sort()).toEqual(tasks.map((t) => t.id).sort());
      expect(taken.every((t) => t.task.deliveries === 1)).toBe(true);
      expect(await workers[1].depth(Q)).toBe(0);
    });

    it('rejects a second ack of the same lease with CONFLICT', async () => {
      const queue = await open();
      await queue.enqueue(Q, [{ id: 'a', tenantId: T, payload: null }]);
      const [task] = await queue.lease(Q, { workerId: 'w1', leaseMs: 5_000 });
      await queue.ack(task);
      await expectCode(queue.ack(task), 'CONFLICT');
      expect(await queue.depth(Q)).toBe(0);
    });

    it('redelivers a task whose lease expired, counts the delivery, and rejects the stale token', async () => {
      const [first, second] = [await open(), await open()];
      await first.enqueue(Q, [{ id: 'a', tenantId: T, payload: { v: 1 } }]);
      const [stale] = await first.lease(Q, { workerId: 'slow', leaseMs });
      expect(stale.deliveries).toBe(1);
      expect(await second.lease(Q, { workerId: 'fast', leaseMs })).toEqual([]);
      // Same lease length throughout: JetStream has one lease length (AckWait) per queue.
      const [fresh] = await second.lease(Q, { workerId: 'fast', leaseMs, waitMs: 10_000 });
      await second.heartbeat(fresh, leaseMs);
      expect(fresh).toMatchObject({ id: 'a', deliveries: 2, payload: { v: 1 } });
      expect(fresh.leaseToken).not.toBe(stale.leaseToken);
      await expectCode(first.heartbeat(stale, leaseMs), 'CONFLICT');
      await expectCode(first.ack(stale), 'CONFLICT');
      await expectCode(first.nack(stale), 'CONFLICT');
      await second.ack(fresh);
      expect(await second.depth(Q)).toBe(0);
    });

    it('rejects heartbeat and ack once the lease has expired, even before anyone re-leased the task', async () => {
      const queue = await open();
      await queue.enqueue(Q, [{ id: 'a', tenantId: T, payload: null }]);
      const [task] = await queue.lease(Q, { workerId: 'w1', leaseMs });
      await pause(leaseMs + 200);
      await expectCode(queue.heartbeat(task, leaseMs), 'CONFLICT');
      await expectCode(queue.ack(task), 'CONFLICT');
      expect(await queue.depth(Q)).toBe(1);
    });

    it('keeps a task leased while the holder heartbeats', async () => {
      const [holder, rival] = [await open(), await open()];
      await holder.enqueue(Q, [{ id: 'a', tenantId: T, payload: null }]);
      const [task] = await holder.lease(Q, { workerId: 'holder', leaseMs });
      for (let k = 0; k < 6; k++) {
        await pause(leaseMs / 3);
        await holder.heartbeat(task, leaseMs);
        expect(await rival.lease(Q, { workerId: 'rival', leaseMs })).toEqual([]);
      }
      await holder.ack(task);
      expect(await holder.depth(Q)).toBe(0);
    });

    it('makes a nacked task available again, after the requested delay', async () => {
      const queue = await open();
      await queue.enqueue(Q, [{ id: 'a', tenantId: T, payload: null }]);
      const [first] = await queue.lease(Q, { workerId: 'w1', leaseMs: 5_000 });
      await queue.nack(first);
      const [second] = await queue.lease(Q, { workerId: 'w1', leaseMs: 5_000, waitMs: 5_000 });
      expect(second).toMatchObject({ id: 'a', deliveries: 2 });

      await queue.nack(second, 600);
      expect(await queue.lease(Q, { workerId: 'w1', leaseMs: 5_000 })).toEqual([]);
      expect(await queue.depth(Q)).toBe(1);
      const [third] = await queue.lease(Q, { workerId: 'w1', leaseMs: 5_000, waitMs: 10_000 });
      expect(third).toMatchObject({ id: 'a', deliveries: 3 });
      await expectCode(queue.ack(second), 'CONFLICT');
      await queue.ack(third);
    });

    it('holds a task back until notBefore', async () => {
      const queue = await open();
      await queue.enqueue(Q, [{ id: 'later', tenantId: T, payload: null, notBefore: Date.now() + 600 }]);
      expect(await queue.lease(Q, { workerId: 'w1', leaseMs: 5_000 })).toEqual([]);
      const [task] = await queue.lease(Q, { workerId: 'w1', leaseMs: 5_000, waitMs: 10_000 });
      expect(task.id).toBe('later');
      expect(Date.now()).toBeGreaterThanOrEqual(task.leaseExpiresAt - 5_000);
      await queue.ack(task);
    });

    it('wakes a waiting lease when a task is enqueued by another client', async () => {
      const [worker, producer] = [await open(), await open()];
      const waiting = worker.lease(Q, { workerId: 'w1', leaseMs: 5_000, waitMs: 10_000 });
      await pause(100);
      await producer.enqueue(Q, [{ id: 'a', tenantId: T, payload: 'hello' }]);
      const [task] = await waiting;
      expect(task).toMatchObject({ id: 'a', payload: 'hello' });
      await worker.ack(task);
    });

    it('removes queued and leased tasks; the holder of a removed task loses its lease', async () => {
      const [worker, canceller] = [await open(), await open()];
      await worker.enqueue(Q, [
        { id: 'a', tenantId: T, payload: null },
        { id: 'b', tenantId: T, payload: null },
        { id: 'c', tenantId: T, payload: null },
      ]);
      await canceller.remove(Q, 'a');
      await canceller.remove(Q, 'unknown');
      expect(await worker.depth(Q)).toBe(2);
      const leased = await worker.lease(Q, { workerId: 'w1', leaseMs: 5_000, max: 10 });
      expect(leased.map((t) => t.id).sort()).toEqual(['b', 'c']);
      await canceller.remove(Q, 'b');
      expect(await worker.depth(Q)).toBe(1);
      await expectCode(worker.heartbeat(leased.find((t) => t.id === 'b')!, 5_000), 'CONFLICT');
      await worker.ack(leased.find((t) => t.id === 'c')!);
      await waitUntil(async () => (await worker.depth(Q)) === 0, 5_000, 'empty queue');
    });
  });
}
