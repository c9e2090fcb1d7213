import { randomUUID } from 'node:crypto';
import { logLevel } from 'kafkajs';
import { createKafkaEventLog, createSqliteEventLog, type KafkaEventLog } from '@agentry/event-log';
import { startKafkaTestBroker, type KafkaTestBroker } from '@agentry/kafka-test-broker';
import { ExecutionOwnership } from '../../src/app/ownership';
import { B } from '../support/blocks';
import { graph, MemoryGraphs, TENANT } from '../support/graphs';
import { startHarness, type Harness } from '../support/harness';

/**
 * ENGINE rule 14 with partitions (issue #10): replicas of the execution service on a Kafka log share the executions
 * by partition. Each rebuilds and resumes the executions of the partitions assigned to it, drops those it loses on a
 * rebalance, and ticks only its own. Runs against KAFKA_BROKERS when set, otherwise the Kafka-protocol test broker.
 */
const external = (process.env.KAFKA_BROKERS ?? '')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);

async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('execution ownership by partition (Kafka)', () => {
  let broker: KafkaTestBroker | undefined;
  const logs: KafkaEventLog[] = [];
  const replicas: Array<{ h: Harness; own: ExecutionOwnership }> = [];
  const tasks = createSqliteEventLog({ path: ':memory:' }); // node tasks: one queue shared by the replicas

  afterAll(async () => {
    for (const r of replicas) await r.own.close().catch(() => undefined);
    for (const r of replicas) await r.h.stop().catch(() => undefined);
    for (const l of logs) await l.events.close().catch(() => undefined);
    await tasks.close();
    await broker?.close();
  });

  it('hands each replica the executions of its partitions, drops them on a rebalance and resumes them elsewhere when a replica leaves', async () => {
    if (external.length === 0) broker = await startKafkaTestBroker();
    const brokers = external.length > 0 ? external : broker!.brokers;
    const prefix = `own${randomUUID().slice(0, 8)}`;
    const graphs = new MemoryGraphs();
    let offset = 0;
    const clock = { now: () => new Date(Date.now() + offset) };

    const replica = async (name: string) => {
      const log = await createKafkaEventLog({
        brokers,
        prefix,
        clientId: `${prefix}-${name}`,
        partitions: { execution: 4 },
        queue: tasks.queue,
        fetchMaxWaitMs: 200,
        kafka: { logLevel: logLevel.NOTHING },
      });
      logs.push(log);
      const ref: { own?: ExecutionOwnership } = {};
      // no workers: node tasks stay queued, so the executions stay RUNNING until a deadline fails them
      const h = startHarness({
        store: log.events,
        queue: tasks.queue,
        graphs,
        workers: 0,
        clock,
        options: { owns: (id) => ref.own?.owns(id) ?? false },
      });
      const own = (ref.own = new ExecutionOwnership(
        log.events as ConstructorParameters<typeof ExecutionOwnership>[0],
        h.engine,
        { warn: () => {}, error: () => {} },
        `${prefix}-owners`,
      ).start());
      await own.ready;
      const r = { h, own };
      replicas.push(r);
      return r;
    };
    const held = (r: { h: Harness }) => new Set(r.h.engine.heldExecutions());

    const a = await replica('a');
    await waitUntil(() => a.own.partitions().length === 4, 'the only replica to own every partition');
    const g = graph([['s', B.slow, { tag: 'owned' }]]);
    const ids: string[] = [];
    for (let k = 0; k < 16; k++) ids.push(await a.h.start(g, {}, { budget: { maxDurationMs: 60_000 } }));
    expect(ids.every((id) => held(a).has(id))).toBe(true);

    // a second replica joins: the partitions are split, each holds exactly the executions of its own partitions
    const b = await replica('b');
    await waitUntil(
      () =>
        a.own.partitions().length > 0 &&
        b.own.partitions().length > 0 &&
        a.own.partitions().length + b.own.partitions().length === 4,
      'the partitions to be split',
    );
    expect(a.own.partitions().filter((p) => b.own.partitions().includes(p))).toEqual([]);
    const partitionOf = async (id: string) => (await logs[0].events.partitionOf!(`execution-${id}`)).partition;
    const ofB: string[] = [];
    for (const id of ids) if (b.own.partitions().includes(await partitionOf(id))) ofB.push(id);
    const ofA = ids.filter((id) => !ofB.includes(id));
    expect(ofB.length).toBeGreaterThan(0);
    expect(ofA.length).toBeGreaterThan(0);
    await waitUntil(
      () => ofB.every((id) => held(b).has(id)) && ofB.every((id) => !held(a).has(id)),
      'b to resume its executions and a to forget them',
    );
    expect(ofA.every((id) => held(a).has(id) && !held(b).has(id))).toBe(true);

    // each replica ticks only its own executions
    offset = 61_000;
    await a.h.engine.tick();
    for (const id of ofA) expect((await a.h.engine.get(TENANT, id)).status).toBe('FAILED');
    for (const id of ofB) expect((await b.h.engine.get(TENANT, id)).status).toBe('RUNNING'); // not a's to fail
    offset = 0;

    // b leaves before failing its own: a is assigned b's partitions and resumes those executions from the log
    const bIndex = replicas.indexOf(b);
    await b.own.close();
    await b.h.stop();
    replicas.splice(bIndex, 1);
    await waitUntil(() => a.own.partitions().length === 4, 'a to own every partition again');
    await waitUntil(() => ofB.every((id) => held(a).has(id)), 'a to resume the executions b had');
    offset = 61_000;
    await a.h.engine.tick();
    for (const id of ofB) {
      const view = await a.h.engine.get(TENANT, id);
      expect(view.status).toBe('FAILED');
      expect(view.error).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    }
  });
});
