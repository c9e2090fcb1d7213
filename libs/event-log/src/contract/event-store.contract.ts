import type { EventEnvelope } from '@agentry/kernel';
import type { EventStore } from '../ports';
import { expectCode, pause, record, useFixture, waitUntil, type ContractOptions, type MakeFixture } from './harness';

const T = 'tenant-a';
const ev = (type: string, n: number) => ({ type, data: { n } });
const ids = (events: EventEnvelope[]) => events.map((e) => e.id);

function expectIncreasing(positions: number[]): void {
  positions.slice(1).forEach((p, k) => expect(p).toBeGreaterThan(positions[k]));
}

/**
 * Behaviour every EventStore adapter must show (libs/event-log README, "Semantics").
 * `makeFixture` creates a fresh empty log per test. Time is used only to wait for things to happen.
 */
export function eventStoreContract(name: string, makeFixture: MakeFixture, options: ContractOptions = {}): void {
  const globalOrder = options.globalOrder ?? true;

  describe(`EventStore contract: ${name}`, () => {
    const connect = useFixture(makeFixture);
    const open = async (): Promise<EventStore> => (await connect()).events;

    describe('append and read', () => {
      it('assigns stream versions from 1 and increasing global positions, and reads them back', async () => {
        const events = await open();
        const first = await events.append('order-1', [{ ...ev('Placed', 1), id: 'e-1', causationId: 'c-1', correlationId: 'r-1', traceparent: '00-abc-def-01' }, ev('Paid', 2)], { expectedVersion: 0, tenantId: T });
        expect(first.nextVersion).toBe(2);
        expect(first.events.map((e) => e.streamVersion)).toEqual([1, 2]);
        expect(first.lastPosition).toBe(first.events[1].globalPosition);
        expect(first.events[0]).toMatchObject({ id: 'e-1', type: 'Placed', streamId: 'order-1', tenantId: T, causationId: 'c-1', correlationId: 'r-1', traceparent: '00-abc-def-01', data: { n: 1 } });
        expect(first.events[1].id).toEqual(expect.any(String));
        expect(first.events[1].id).not.toBe('e-1');
        expect(new Date(first.events[1].occurredAt).toISOString()).toBe(first.events[1].occurredAt);

        const second = await events.append('order-1', [ev('Shipped', 3)], { expectedVersion: 2, tenantId: T });
        expect(second.nextVersion).toBe(3);
        const other = await events.append('invoice-9', [ev('Issued', 4)], { expectedVersion: 0, tenantId: 'tenant-b' });

        const stream = await events.readStream('order-1');
        expect(stream).toEqual([...first.events, ...second.events]);
        expectIncreasing(stream.map((e) => e.globalPosition));
        expect(await events.readStream('order-1', { fromVersion: 3 })).toEqual(second.events);
        expect(await events.streamVersion('order-1')).toBe(3);
        expect(await events.streamVersion('invoice-9')).toBe(1);
        expect(await events.readStream('order-unknown')).toEqual([]);
        expect(await events.streamVersion('order-unknown')).toBe(0);
        if (globalOrder) {
          expect(other.events[0].globalPosition).toBeGreaterThan(second.lastPosition);
          expect(await events.headPosition()).toBe(other.lastPosition);
        }
      });

      it('reports head position 0 and empty reads on an empty log', async () => {
        const events = await open();
        expect(await events.headPosition()).toBe(0);
        expect(await events.readAll()).toEqual([]);
      });

      it('keeps arbitrary JSON data intact', async () => {
        const events = await open();
        const data = { text: 'héllo "quoted" \n ✓', nested: { list: [1, 2.5, null, true], empty: {} }, big: 'x'.repeat(10_000) };
        await events.append('doc-1', [{ type: 'Written', data }], { expectedVersion: 'any', tenantId: T });
        expect((await events.readStream('doc-1'))[0].data).toEqual(data);
      });

      it('makes every append visible to other clients of the same log', async () => {
        const writer = await open();
        const reader = await open();
        const result = await writer.append('order-7', [ev('Placed', 1)], { expectedVersion: 0, tenantId: T });
        expect(await reader.readStream('order-7')).toEqual(result.events);
        expect(await reader.streamVersion('order-7')).toBe(1);
      });
    });

    describe('optimistic concurrency', () => {
      it('rejects a wrong expected version with VERSION_CONFLICT and writes nothing', async () => {
        const events = await open();
        await events.append('order-1', [ev('Placed', 1), ev('Paid', 2)], { expectedVersion: 0, tenantId: T });
        const head = await events.headPosition();
        await expectCode(events.append('order-1', [ev('Shipped', 3), ev('Closed', 4)], { expectedVersion: 1, tenantId: T }), 'VERSION_CONFLICT');
        await expectCode(events.append('order-1', [ev('Shipped', 3)], { expectedVersion: 0, tenantId: T }), 'VERSION_CONFLICT');
        await expectCode(events.append('order-2', [ev('Shipped', 3)], { expectedVersion: 3, tenantId: T }), 'VERSION_CONFLICT');
        expect((await events.readStream('order-1')).map((e) => e.type)).toEqual(['Placed', 'Paid']);
        expect(await events.readStream('order-2')).toEqual([]);
        expect(await events.headPosition()).toBe(head);
        const any = await events.append('order-1', [ev('Shipped', 3)], { expectedVersion: 'any', tenantId: T });
        expect(any.nextVersion).toBe(3);
      });

      it('lets exactly one of many concurrent appends with the same expected version win, across clients', async () => {
        const clients = [await open(), await open()];
        const attempts = Array.from({ length: 8 }, (_, k) =>
          clients[k % 2].append('order-race', [ev('Claimed', k), ev('Confirmed', k)], { expectedVersion: 0, tenantId: T }),
        );
        const outcomes = await Promise.allSettled(attempts);
        const winners = outcomes.filter((o) => o.status === 'fulfilled');
        expect(winners).toHaveLength(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'VERSION_CONFLICT' });
        const stream = await clients[0].readStream('order-race');
        expect(stream).toHaveLength(2);
        expect(new Set(stream.map((e) => (e.data as { n: number }).n)).size).toBe(1);
      });

      it("never loses or duplicates versions under concurrent 'any' appends", async () => {
        const clients = [await open(), await open()];
        await Promise.all(Array.from({ length: 20 }, (_, k) => clients[k % 2].append('counter-1', [ev('Incremented', k)], { expectedVersion: 'any', tenantId: T })));
        const stream = await clients[1].readStream('counter-1');
        expect(stream.map((e) => e.streamVersion)).toEqual(Array.from({ length: 20 }, (_, k) => k + 1));
        expect(new Set(stream.map((e) => (e.data as { n: number }).n)).size).toBe(20);
        expectIncreasing(stream.map((e) => e.globalPosition));
      });

      it('treats an empty append as a version check that writes nothing', async () => {
        const events = await open();
        await events.append('order-1', [ev('Placed', 1)], { expectedVersion: 0, tenantId: T });
        expect((await events.append('order-1', [], { expectedVersion: 1, tenantId: T })).nextVersion).toBe(1);
        await expectCode(events.append('order-1', [], { expectedVersion: 0, tenantId: T }), 'VERSION_CONFLICT');
        expect(await events.streamVersion('order-1')).toBe(1);
      });
    });

    describe('readAll', () => {
      it('reads after a position, with a limit and by category', async () => {
        const events = await open();
        await events.append('order-1', [ev('Placed', 1)], { expectedVersion: 0, tenantId: T });
        await events.append('execution-1', [ev('Started', 2), ev('Finished', 3)], { expectedVersion: 0, tenantId: T });
        await events.append('order-2', [ev('Placed', 4)], { expectedVersion: 0, tenantId: T });

        const executions = await events.readAll({ categories: ['execution'] });
        expect(executions.map((e) => e.type)).toEqual(['Started', 'Finished']);
        const orders = await events.readAll({ categories: ['order'] });
        expect(orders.map((e) => e.streamId)).toEqual(['order-1', 'order-2']);
        expect(await events.readAll({ categories: ['nothing'] })).toEqual([]);
        expect(await events.readAll({ categories: ['execution'], after: executions[0].globalPosition })).toEqual([executions[1]]);
        expect(await events.readAll({ categories: ['order'], limit: 1 })).toEqual([orders[0]]);

        if (globalOrder) {
          const all = await events.readAll();
          expect(all.map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 3, 4]);
          expectIncreasing(all.map((e) => e.globalPosition));
          expect(await events.readAll({ after: all[1].globalPosition })).toEqual(all.slice(2));
          expect(await events.readAll({ after: all[0].globalPosition, limit: 2 })).toEqual(all.slice(1, 3));
          expect(await events.readAll({ after: all[3].globalPosition })).toEqual([]);
          expect(await events.readAll({ categories: ['order', 'execution'] })).toEqual(all);
          expect(await events.headPosition()).toBe(all[3].globalPosition);
        }
      });
    });

    describe('subscribe', () => {
      it('delivers existing and new events in order, one at a time, and wakes up on appends', async () => {
        const events = await open();
        for (let k = 1; k <= 3; k++) await events.append(`order-${k}`, [ev('Placed', k)], { expectedVersion: 0, tenantId: T });
        let inFlight = 0;
        let maxInFlight = 0;
        const { received, subscription } = record(events, {
          consumer: 'projector',
          categories: ['order'],
          handler: async () => {
            maxInFlight = Math.max(maxInFlight, ++inFlight);
            await pause(2);
            inFlight--;
          },
        });
        await subscription.caughtUp;
        expect(received.map((e) => e.streamId)).toEqual(['order-1', 'order-2', 'order-3']);
        await events.append('order-1', [ev('Paid', 4), ev('Shipped', 5)], { expectedVersion: 1, tenantId: T });
        await waitUntil(() => received.length === 5, 10_000, 'live events');
        expect(received.map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 3, 4, 5]);
        expectIncreasing(received.map((e) => e.globalPosition));
        expect(maxInFlight).toBe(1);
        await subscription.close();
      });

      it('delivers only the subscribed categories', async () => {
        const events = await open();
        await events.append('order-1', [ev('Placed', 1)], { expectedVersion: 0, tenantId: T });
        await events.append('execution-1', [ev('Started', 2)], { expectedVersion: 0, tenantId: T });
        const { received, subscription } = record(events, { consumer: 'executions', categories: ['execution'] });
        await subscription.caughtUp;
        await events.append('order-2', [ev('Placed', 3)], { expectedVersion: 0, tenantId: T });
        await events.append('execution-2', [ev('Started', 4)], { expectedVersion: 0, tenantId: T });
        await waitUntil(() => received.length >= 2, 10_000, 'execution events');
        await pause(100);
        expect(received.map((e) => e.streamId)).toEqual(['execution-1', 'execution-2']);
        await subscription.close();
      });

      it('resolves caughtUp once every event present at subscribe time was handled', async () => {
        const events = await open();
        const empty = record(events, { consumer: 'on-empty' });
        await empty.subscription.caughtUp;
        expect(empty.received).toEqual([]);
        await empty.subscription.close();

        for (let k = 1; k <= 25; k++) await events.append(`order-${k}`, [ev('Placed', k)], { expectedVersion: 0, tenantId: T });
        const { received, subscription } = record(events, { consumer: 'late-joiner', handler: () => pause(1) });
        await subscription.caughtUp;
        expect(received.length).toBeGreaterThanOrEqual(25);
        expect(received.slice(0, 25).map((e) => (e.data as { n: number }).n)).toEqual(Array.from({ length: 25 }, (_, k) => k + 1));
        await subscription.close();
      });

      it('resumes a durable consumer where it stopped, on another client, losing nothing', async () => {
        const first = await open();
        for (let k = 1; k <= 3; k++) await first.append(`order-${k}`, [ev('Placed', k)], { expectedVersion: 0, tenantId: T });
        const before = record(first, { consumer: 'mailer' });
        await waitUntil(() => before.received.length === 3, 10_000, 'first deliveries');
        await before.subscription.close();

        const writer = await open();
        await writer.append('order-4', [ev('Placed', 4)], { expectedVersion: 0, tenantId: T });
        await writer.append('order-5', [ev('Placed', 5)], { expectedVersion: 0, tenantId: T });

        const later = await open();
        const after = record(later, { consumer: 'mailer' });
        await after.subscription.caughtUp;
        await waitUntil(() => after.received.some((e) => e.streamId === 'order-5'), 10_000, 'resumed deliveries');
        const seen = after.received.map((e) => e.streamId);
        expect(seen).not.toContain('order-1'); // resumed, not restarted
        expect(seen.slice(-2)).toEqual(['order-4', 'order-5']);
        const union = new Set([...before.received, ...after.received].map((e) => e.streamId));
        expect([...union].sort()).toEqual(['order-1', 'order-2', 'order-3', 'order-4', 'order-5']);

        const other = record(later, { consumer: 'auditor' });
        await other.subscription.caughtUp;
        expect(other.received).toHaveLength(5); // positions are per consumer name
        await Promise.all([after.subscription.close(), other.subscription.close()]);
      });

      it("starts a new consumer at the end with startAt 'end', and keeps that position", async () => {
        const events = await open();
        await events.append('order-1', [ev('Placed', 1)], { expectedVersion: 0, tenantId: T });
        const { received, subscription } = record(events, { consumer: 'tail', startAt: 'end' });
        await subscription.caughtUp;
        await events.append('order-2', [ev('Placed', 2)], { expectedVersion: 0, tenantId: T });
        await waitUntil(() => received.length === 1, 10_000, 'new event');
        expect(received[0].streamId).toBe('order-2');
        await subscription.close();

        await events.append('order-3', [ev('Placed', 3)], { expectedVersion: 0, tenantId: T });
        const again = record(events, { consumer: 'tail', startAt: 'end' }); // stored position wins over startAt
        await again.subscription.caughtUp;
        await waitUntil(() => again.received.length >= 1, 10_000, 'event after restart');
        expect(again.received.map((e) => e.streamId)).toEqual(['order-3']);
        await again.subscription.close();
      });

      it('stops on a handler error, reports it, and redelivers that event on the next subscribe', async () => {
        const events = await open();
        for (let k = 1; k <= 3; k++) await events.append(`order-${k}`, [ev('Placed', k)], { expectedVersion: 0, tenantId: T });
        const failing = record(events, {
          consumer: 'fragile',
          handler: (e) => {
            if (e.streamId === 'order-2') throw new Error('boom');
          },
        });
        await waitUntil(() => failing.errors.length === 1, 10_000, 'onError');
        expect((failing.errors[0].err as Error).message).toBe('boom');
        expect(failing.errors[0].event.streamId).toBe('order-2');
        await expect(failing.subscription.caughtUp).rejects.toThrow('boom');
        await events.append('order-4', [ev('Placed', 4)], { expectedVersion: 0, tenantId: T });
        await pause(250);
        expect(failing.received.map((e) => e.streamId)).toEqual(['order-1']); // stopped: nothing after the failure
        await failing.subscription.close();

        const retry = record(events, { consumer: 'fragile' });
        await retry.subscription.caughtUp;
        await waitUntil(() => retry.received.length >= 3, 10_000, 'redelivery');
        expect(retry.received.map((e) => e.streamId)).toEqual(['order-2', 'order-3', 'order-4']);
        expect(ids(retry.received.slice(0, 1))).toEqual([failing.errors[0].event.id]);
        await retry.subscription.close();
      });

      it('waits for the handler in flight when closed, then delivers nothing more', async () => {
        const events = await open();
        await events.append('order-1', [ev('Placed', 1)], { expectedVersion: 0, tenantId: T });
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let started = false;
        let finished = false;
        const { received, subscription } = record(events, {
          consumer: 'slow',
          handler: async () => {
            started = true;
            await gate;
            finished = true;
          },
        });
        await waitUntil(() => started, 10_000, 'handler start');
        const closing = subscription.close();
        release();
        await closing;
        expect(finished).toBe(true);
        await events.append('order-2', [ev('Placed', 2)], { expectedVersion: 0, tenantId: T });
        await pause(150);
        expect(received.map((e) => e.streamId)).toEqual(['order-1']);
      });
    });
  });
}
