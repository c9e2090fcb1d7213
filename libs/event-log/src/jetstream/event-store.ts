import { AckPolicy, DeliverPolicy, headers as natsHeaders, nanos, type JetStreamClient, type JetStreamManager, type JsMsg } from 'nats';
import { categoryOf, DomainError, type EventEnvelope } from '@agentry/kernel';
import type { AppendResult, EventStore, ReadAllOptions, SubscribeOptions, Subscription } from '../ports';
import { commitPosition, corruptEvent, corruptPlaceholder, decodeCommit, EVENTS_PER_COMMIT, sequenceOfPosition, toEnvelope, toStored, type StoredCommit } from '../internal/codec';
import { validateAppend, versionConflict } from '../internal/validate';
import { deferred } from '../internal/wakeup';
import { apiErrorCode, JS_ERR, type JetStreamNames } from './names';
import { subscriptionSet } from '../internal/subscriptions';

/** Header on every commit: the stream version after it (so the current version is one "last by subject" lookup). */
export const VERSION_HEADER = 'Agentry-Stream-Version';
/** Header on every commit: how many events it holds (so the head position needs no decoding). */
export const COUNT_HEADER = 'Agentry-Event-Count';

export interface JetStreamEventStoreOptions {
  /** Pull wait of a subscription; close() takes at most this long (default 1000 ms). */
  fetchExpiresMs: number;
  /** Redelivery delay of an unacknowledged subscription message when its process died (default 30 s). */
  subscriptionAckWaitMs: number;
}

interface StreamHead {
  seq: number;
  version: number;
}

const READ_BATCH = 256;
const MAX_APPEND_ATTEMPTS = 20;
const HEAD_CACHE_SIZE = 10_000;

const encoder = new TextEncoder();

/**
 * EventStore on one JetStream stream. Each append is ONE message (a commit holding all its events), so
 * it is atomic on any server version; the expected version is enforced by the server through
 * `Nats-Expected-Last-Subject-Sequence` on the stream's own subject. globalPosition =
 * messageSequence * 1000 + index in the commit: one sequence for the whole log, so positions order
 * events across categories; they are strictly increasing but not contiguous.
 */
