import { connect, type Socket } from 'node:net';
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { startKafkaTestBroker, type KafkaTestBroker } from '../src';

/**
 * Plain kafkajs against the test broker: the broker speaks the wire protocol over TCP, so nothing
 * of kafkajs is mocked. Waits poll for conditions; nothing asserts how long anything took.
 */

// kafkajs' own request encoders and response decoders, for the raw protocol checks (no typings).
const produceV3Request = require('kafkajs/src/protocol/requests/produce/v3/request');
const produceV3Response = require('kafkajs/src/protocol/requests/produce/v3/response');
const initProducerIdV0Request = require('kafkajs/src/protocol/requests/initProducerId/v0/request');
const initProducerIdV0Response = require('kafkajs/src/protocol/requests/initProducerId/v0/response');
const joinGroupV2Request = require('kafkajs/src/protocol/requests/joinGroup/v2/request');
const joinGroupV2Response = require('kafkajs/src/protocol/requests/joinGroup/v2/response');
const syncGroupV1Request = require('kafkajs/src/protocol/requests/syncGroup/v1/request');
const syncGroupV1Response = require('kafkajs/src/protocol/requests/syncGroup/v1/response');
const heartbeatV1Request = require('kafkajs/src/protocol/requests/heartbeat/v1/request');
const heartbeatV1Response = require('kafkajs/src/protocol/requests/heartbeat/v1/response');
const { MemberMetadata, MemberAssignment } = require('kafkajs/src/consumer/assignerProtocol');

jest.setTimeout(45_000);

