import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { ProtocolError, Reader, Writer } from './codec';
import { GroupCoordinator } from './group';
import {
  splitRecordSet,
  Topic,
  TOPIC_CONFIG_DEFAULTS,
  topicConfigError,
  topicNameError,
  type PartitionLog,
} from './log';
import { ApiKey, ErrorCode, isSupported, SUPPORTED_VERSIONS } from './protocol';

export interface KafkaTestBrokerOptions {
  /** TCP port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** Partitions of a topic created with numPartitions -1 or auto-created (default 1). */
  defaultPartitions?: number;
  /** How often member sessions are checked for expiry (default 250 ms). */
  sessionTimeoutCheckMs?: number;
  /** Create unknown topics named in Metadata requests that allow it (default false, as `auto.create.topics.enable=false`). */
  autoCreateTopics?: boolean;
}

export interface KafkaTestBroker {
  readonly host: string;
  readonly port: number;
  /** `['127.0.0.1:<port>']`, ready for `new Kafka({ brokers })`. */
  readonly brokers: string[];
  close(): Promise<void>;
}

const NODE_ID = 0;
const CLUSTER_ID = 'kafka-test-broker';
const MAX_FRAME = 100 * 1024 * 1024;
const DEBUG = process.env.KAFKA_TEST_BROKER_DEBUG === '1';

interface Connection {
  socket: Socket;
  clientHost: string;
  closed: boolean;
}

/** A request handler writes the response body, or returns null when no response is due (Produce with acks=0). */
type Handler = (
  r: Reader,
  version: number,
  conn: Connection,
  clientId: string,
) => Promise<Writer | null> | Writer | null;

/**
 * A single Kafka broker (node 0) in memory: real TCP, the Kafka wire protocol (non-flexible versions,
 * see SUPPORTED_VERSIONS), record batches stored as sent, idempotent-producer deduplication and a
 * group coordinator with Kafka's rebalance protocol. Requests on one connection are handled one at a
 * time, in order, as Kafka does.
 */