export function createJetStreamEventStore(js: JetStreamClient, jsm: JetStreamManager, names: JetStreamNames, opts: JetStreamEventStoreOptions): EventStore {
  const stream = names.eventsStream;
  /** Last known commit per stream written or read here; only ever behind the truth, never ahead. */
  const heads = new Map<string, StreamHead>();
  const subscriptions = subscriptionSet();
  let closed = false;

  const remember = (streamId: string, head: StreamHead) => {
    heads.delete(streamId);
    heads.set(streamId, head);
    if (heads.size > HEAD_CACHE_SIZE) heads.delete(heads.keys().next().value!);
  };

  async function fetchHead(streamId: string): Promise<StreamHead> {
    try {
      const last = await jsm.streams.getMessage(stream, { last_by_subj: names.eventSubject(categoryOf(streamId), streamId) });
      const version = Number(last.header.get(VERSION_HEADER));
      if (!Number.isInteger(version) || version < 1) throw corruptEvent({ streamId, globalPosition: commitPosition(last.seq, 0) });
      return { seq: last.seq, version };
    } catch (err) {
      if (apiErrorCode(err) === JS_ERR.NO_MESSAGE) return { seq: 0, version: 0 };
      throw err;
    }
  }

  /** Reads commits through a short-lived consumer; num_pending at creation bounds the read (a snapshot). */
  async function readCommits(filter: string, startSeq: number, visit: (events: EventEnvelope[]) => boolean | void, wanted?: () => number): Promise<void> {
    const info = await jsm.consumers.add(stream, {
      ack_policy: AckPolicy.None,
      filter_subject: filter,
      mem_storage: true,
      inactive_threshold: nanos(30_000),
      ...(startSeq > 1 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq } : { deliver_policy: DeliverPolicy.All }),
    });
    let remaining = info.num_pending;
    let done = false;
    try {
      while (remaining > 0 && !done) {
        const batch = Math.max(1, Math.min(remaining, READ_BATCH, wanted ? wanted() : READ_BATCH));
        let received = 0;
        let failure: unknown;
        // Drains the whole batch even after `visit` had enough or a commit failed to decode: leaving the
        // pull early would leave its subscription and timer behind until the pull expires.
        for await (const msg of js.fetch(stream, info.name, { batch, expires: 5_000 })) {
          received++;
          remaining--;
          if (done) continue;
          try {
            if (visit(decodeCommit(msg.data, msg.seq)) === false) done = true;
          } catch (err) {
            failure = err;
            done = true;
          }
        }
        if (failure !== undefined) throw failure;
        if (received === 0) throw new DomainError('UNAVAILABLE', `JetStream did not deliver the ${remaining} pending messages of ${stream}`);
      }
    } finally {
      await jsm.consumers.delete(stream, info.name).catch(() => undefined);
    }
  }

  function ensureOpen(): void {
    if (closed) throw new DomainError('UNAVAILABLE', 'event store is closed');
  }

  const store: EventStore = {
    maxEventsPerAppend: EVENTS_PER_COMMIT,
    async append(streamId, events, options): Promise<AppendResult> {
      ensureOpen();
      validateAppend(streamId, events, options, EVENTS_PER_COMMIT);
      const subject = names.eventSubject(categoryOf(streamId), streamId);
      const expected = options.expectedVersion;
      for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
        const cached = heads.get(streamId);
        const head = cached ?? (await fetchHead(streamId));
        if (expected !== 'any' && expected !== head.version) {
          // A cached head can only lag: if the caller expects more, look again before calling it a conflict.
          if (cached && expected > head.version) {
            heads.delete(streamId);
            continue;
          }
          throw versionConflict(streamId, expected, head.version);
        }
        if (events.length === 0) return { nextVersion: head.version, lastPosition: 0, events: [] };

        const now = new Date();
        const stored = events.map((e) => toStored(e, options.tenantId, now));
        const commit: StoredCommit = { s: streamId, v: head.version + 1, e: stored };
        const nextVersion = head.version + events.length;
        const h = natsHeaders();
        h.set(VERSION_HEADER, String(nextVersion));
        h.set(COUNT_HEADER, String(events.length));
        try {
          const ack = await js.publish(subject, encoder.encode(JSON.stringify(commit)), { headers: h, expect: { streamName: stream, lastSubjectSequence: head.seq } });
          remember(streamId, { seq: ack.seq, version: nextVersion });
          const appended = stored.map((s, k) => toEnvelope(s, { streamId, streamVersion: head.version + 1 + k, globalPosition: commitPosition(ack.seq, k) }));
          return { nextVersion, lastPosition: appended[appended.length - 1].globalPosition, events: appended };
        } catch (err) {
          if (apiErrorCode(err) !== JS_ERR.WRONG_LAST_SEQUENCE) throw err;
          heads.delete(streamId); // someone else appended: re-read; a numeric expectation then fails above
        }
      }
      throw new DomainError('CONFLICT', `append to ${streamId} kept racing other writers`, { streamId });
    },

    async readStream(streamId, options = {}) {
      ensureOpen();
      const fromVersion = options.fromVersion ?? 1;
      const result: EventEnvelope[] = [];
      let head: StreamHead | undefined;
      await readCommits(names.eventSubject(categoryOf(streamId), streamId), 1, (commit) => {
        for (const e of commit) {
          if (e.streamId !== streamId) throw corruptEvent({ streamId, globalPosition: e.globalPosition });
          if (e.streamVersion >= fromVersion) result.push(e);
        }
        const last = commit[commit.length - 1];
        if (last) head = { seq: sequenceOfPosition(last.globalPosition), version: last.streamVersion };
      });
      if (head && (heads.get(streamId)?.seq ?? 0) < head.seq) remember(streamId, head);
      return result;
    },

    async streamVersion(streamId) {
      ensureOpen();
      return (await fetchHead(streamId)).version;
    },

    async readAll(options: ReadAllOptions = {}) {
      ensureOpen();
      const after = options.after ?? 0;
      const limit = options.limit ?? Infinity;
      const categories = options.categories && options.categories.length > 0 ? new Set(options.categories) : undefined;
      const filter = categories?.size === 1 ? names.categoryFilter([...categories][0]) : names.allEventsFilter;
      const result: EventEnvelope[] = [];
      if (limit <= 0) return result;
      await readCommits(
        filter,
        Math.max(1, sequenceOfPosition(after)),
        (commit) => {
          for (const e of commit) {
            if (e.globalPosition <= after || (categories && !categories.has(categoryOf(e.streamId)))) continue;
            result.push(e);
            if (result.length >= limit) return false;
          }
        },
        () => limit - result.length,
      );
      return result;
    },

    async headPosition() {
      ensureOpen();
      const info = await jsm.streams.info(stream);
      const last = info.state.last_seq;
      if (!last || info.state.messages === 0) return 0;
      const msg = await jsm.streams.getMessage(stream, { seq: last });
      const count = Number(msg.header.get(COUNT_HEADER));
      return commitPosition(last, Number.isInteger(count) && count > 0 ? count - 1 : 0);
    },

    subscribe(options) {
      ensureOpen();
      return subscriptions.track(runSubscription(options));
    },

    async close() {
      if (closed) return;
      closed = true;
      await subscriptions.closeAll();
    },
  };

  /**
   * A durable pull consumer per subscription name, max_ack_pending 1 so commits arrive one at a time
   * and in order. A commit is acknowledged (= the position stored) after the handler resolved for all
   * its events; a failing handler naks it, so it is the first thing the next subscribe receives.
   */
  function runSubscription(options: SubscribeOptions): Subscription {
    const durable = names.subscriptionConsumer(options.consumer);
    const categories = options.categories && options.categories.length > 0 ? new Set(options.categories) : undefined;
    const filter = categories?.size === 1 ? names.categoryFilter([...categories][0]) : names.allEventsFilter;
    const caughtUp = deferred();
    let stopped = false;

    const fail = (err: unknown, event: EventEnvelope) => {
      stopped = true;
      if (!caughtUp.settled) caughtUp.reject(err);
      try {
        options.onError?.(err, event);
      } catch {
        // a notification only
      }
    };

    async function ensureConsumer(): Promise<void> {
      let info;
      try {
        info = await jsm.consumers.info(stream, durable);
      } catch (err) {
        if (apiErrorCode(err) !== JS_ERR.CONSUMER_NOT_FOUND) throw err;
        info = await jsm.consumers.add(stream, {
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: options.startAt === 'end' ? DeliverPolicy.New : DeliverPolicy.All,
          filter_subject: filter,
          max_ack_pending: 1,
          ack_wait: nanos(opts.subscriptionAckWaitMs),
          max_deliver: -1,
        });
      }
      if ((info.config.filter_subject ?? '') !== filter) {
        throw new DomainError('CONFLICT', `consumer ${options.consumer} exists with other categories (${info.config.filter_subject}); use another name`, { consumer: options.consumer });
      }
      if (info.num_pending === 0 && info.num_ack_pending === 0) caughtUp.resolve();
    }

    async function handleCommit(msg: JsMsg): Promise<boolean> {
      let commit: EventEnvelope[];
      try {
        commit = decodeCommit(msg.data, msg.seq);
      } catch (err) {
        msg.nak();
        fail(err, corruptPlaceholder({ streamId: '?', streamVersion: 0, globalPosition: commitPosition(msg.seq, 0) }));
        return false;
      }
      for (const event of commit) {
        if (categories && !categories.has(categoryOf(event.streamId))) continue;
        try {
          await options.handler(event);
        } catch (err) {
          msg.nak();
          fail(err, event);
          return false;
        }
      }
      await msg.ackAck();
      return true;
    }

    const loop = (async () => {
      try {
        await ensureConsumer();
        while (!stopped) {
          let received = 0;
          for await (const msg of js.fetch(stream, durable, { batch: 1, expires: opts.fetchExpiresMs })) {
            received++;
            if (stopped) {
              msg.nak(); // arrived while closing: hand it straight to the next subscriber
              continue;
            }
            if (!(await handleCommit(msg))) break;
            if (msg.info.pending === 0 && !caughtUp.settled) caughtUp.resolve();
          }
          if (received === 0 && !caughtUp.settled) caughtUp.resolve();
        }
      } catch (err) {
        if (!stopped) fail(err, corruptPlaceholder({ streamId: '?', streamVersion: 0, globalPosition: 0 }));
      }
    })();

    return {
      caughtUp: caughtUp.promise,
      async close() {
        stopped = true;
        await loop;
        if (!caughtUp.settled) caughtUp.reject(new DomainError('UNAVAILABLE', `subscription ${options.consumer} closed before it caught up`));
      },
    };
  }

  return store;
}
