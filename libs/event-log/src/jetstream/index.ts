import {
  connect,
  RetentionPolicy,
  StorageType,
  type ConnectionOptions,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import type { EventStore, SnapshotStore, WorkQueue } from '../ports';
import { createJetStreamEventStore } from './event-store';
import { apiErrorCode, JS_ERR, jetStreamNames, type JetStreamNames } from './names';
import { createJetStreamSnapshotStore } from './snapshots';
import { createJetStreamWorkQueue } from './work-queue';

export interface JetStreamEventLogConfig {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. Ignored when `connection` is given. */
  servers?: string | string[];
  /** Extra connection options (credentials, TLS, name…). */
  connectionOptions?: ConnectionOptions;
  /** An already open connection to share; close() leaves it open. */
  connection?: NatsConnection;
  /** Subject root and stream-name prefix (default `agentry`). */
  prefix?: string;
  /** File (default) or memory storage for the streams this module creates. */
  storage?: 'file' | 'memory';
  /** Replicas of the streams this module creates (default 1; 3 in a cluster). */
  replicas?: number;
  /** Subscription pull wait; close() of a subscription takes at most this long (default 1000 ms). */
  fetchExpiresMs?: number;
  /** Redelivery delay of a subscription message whose process died mid-handler (default 30 s). */
  subscriptionAckWaitMs?: number;
  /** AckWait of a work queue first created by enqueue (default 30 s); lease() sets its own. */
  defaultLeaseMs?: number;
}

export interface JetStreamEventLog {
  events: EventStore;
  queue: WorkQueue;
  /** Snapshots of stream folds in the KV bucket `<PREFIX>_SNAPSHOTS` (created on first use). */
  snapshots: SnapshotStore;
  nc: NatsConnection;
  names: JetStreamNames;
  close(): Promise<void>;
}

async function ensureEventsStream(
  jsm: JetStreamManager,
  names: JetStreamNames,
  storage: StorageType,
  replicas: number,
): Promise<void> {
  try {
    await jsm.streams.info(names.eventsStream);
  } catch (err) {
    if (apiErrorCode(err) !== JS_ERR.STREAM_NOT_FOUND) throw err;
    try {
      await jsm.streams.add({
        name: names.eventsStream,
        subjects: [names.allEventsFilter],
        retention: RetentionPolicy.Limits,
        storage,
        num_replicas: replicas,
        max_msgs: -1,
        max_bytes: -1,
        max_age: 0,
      });
    } catch (addErr) {
      // another client created it in between: fine
      await jsm.streams.info(names.eventsStream).catch(() => Promise.reject(addErr));
    }
  }
}

/** Event log and work queue on NATS JetStream (see README "JetStream"). Creates its streams when missing. */
export async function createJetStreamEventLog(config: JetStreamEventLogConfig): Promise<JetStreamEventLog> {
  const owned = !config.connection;
  const nc =
    config.connection ??
    (await connect({
      servers: config.servers ?? '127.0.0.1:4222',
      name: 'agentry-event-log',
      maxReconnectAttempts: -1,
      ...config.connectionOptions,
    }));
  try {
    const names = jetStreamNames(config.prefix ?? 'agentry');
    const storage = config.storage === 'memory' ? StorageType.Memory : StorageType.File;
    const replicas = config.replicas ?? 1;
    const jsm = await nc.jetstreamManager();
    const js = nc.jetstream();
    await ensureEventsStream(jsm, names, storage, replicas);
    const events = createJetStreamEventStore(js, jsm, names, {
      fetchExpiresMs: config.fetchExpiresMs ?? 1000,
      subscriptionAckWaitMs: config.subscriptionAckWaitMs ?? 30_000,
    });
    const queue = createJetStreamWorkQueue(nc, js, jsm, names, {
      defaultLeaseMs: config.defaultLeaseMs ?? 30_000,
      storage,
      replicas,
    });
    const snapshots = createJetStreamSnapshotStore(js, names, { storage, replicas });
    let closed = false;
    return {
      events,
      queue,
      snapshots,
      nc,
      names,
      async close() {
        if (closed) return;
        closed = true;
        await Promise.all([events.close(), queue.close(), snapshots.close()]);
        if (owned) await nc.close();
      },
    };
  } catch (err) {
    if (owned) await nc.close();
    throw err;
  }
}

export { createJetStreamEventStore } from './event-store';
export { createJetStreamWorkQueue } from './work-queue';
export { createJetStreamSnapshotStore, type JetStreamSnapshotStoreOptions } from './snapshots';
export { jetStreamNames, kvKey, token as subjectToken } from './names';