export async function startKafkaTestBroker(options: KafkaTestBrokerOptions = {}): Promise<KafkaTestBroker> {
  const host = '127.0.0.1';
  const defaultPartitions = options.defaultPartitions ?? 1;
  if (!Number.isInteger(defaultPartitions) || defaultPartitions < 1)
    throw new Error('defaultPartitions must be a positive integer');
  const topics = new Map<string, Topic>();
  const coordinator = new GroupCoordinator(options.sessionTimeoutCheckMs ?? 250);
  const connections = new Set<Connection>();
  /** Long-polling fetches, woken by every append and topic change. */
  const fetchWaiters = new Set<() => void>();
  let nextProducerId = 1000n;
  let port = 0;
  let closing = false;

  const wakeFetches = () => {
    for (const wake of [...fetchWaiters]) wake();
  };

  const partitionOf = (topic: string, partition: number): PartitionLog | undefined =>
    topics.get(topic)?.partitions[partition];

  function createTopic(name: string, partitions: number, configs?: Map<string, string>): Topic {
    const topic = new Topic(name, partitions, configs);
    topics.set(name, topic);
    wakeFetches();
    return topic;
  }

  const handlers: Record<number, Handler> = {
    [ApiKey.ApiVersions]: (_r, version) => writeApiVersions(ErrorCode.NONE, version),

    [ApiKey.Metadata]: (r, version) => {
      const requested = version === 0 ? r.array((x) => x.string()) : r.nullableArray((x) => x.string());
      const allowAutoCreate = version >= 4 ? r.bool() : true;
      const all = requested === null || (version === 0 && requested.length === 0);
      const names = all ? [...topics.keys()].sort() : requested;
      const w = new Writer();
      if (version >= 3) w.int32(0);
      w.array([NODE_ID], (b) => {
        b.int32(NODE_ID).string(host).int32(port);
        if (version >= 1) b.string(null);
      });
      if (version >= 2) w.string(CLUSTER_ID);
      if (version >= 1) w.int32(NODE_ID);
      w.array(names, (t, name) => {
        let topic = topics.get(name);
        const nameError = topicNameError(name);
        if (!topic && !nameError && options.autoCreateTopics && allowAutoCreate)
          topic = createTopic(name, defaultPartitions);
        const error = topic
          ? ErrorCode.NONE
          : nameError
            ? ErrorCode.INVALID_TOPIC_EXCEPTION
            : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        t.int16(error).string(name);
        if (version >= 1) t.bool(false);
        t.array(topic ? topic.partitions.map((_, i) => i) : [], (p, id) => {
          p.int16(ErrorCode.NONE).int32(id).int32(NODE_ID).int32Array([NODE_ID]).int32Array([NODE_ID]);
          if (version >= 5) p.int32Array([]);
        });
      });
      return w;
    },

    [ApiKey.CreateTopics]: (r, version) => {
      const requests = r.array((t) => ({
        name: t.string(),
        numPartitions: t.int32(),
        replicationFactor: t.int16(),
        assignments: t.array((a) => ({ partition: a.int32(), replicas: a.array((x) => x.int32()) })),
        configs: t.array((c) => ({ name: c.string(), value: c.nullableString() })),
      }));
      r.int32(); // timeout: creation is immediate
      const validateOnly = version >= 1 ? r.bool() : false;
      const counts = new Map<string, number>();
      for (const t of requests) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
      const results = requests.map((t): { name: string; error: number; message: string | null } => {
        const fail = (error: number, message: string) => ({ name: t.name, error, message });
        if ((counts.get(t.name) ?? 0) > 1)
          return fail(ErrorCode.INVALID_REQUEST, `topic ${t.name} appears more than once in the request`);
        const nameError = topicNameError(t.name);
        if (nameError) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, nameError);
        if (topics.has(t.name)) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
        let partitions: number;
        if (t.assignments.length > 0) {
          if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
            return fail(
              ErrorCode.INVALID_REQUEST,
              'numPartitions and replicationFactor must be -1 when a replica assignment is given',
            );
          }
          const ids = t.assignments.map((a) => a.partition).sort((a, b) => a - b);
          if (
            ids.some((id, i) => id !== i) ||
            t.assignments.some((a) => a.replicas.length !== 1 || a.replicas[0] !== NODE_ID)
          ) {
            return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions must be 0..n-1, each on broker 0 only');
          }
          partitions = ids.length;
        } else {
          partitions = t.numPartitions === -1 ? defaultPartitions : t.numPartitions;
          if (partitions < 1) return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
          if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
            const message =
              t.replicationFactor < 1
                ? 'Replication factor must be larger than 0.'
                : `Replication factor: ${t.replicationFactor} larger than available brokers: 1.`;
            return fail(ErrorCode.INVALID_REPLICATION_FACTOR, message);
          }
        }
        const configs = new Map<string, string>();
        for (const c of t.configs) {
          const configError = topicConfigError(c.name, c.value);
          if (configError) return fail(ErrorCode.INVALID_CONFIG, configError);
          configs.set(c.name, c.value!);
        }
        if (!validateOnly) createTopic(t.name, partitions, configs);
        return { name: t.name, error: ErrorCode.NONE, message: null };
      });
      const w = new Writer();
      if (version >= 2) w.int32(0);
      return w.array(results, (x, res) => {
        x.string(res.name).int16(res.error);
        if (version >= 1) x.string(res.message);
      });
    },

    [ApiKey.DeleteTopics]: (r, version) => {
      const names = r.array((x) => x.string());
      r.int32(); // timeout
      const w = new Writer();
      if (version >= 1) w.int32(0);
      w.array(names, (x, name) => {
        const exists = topics.delete(name);
        if (exists) coordinator.forgetTopic(name);
        x.string(name).int16(exists ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      });
      wakeFetches();
      return w;
    },

    [ApiKey.CreatePartitions]: (r) => {
      const requests = r.array((t) => ({
        name: t.string(),
        count: t.int32(),
        assignments: t.nullableArray((a) => a.array((x) => x.int32())),
      }));
      r.int32(); // timeout
      const validateOnly = r.bool();
      const w = new Writer().int32(0);
      return w.array(requests, (x, t) => {
        const topic = topics.get(t.name);
        let error: number = ErrorCode.NONE;
        let message: string | null = null;
        if (!topic) [error, message] = [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${t.name} does not exist`];
        else if (t.count <= topic.partitions.length) {
          [error, message] = [
            ErrorCode.INVALID_PARTITIONS,
            `Topic currently has ${topic.partitions.length} partitions, which is higher than the requested ${t.count}.`,
          ];
        } else if (t.assignments && t.assignments.length !== t.count - topic.partitions.length) {
          [error, message] = [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'one assignment is needed per new partition'];
        } else if (!validateOnly) {
          topic.grow(t.count);
          wakeFetches();
        }
        x.string(t.name).int16(error).string(message);
      });
    },

    [ApiKey.DescribeConfigs]: (r, version) => {
      const resources = r.array((x) => ({
        type: x.int8(),
        name: x.string(),
        names: x.nullableArray((n) => n.string()),
      }));
      if (version >= 1) r.bool(); // include synonyms: there are none
      const TOPIC = 2;
      const BROKER = 4;
      const DEFAULT_CONFIG = 5;
      const TOPIC_CONFIG = 1;
      return new Writer().int32(0).array(resources, (x, res) => {
        const topic = res.type === TOPIC ? topics.get(res.name) : undefined;
        let error: number = ErrorCode.NONE;
        let message: string | null = null;
        let entries: Array<{ name: string; value: string; isDefault: boolean }> = [];
        if (res.type === TOPIC && !topic)
          [error, message] = [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${res.name} does not exist`];
        else if (res.type === BROKER && res.name !== String(NODE_ID) && res.name !== '')
          [error, message] = [ErrorCode.INVALID_REQUEST, `unknown broker ${res.name}`];
        else if (res.type !== TOPIC && res.type !== BROKER)
          [error, message] = [ErrorCode.INVALID_REQUEST, `unsupported resource type ${res.type}`];
        else if (topic) {
          const all = new Map(
            [...TOPIC_CONFIG_DEFAULTS].map(([name, value]) => [name, { name, value, isDefault: true }]),
          );
          for (const [name, value] of topic.configs) all.set(name, { name, value, isDefault: false });
          entries = [...all.values()]
            .filter((e) => !res.names || res.names.includes(e.name))
            .sort((a, b) => a.name.localeCompare(b.name));
        }
        x.int16(error).string(message).int8(res.type).string(res.name);
        x.array(entries, (e, entry) => {
          e.string(entry.name).string(entry.value).bool(false);
          if (version === 0) e.bool(entry.isDefault);
          else e.int8(entry.isDefault ? DEFAULT_CONFIG : TOPIC_CONFIG);
          e.bool(false); // sensitive
          if (version >= 1) e.int32(0); // synonyms
        });
      });
    },

    [ApiKey.InitProducerId]: (r) => {
      const transactionalId = r.nullableString();
      r.int32(); // transaction timeout
      const w = new Writer().int32(0);
      if (transactionalId !== null) return w.int16(ErrorCode.INVALID_REQUEST).int64(-1).int16(-1); // transactions are not implemented
      return w.int16(ErrorCode.NONE).int64(nextProducerId++).int16(0);
    },

    [ApiKey.Produce]: (r) => {
      const transactionalId = r.nullableString();
      const acks = r.int16();
      r.int32(); // timeout: writes are synchronous
      const data = r.array((t) => ({
        name: t.string(),
        partitions: t.array((p) => ({ partition: p.int32(), records: p.nullableBytes() })),
      }));
      let touched = false;
      const results = data.map((t) => ({
        name: t.name,
        partitions: t.partitions.map(({ partition, records }) => {
          const fail = (error: number) => ({ partition, error, baseOffset: -1 });
          if (acks !== 0 && acks !== 1 && acks !== -1) return fail(ErrorCode.INVALID_REQUIRED_ACKS);
          if (transactionalId !== null) return fail(ErrorCode.INVALID_TXN_STATE);
          const log = partitionOf(t.name, partition);
          if (!log) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          if (!records) return fail(ErrorCode.CORRUPT_MESSAGE);
          const split = splitRecordSet(records);
          if ('error' in split) return fail(split.error);
          if (split.batches.some((b) => b.transactional)) return fail(ErrorCode.INVALID_TXN_STATE);
          let baseOffset = -1;
          for (const batch of split.batches) {
            const appended = log.append(batch);
            if (appended.error !== ErrorCode.NONE) return fail(appended.error);
            if (baseOffset < 0) baseOffset = appended.baseOffset;
            touched = true;
          }
          return { partition, error: ErrorCode.NONE, baseOffset };
        }),
      }));
      if (touched) wakeFetches();
      if (acks === 0) return null;
      const w = new Writer();
      w.array(results, (x, t) =>
        x
          .string(t.name)
          .array(t.partitions, (p, res) => p.int32(res.partition).int16(res.error).int64(res.baseOffset).int64(-1)),
      );
      return w.int32(0);
    },

    [ApiKey.Fetch]: async (r, version, conn) => {
      r.int32(); // replica id: always a consumer here
      const maxWait = r.int32();
      const minBytes = r.int32();
      const maxBytes = r.int32();
      r.int8(); // isolation level: there are no transactions, so the last stable offset is the high watermark
      const requested = r.array((t) => ({
        name: t.string(),
        partitions: t.array((p) => {
          const partition = p.int32();
          const fetchOffset = p.int64();
          if (version >= 5) p.int64(); // the follower's log start offset
          return { partition, fetchOffset, maxBytes: p.int32() };
        }),
      }));

      const build = () => {
        let total = 0;
        let failed = false;
        const responses = requested.map((t) => ({
          name: t.name,
          partitions: t.partitions.map(({ partition, fetchOffset, maxBytes: partitionMax }) => {
            const log = partitionOf(t.name, partition);
            if (!log) {
              failed = true;
              return {
                partition,
                error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                hw: -1,
                logStart: -1,
                batches: [] as Buffer[],
              };
            }
            const base = { partition, hw: log.nextOffset, logStart: log.logStartOffset };
            if (fetchOffset < log.logStartOffset || fetchOffset > log.nextOffset) {
              failed = true;
              return { ...base, error: ErrorCode.OFFSET_OUT_OF_RANGE, batches: [] as Buffer[] };
            }
            const batches = log.read(fetchOffset, Math.min(partitionMax, Math.max(0, maxBytes - total)), total === 0);
            for (const b of batches) total += b.length;
            return { ...base, error: ErrorCode.NONE, batches };
          }),
        }));
        return { responses, total, failed };
      };

      let result = build();
      const deadline = Date.now() + maxWait;
      while (result.total < minBytes && !result.failed && !closing && !conn.closed && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            fetchWaiters.delete(wake);
            conn.socket.off('close', wake);
            resolve();
          };
          const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
          fetchWaiters.add(wake);
          conn.socket.once('close', wake);
        });
        result = build();
      }

      const w = new Writer(Math.max(256, result.total + 256)).int32(0);
      return w.array(result.responses, (x, t) =>
        x.string(t.name).array(t.partitions, (p, res) => {
          p.int32(res.partition).int16(res.error).int64(res.hw).int64(res.hw);
          if (version >= 5) p.int64(res.logStart);
          p.int32(0); // aborted transactions: none
          p.int32(res.batches.reduce((n, b) => n + b.length, 0));
          for (const b of res.batches) p.raw(b);
        }),
      );
    },

    [ApiKey.ListOffsets]: (r, version) => {
      r.int32(); // replica id
      if (version >= 2) r.int8(); // isolation level
      const requested = r.array((t) => ({
        name: t.string(),
        partitions: t.array((p) => ({ partition: p.int32(), timestamp: p.int64() })),
      }));
      const w = new Writer();
      if (version >= 2) w.int32(0);
      return w.array(requested, (x, t) =>
        x.string(t.name).array(t.partitions, (p, { partition, timestamp }) => {
          const log = partitionOf(t.name, partition);
          if (!log) return void p.int32(partition).int16(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).int64(-1).int64(-1);
          const found =
            timestamp === -1
              ? { offset: log.nextOffset, timestamp: -1 }
              : timestamp === -2
                ? { offset: log.logStartOffset, timestamp: -1 }
                : log.offsetForTimestamp(timestamp);
          p.int32(partition).int16(ErrorCode.NONE).int64(found.timestamp).int64(found.offset);
        }),
      );
    },

    [ApiKey.FindCoordinator]: (r, version) => {
      r.string(); // group id or transactional id: this broker coordinates everything
      if (version >= 1) r.int8(); // key type
      const w = new Writer();
      if (version >= 1) w.int32(0);
      w.int16(ErrorCode.NONE);
      if (version >= 1) w.string(null);
      return w.int32(NODE_ID).string(host).int32(port);
    },

    [ApiKey.JoinGroup]: async (r, version, conn, clientId) => {
      const groupId = r.string();
      const sessionTimeout = r.int32();
      const rebalanceTimeout = version >= 1 ? r.int32() : sessionTimeout;
      const memberId = r.string();
      const protocolType = r.string();
      const protocols = r.array((p) => ({ name: p.string(), metadata: p.bytes() }));
      const res = await coordinator.join({
        groupId,
        sessionTimeout,
        rebalanceTimeout,
        memberId,
        protocolType,
        protocols,
        clientId,
        clientHost: conn.clientHost,
      });
      const w = new Writer();
      if (version >= 2) w.int32(0);
      w.int16(res.error).int32(res.generationId).string(res.protocol).string(res.leaderId).string(res.memberId);
      return w.array(res.members, (x, m) => x.string(m.memberId).bytes(m.metadata));
    },

    [ApiKey.SyncGroup]: async (r, version) => {
      const groupId = r.string();
      const generationId = r.int32();
      const memberId = r.string();
      const assignments = r.array((a) => ({ memberId: a.string(), assignment: a.bytes() }));
      const res = await coordinator.sync(groupId, generationId, memberId, assignments);
      const w = new Writer();
      if (version >= 1) w.int32(0);
      return w.int16(res.error).bytes(res.assignment);
    },

    [ApiKey.Heartbeat]: (r, version) => {
      const error = coordinator.heartbeat(r.string(), r.int32(), r.string());
      const w = new Writer();
      if (version >= 1) w.int32(0);
      return w.int16(error);
    },

    [ApiKey.LeaveGroup]: (r, version) => {
      const error = coordinator.leave(r.string(), r.string());
      const w = new Writer();
      if (version >= 1) w.int32(0);
      return w.int16(error);
    },

    [ApiKey.OffsetCommit]: (r, version) => {
      const groupId = r.string();
      const generationId = r.int32();
      const memberId = r.string();
      r.int64(); // retention time: offsets live as long as the broker
      const requested = r.array((t) => ({
        name: t.string(),
        partitions: t.array((p) => ({ partition: p.int32(), offset: p.int64(), metadata: p.nullableString() ?? '' })),
      }));
      const groupError = coordinator.checkCommit(groupId, generationId, memberId);
      const w = new Writer();
      if (version >= 3) w.int32(0);
      return w.array(requested, (x, t) =>
        x.string(t.name).array(t.partitions, (p, { partition, offset, metadata }) => {
          let error = groupError;
          if (error === ErrorCode.NONE && !partitionOf(t.name, partition)) error = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          if (error === ErrorCode.NONE) coordinator.commit(groupId, t.name, partition, { offset, metadata });
          p.int32(partition).int16(error);
        }),
      );
    },

    [ApiKey.OffsetFetch]: (r, version) => {
      const groupId = r.string();
      const requested =
        version >= 2
          ? r.nullableArray((t) => ({ topic: t.string(), partitions: t.array((p) => p.int32()) }))
          : r.array((t) => ({ topic: t.string(), partitions: t.array((p) => p.int32()) }));
      const wanted = requested ?? coordinator.committedTopics(groupId);
      const w = new Writer();
      if (version >= 3) w.int32(0);
      w.array(wanted, (x, t) =>
        x.string(t.topic).array(t.partitions, (p, partition) => {
          const committed = coordinator.committed(groupId, t.topic, partition);
          p.int32(partition)
            .int64(committed?.offset ?? -1)
            .string(committed?.metadata ?? '')
            .int16(ErrorCode.NONE);
        }),
      );
      if (version >= 2) w.int16(ErrorCode.NONE);
      return w;
    },

    [ApiKey.DescribeGroups]: (r, version) => {
      const groupIds = r.array((x) => x.string());
      const w = new Writer();
      if (version >= 1) w.int32(0);
      return w.array(
        groupIds.map((id) => coordinator.describe(id)),
        (x, g) => {
          x.int16(g.error).string(g.groupId).string(g.state).string(g.protocolType).string(g.protocol);
          x.array(g.members, (m, member) =>
            m
              .string(member.memberId)
              .string(member.clientId)
              .string(member.clientHost)
              .bytes(member.metadata)
              .bytes(member.assignment),
          );
        },
      );
    },

    [ApiKey.ListGroups]: (_r, version) => {
      const w = new Writer();
      if (version >= 1) w.int32(0);
      return w.int16(ErrorCode.NONE).array(coordinator.list(), (x, g) => x.string(g.groupId).string(g.protocolType));
    },

    [ApiKey.DeleteGroups]: (r) => {
      const groupIds = r.array((x) => x.string());
      return new Writer().int32(0).array(groupIds, (x, id) => x.string(id).int16(coordinator.delete(id)));
    },
  };

  function writeApiVersions(error: number, version: number): Writer {
    const w = new Writer().int16(error);
    w.array([...SUPPORTED_VERSIONS], (x, [key, [min, max]]) => x.int16(key).int16(min).int16(max));
    if (version >= 1) w.int32(0);
    return w;
  }

  async function handle(frame: Buffer, conn: Connection): Promise<Buffer | null> {
    const r = new Reader(frame);
    const apiKey = r.int16();
    const version = r.int16();
    const correlationId = r.int32();
    const clientId = r.nullableString() ?? '';
    let body: Writer | null;
    if (!isSupported(apiKey, version)) {
      // Kafka answers an unsupported ApiVersions version with a v0 error response listing what it supports,
      // and closes the connection for anything else.
      if (apiKey !== ApiKey.ApiVersions)
        throw new ProtocolError(`unsupported request: api key ${apiKey} version ${version}`);
      body = writeApiVersions(ErrorCode.UNSUPPORTED_VERSION, 0);
    } else {
      body = await handlers[apiKey](r, version, conn, clientId);
    }
    if (DEBUG)
      console.error(
        `[kafka-test-broker] ${clientId} api=${apiKey} v${version} #${correlationId}${body ? '' : ' (no response)'}`,
      );
    if (!body) return null;
    const payload = body.toBuffer();
    const out = Buffer.allocUnsafe(8 + payload.length);
    out.writeInt32BE(4 + payload.length, 0);
    out.writeInt32BE(correlationId, 4);
    payload.copy(out, 8);
    return out;
  }

  function onConnection(socket: Socket): void {
    const conn: Connection = { socket, clientHost: `/${socket.remoteAddress ?? 'unknown'}`, closed: false };
    connections.add(conn);
    socket.setNoDelay(true);
    const chunks: Buffer[] = [];
    let buffered = 0;
    const frames: Buffer[] = [];
    let busy = false;

    const pump = async () => {
      if (busy) return;
      busy = true;
      try {
        while (frames.length > 0 && !conn.closed) {
          const response = await handle(frames.shift()!, conn);
          if (response && !conn.closed) socket.write(response);
        }
      } catch (err) {
        if (DEBUG || !(err instanceof ProtocolError)) console.error('[kafka-test-broker] closing connection:', err);
        socket.destroy();
      } finally {
        busy = false;
      }
    };

    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      buffered += chunk.length;
      while (buffered >= 4) {
        if (chunks[0].length < 4) chunks.splice(0, chunks.length, Buffer.concat(chunks));
        const size = chunks[0].readInt32BE(0);
        if (size < 0 || size > MAX_FRAME) {
          socket.destroy();
          return;
        }
        if (buffered < 4 + size) break; // wait for the rest of the frame before copying anything
        const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        frames.push(all.subarray(4, 4 + size));
        const rest = all.subarray(4 + size);
        chunks.length = 0;
        if (rest.length > 0) chunks.push(rest);
        buffered = rest.length;
      }
      void pump();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      conn.closed = true;
      connections.delete(conn);
    });
  }

  const server: Server = createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  let closed: Promise<void> | undefined;
  return {
    host,
    port,
    brokers: [`${host}:${port}`],
    close() {
      closed ??= (async () => {
        closing = true;
        wakeFetches();
        coordinator.close();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const conn of connections) conn.socket.destroy();
        await stopped;
      })();
      return closed;
    },
  };
}