let broker: KafkaTestBroker;
let kafka: Kafka;
let admin: Admin;
const closers: Array<() => Promise<unknown>> = [];
let seq = 0;
const unique = (prefix: string) => `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

/** Consumer options that keep rebalances quick: short long-polls and frequent heartbeats. */
const fastConsumer = { maxWaitTimeInMs: 200, heartbeatInterval: 100, sessionTimeout: 10_000, rebalanceTimeout: 15_000 };

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function createTopic(topic: string, numPartitions: number): Promise<void> {
  expect(await admin.createTopics({ topics: [{ topic, numPartitions }] })).toBe(true);
}

async function newProducer(): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  closers.push(() => producer.disconnect());
  return producer;
}

/** A running group member that records the assignment of its latest GROUP_JOIN. */
async function groupMember(
  groupId: string,
  topic: string,
): Promise<{ consumer: Consumer; assigned: () => number[] | undefined }> {
  const consumer = kafka.consumer({ groupId, ...fastConsumer });
  let assignment: number[] | undefined;
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assignment = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
  });
  await consumer.connect();
  closers.push(() => consumer.disconnect());
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async () => undefined });
  return { consumer, assigned: () => assignment };
}

const disjointCover = (sets: Array<number[] | undefined>, total: number) => {
  if (sets.some((s) => !s || s.length === 0)) return false;
  const all = sets.flatMap((s) => s!);
  return all.length === total && new Set(all).size === total;
};

beforeAll(async () => {
  broker = await startKafkaTestBroker({ sessionTimeoutCheckMs: 50 });
  kafka = new Kafka({
    brokers: broker.brokers,
    clientId: 'kafka-broker-test',
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 50 },
  });
  admin = kafka.admin();
  await admin.connect();
});

afterEach(async () => {
  await Promise.allSettled(
    closers
      .splice(0)
      .reverse()
      .map((close) => close()),
  );
});

afterAll(async () => {
  await admin?.disconnect();
  await broker?.close();
});

describe('kafka test broker', () => {
  test('admin: create, list, offsets and delete topics', async () => {
    const topic = unique('admin');
    await createTopic(topic, 3);
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })).toBe(false); // TOPIC_ALREADY_EXISTS
    expect(await admin.listTopics()).toContain(topic);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0].partitions.map((p) => [p.partitionId, p.leader]).sort()).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
    ]);
    expect((await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition)).toEqual([
      { partition: 0, offset: '0', high: '0', low: '0' },
      { partition: 1, offset: '0', high: '0', low: '0' },
      { partition: 2, offset: '0', high: '0', low: '0' },
    ]);

    const producer = await newProducer();
    await producer.send({ topic, messages: [0, 0, 0, 1].map((partition, i) => ({ partition, value: `v${i}` })) });
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.find((o) => o.partition === 0)).toMatchObject({ high: '3', low: '0' });
    expect(offsets.find((o) => o.partition === 1)).toMatchObject({ high: '1', low: '0' });
    expect(offsets.find((o) => o.partition === 2)).toMatchObject({ high: '0', low: '0' });

    // ListOffsets by timestamp looks inside the batch for the first record at or after the time.
    await producer.send({
      topic,
      messages: [1000, 2000, 3000].map((t) => ({ partition: 2, value: `t${t}`, timestamp: String(t) })),
    });
    expect(await admin.fetchTopicOffsetsByTimestamp(topic, 1500)).toContainEqual({ partition: 2, offset: '1' });
    expect(await admin.fetchTopicOffsetsByTimestamp(topic, 9999)).toContainEqual({ partition: 2, offset: '3' });

    await admin.deleteTopics({ topics: [topic] });
    expect(await admin.listTopics()).not.toContain(topic);
    await expect(admin.deleteTopics({ topics: [topic] })).rejects.toThrow();
  });

  test('admin: topic configs are stored and described', async () => {
    const topic = unique('configs');
    expect(
      await admin.createTopics({ topics: [{ topic, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] }),
    ).toBe(true);
    const described = await admin.describeConfigs({
      resources: [{ type: 2 /* TOPIC */, name: topic, configNames: ['cleanup.policy', 'retention.ms'] }],
      includeSynonyms: false,
    });
    const entries = described.resources[0].configEntries;
    expect(entries.find((e) => e.configName === 'cleanup.policy')).toMatchObject({
      configValue: 'compact',
      isDefault: false,
    });
    expect(entries.find((e) => e.configName === 'retention.ms')).toMatchObject({ isDefault: true });
    await expect(
      admin.createTopics({
        topics: [{ topic: unique('bad-config'), configEntries: [{ name: 'cleanup.policy', value: 'shred' }] }],
      }),
    ).rejects.toThrow(); // INVALID_CONFIG
  });

  test('idempotent producer: keyed messages with headers come back in order per partition', async () => {
    const topic = unique('order');
    await createTopic(topic, 3);
    const producer = await newProducer();
    const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const sent = Array.from({ length: 30 }, (_, i) => ({
      key: keys[i % keys.length],
      value: `value-${i}`,
      headers: { i: String(i), kind: 'test' },
    }));
    for (let i = 0; i < sent.length; i += 10) await producer.send({ topic, messages: sent.slice(i, i + 10) });

    const received: Array<{
      partition: number;
      offset: number;
      key: string;
      value: string;
      headers: Record<string, string>;
    }> = [];
    const consumer = kafka.consumer({ groupId: unique('order-group'), ...fastConsumer });
    await consumer.connect();
    closers.push(() => consumer.disconnect());
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        received.push({
          partition,
          offset: Number(message.offset),
          key: message.key!.toString(),
          value: message.value!.toString(),
          headers,
        });
      },
    });
    await waitFor(() => received.length >= sent.length, 'all messages');
    expect(received).toHaveLength(sent.length);

    const partitionOfKey = new Map<string, number>();
    for (const r of received) {
      expect(partitionOfKey.get(r.key) ?? r.partition).toBe(r.partition); // one key, one partition
      partitionOfKey.set(r.key, r.partition);
      const i = Number(r.headers.i);
      expect(r).toMatchObject({ key: sent[i].key, value: sent[i].value, headers: { i: String(i), kind: 'test' } });
    }
    for (const partition of new Set(received.map((r) => r.partition))) {
      const inPartition = received.filter((r) => r.partition === partition);
      expect(inPartition.map((r) => r.offset)).toEqual(inPartition.map((_, n) => n)); // dense offsets from 0
      const order = inPartition.map((r) => Number(r.headers.i));
      expect(order).toEqual([...order].sort((a, b) => a - b)); // produce order
    }
    const high = await admin.fetchTopicOffsets(topic);
    expect(high.reduce((n, p) => n + Number(p.high), 0)).toBe(sent.length); // no duplicates were written
  });

  test('committed offsets: a new consumer of the group resumes where the last one stopped', async () => {
    const topic = unique('resume');
    const groupId = unique('resume-group');
    await createTopic(topic, 1);
    const producer = await newProducer();
    await producer.send({ topic, messages: [0, 1, 2, 3, 4].map((i) => ({ value: `m${i}` })) });

    const first: string[] = [];
    const c1 = kafka.consumer({ groupId, ...fastConsumer });
    await c1.connect();
    await c1.subscribe({ topics: [topic], fromBeginning: true });
    await c1.run({ eachMessage: async ({ message }) => void first.push(message.value!.toString()) });
    await waitFor(async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return committed.partitions[0].offset === '5';
    }, 'offset 5 committed');
    await c1.disconnect();
    expect(first).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);

    await producer.send({ topic, messages: [5, 6, 7].map((i) => ({ value: `m${i}` })) });
    const second: Array<{ offset: string; value: string }> = [];
    const c2 = kafka.consumer({ groupId, ...fastConsumer });
    await c2.connect();
    closers.push(() => c2.disconnect());
    await c2.subscribe({ topics: [topic], fromBeginning: true });
    await c2.run({
      eachMessage: async ({ message }) =>
        void second.push({ offset: message.offset, value: message.value!.toString() }),
    });
    await waitFor(() => second.length >= 3, 'the three new messages');
    expect(second).toEqual([
      { offset: '5', value: 'm5' },
      { offset: '6', value: 'm6' },
      { offset: '7', value: 'm7' },
    ]);
    await c2.disconnect();

    // An offset inside a stored batch: the broker returns the whole batch, the client skips what precedes it.
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '2' }] });
    const third: string[] = [];
    const c3 = kafka.consumer({ groupId, ...fastConsumer });
    await c3.connect();
    closers.push(() => c3.disconnect());
    await c3.subscribe({ topics: [topic], fromBeginning: true });
    await c3.run({ eachMessage: async ({ message }) => void third.push(message.value!.toString()) });
    await waitFor(() => third.length >= 6, 'the messages from offset 2 on');
    expect(third).toEqual(['m2', 'm3', 'm4', 'm5', 'm6', 'm7']);
  });

  test('two consumers of a group split the partitions; when one leaves the other takes them all', async () => {
    const topic = unique('split');
    const groupId = unique('split-group');
    await createTopic(topic, 4);
    const a = await groupMember(groupId, topic);
    const b = await groupMember(groupId, topic);
    await waitFor(() => disjointCover([a.assigned(), b.assigned()], 4), 'a disjoint split of the 4 partitions');

    const description = await admin.describeGroups([groupId]);
    expect(description.groups[0]).toMatchObject({
      state: 'Stable',
      protocolType: 'consumer',
      protocol: 'RoundRobinAssigner',
    });
    expect(description.groups[0].members).toHaveLength(2);

    await b.consumer.disconnect(); // LeaveGroup
    await waitFor(() => a.assigned()?.length === 4, 'the remaining consumer to own all 4 partitions');
    expect(a.assigned()).toEqual([0, 1, 2, 3]);
  });

  test('a third consumer joining triggers a rebalance in which the others lose partitions', async () => {
    const topic = unique('third');
    const groupId = unique('third-group');
    await createTopic(topic, 4);
    const a = await groupMember(groupId, topic);
    const b = await groupMember(groupId, topic);
    await waitFor(() => disjointCover([a.assigned(), b.assigned()], 4), 'a two-way split');
    const before = a.assigned()!.length + b.assigned()!.length;

    const c = await groupMember(groupId, topic);
    await waitFor(() => disjointCover([a.assigned(), b.assigned(), c.assigned()], 4), 'a three-way split');
    expect(before).toBe(4);
    expect(a.assigned()!.length + b.assigned()!.length).toBe(4 - c.assigned()!.length);
    expect(a.assigned()!.length + b.assigned()!.length).toBeLessThan(before);
    const [group] = (await admin.describeGroups([groupId])).groups;
    expect(group.members).toHaveLength(3);
  });

  test('a consumer session that stops heartbeating expires and its partitions move', async () => {
    const topic = unique('expire');
    const groupId = unique('expire-group');
    await createTopic(topic, 2);
    const a = await groupMember(groupId, topic);
    await waitFor(() => a.assigned()?.length === 2, 'the first member to own both partitions');

    // A raw member that joins and syncs once, then goes silent: only its session timeout removes it.
    const raw = kafka.consumer({ groupId, ...fastConsumer, sessionTimeout: 1_000 });
    let silentAssignment: number[] | undefined;
    raw.on(raw.events.GROUP_JOIN, (e) => {
      silentAssignment = e.payload.memberAssignment[topic];
    });
    await raw.connect();
    await raw.subscribe({ topics: [topic], fromBeginning: true });
    let release: () => void = () => undefined;
    const stuck = new Promise<void>((r) => (release = r));
    let silentGotMessage = false;
    closers.push(async () => {
      release();
      await raw.disconnect();
    });
    // eachMessage does not return until the test ends, so once this member has a message it stops heartbeating.
    await raw.run({
      eachMessage: () => {
        silentGotMessage = true;
        return stuck;
      },
    });
    await waitFor(() => disjointCover([a.assigned(), silentAssignment], 2), 'a split with the member that goes silent');
    const producer = await newProducer();
    await producer.send({
      topic,
      messages: [
        { partition: 0, value: 'x' },
        { partition: 1, value: 'y' },
      ],
    });
    await waitFor(() => silentGotMessage, 'the silent member to block on its message');
    await waitFor(() => a.assigned()?.length === 2, 'the session of the silent member to expire');
    expect((await admin.describeGroups([groupId])).groups[0].members).toHaveLength(1);
  });

  test('long-poll fetch delivers a message produced after the consumer started', async () => {
    const topic = unique('longpoll');
    await createTopic(topic, 1);
    // One fetch waits up to 3 s: the message must arrive through the fetch that was already waiting.
    const consumer = kafka.consumer({
      groupId: unique('longpoll-group'),
      maxWaitTimeInMs: 3_000,
      heartbeatInterval: 100,
    });
    let joined = false;
    let fetchesStarted = 0;
    let fetchesDone = 0;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    consumer.on(consumer.events.FETCH_START, () => fetchesStarted++);
    consumer.on(consumer.events.FETCH, () => fetchesDone++);
    const received: Array<{ value: string; fetchesStartedBefore: number }> = [];
    await consumer.connect();
    closers.push(() => consumer.disconnect());
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void received.push({ value: message.value!.toString(), fetchesStartedBefore: fetchesStarted }),
    });
    await waitFor(() => joined && fetchesStarted > fetchesDone, 'a fetch waiting for data');
    const pending = fetchesStarted;

    const producer = await newProducer();
    await producer.send({ topic, messages: [{ value: 'late' }] });
    await waitFor(() => received.length === 1, 'the late message');
    expect(received[0]).toEqual({ value: 'late', fetchesStartedBefore: pending });
  });

  test('raw protocol: coordinator error codes, and a member that does not re-join is dropped at the rebalance timeout', async () => {
    const topic = unique('coordinator');
    const groupId = unique('coordinator-group');
    await createTopic(topic, 2);
    const client = await rawClient(broker.port);
    try {
      const metadata = MemberMetadata.encode({ version: 0, topics: [topic] });
      const joined = await client.send(
        joinGroupV2Request({
          groupId,
          sessionTimeout: 30_000,
          rebalanceTimeout: 2_000,
          memberId: '',
          protocolType: 'consumer',
          groupProtocols: [{ name: 'RoundRobinAssigner', metadata }],
        }),
        joinGroupV2Response,
      );
      expect(joined).toMatchObject({ errorCode: 0, generationId: 1, groupProtocol: 'RoundRobinAssigner' });
      expect(joined.leaderId).toBe(joined.memberId); // alone, so the leader, and it gets the member list
      expect(joined.members).toEqual([{ memberId: joined.memberId, memberMetadata: metadata }]);
      const { memberId, generationId } = joined;

      const assignment = MemberAssignment.encode({ version: 0, assignment: { [topic]: [0, 1] } });
      const synced = await client.send(
        syncGroupV1Request({
          groupId,
          generationId,
          memberId,
          groupAssignment: [{ memberId, memberAssignment: assignment }],
        }),
        syncGroupV1Response,
      );
      expect(Buffer.from(synced.memberAssignment)).toEqual(assignment);

      const heartbeat = async (generation: number, member = memberId) =>
        (
          await client.send(
            heartbeatV1Request({ groupId, groupGenerationId: generation, memberId: member }),
            heartbeatV1Response,
            false,
          )
        ).errorCode;
      expect(await heartbeat(generationId)).toBe(0);
      expect(await heartbeat(generationId + 7)).toBe(22); // ILLEGAL_GENERATION
      expect(await heartbeat(generationId, 'nobody')).toBe(25); // UNKNOWN_MEMBER_ID

      // A kafkajs consumer joins: the group prepares a rebalance and the raw member is told to re-join...
      const consumer = kafka.consumer({ groupId, ...fastConsumer, rebalanceTimeout: 2_000 });
      let assigned: number[] | undefined;
      consumer.on(consumer.events.GROUP_JOIN, (e) => (assigned = e.payload.memberAssignment[topic]));
      await consumer.connect();
      closers.push(() => consumer.disconnect());
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const running = consumer.run({ eachMessage: async () => undefined }); // resolves once it has joined: not yet
      await waitFor(async () => (await heartbeat(generationId)) === 27, 'REBALANCE_IN_PROGRESS for the raw member');
      const resync = await client.send(
        syncGroupV1Request({ groupId, generationId, memberId, groupAssignment: [] }),
        syncGroupV1Response,
        false,
      );
      expect(resync.errorCode).toBe(27);

      // ...it does not, so the rebalance timeout removes it and the consumer gets every partition.
      await running;
      await waitFor(() => assigned?.length === 2, 'the consumer to own both partitions');
      expect(await heartbeat(generationId)).toBe(25); // UNKNOWN_MEMBER_ID: it is out of the group
      const [group] = (await admin.describeGroups([groupId])).groups;
      expect(group.members.map((m) => m.memberId)).not.toContain(memberId);
    } finally {
      client.close();
    }
  });

  test('raw protocol: a retried idempotent batch is not written twice; gaps and bad CRCs are refused', async () => {
    const topic = unique('dedupe');
    await createTopic(topic, 1);
    const client = await rawClient(broker.port);
    try {
      const init = await client.send(
        initProducerIdV0Request({ transactionalId: null, transactionTimeout: 30_000 }),
        initProducerIdV0Response,
      );
      expect(init.errorCode).toBe(0);
      const producer = { producerId: init.producerId, producerEpoch: init.producerEpoch };
      const batch = (firstSequence: number, count: number) =>
        produceV3Request({
          acks: -1,
          timeout: 1000,
          ...producer,
          topicData: [
            {
              topic,
              partitions: [
                {
                  partition: 0,
                  firstSequence,
                  messages: Array.from({ length: count }, (_, i) => ({ key: 'k', value: `s${firstSequence + i}` })),
                },
              ],
            },
          ],
        });
      const resultOf = (res: any) => res.topics[0].partitions[0];

      const first = batch(0, 3);
      const firstBytes = (await first.encode()).buffer as Buffer;
      expect(resultOf(await client.sendRaw(first, firstBytes, produceV3Response))).toMatchObject({
        errorCode: 0,
        baseOffset: '0',
      });
      // The same bytes again, as a producer retrying after a lost response: acknowledged with the original offset.
      expect(resultOf(await client.sendRaw(first, firstBytes, produceV3Response))).toMatchObject({
        errorCode: 0,
        baseOffset: '0',
      });
      expect(resultOf(await client.send(batch(3, 2), produceV3Response))).toMatchObject({
        errorCode: 0,
        baseOffset: '3',
      });
      expect(resultOf(await client.send(batch(10, 1), produceV3Response, false))).toMatchObject({ errorCode: 45 }); // OUT_OF_ORDER_SEQUENCE_NUMBER

      const corrupt = Buffer.from((await batch(5, 1).encode()).buffer as Buffer);
      corrupt[corrupt.length - 2] ^= 0xff; // inside the last record: the CRC no longer matches
      expect(resultOf(await client.sendRaw(first, corrupt, produceV3Response, false))).toMatchObject({ errorCode: 2 }); // CORRUPT_MESSAGE

      const [offsets] = await admin.fetchTopicOffsets(topic);
      expect(offsets.high).toBe('5');
    } finally {
      client.close();
    }
  });
});

/** A bare Kafka connection: frames kafkajs-encoded requests and decodes the matching responses. */
async function rawClient(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let buffered = Buffer.alloc(0);
  const waiting = new Map<number, (payload: Buffer) => void>();
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      const size = buffered.readInt32BE(0);
      const frame = buffered.subarray(4, 4 + size);
      buffered = buffered.subarray(4 + size);
      waiting.get(frame.readInt32BE(0))?.(frame.subarray(4));
    }
  });
  let correlationId = 0;
  const client = {
    async sendRaw(request: any, body: Buffer, response: any, parse = true): Promise<any> {
      const id = ++correlationId;
      const clientId = Buffer.from('raw-client');
      const header = Buffer.alloc(10 + clientId.length);
      header.writeInt16BE(request.apiKey, 0);
      header.writeInt16BE(request.apiVersion, 2);
      header.writeInt32BE(id, 4);
      header.writeInt16BE(clientId.length, 8);
      clientId.copy(header, 10);
      const size = Buffer.alloc(4);
      size.writeInt32BE(header.length + body.length);
      const payload = new Promise<Buffer>((resolve) => waiting.set(id, resolve));
      socket.write(Buffer.concat([size, header, body]));
      const decoded = await response.decode(await payload);
      return parse ? response.parse(decoded) : decoded;
    },
    async send(request: any, response: any, parse = true): Promise<any> {
      return client.sendRaw(request, (await request.encode()).buffer as Buffer, response, parse);
    },
    close: () => socket.destroy(),
  };
  return client;
}
