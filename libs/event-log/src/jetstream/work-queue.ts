import { AckPolicy, DeliverPolicy, nanos, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type JsMsg, type NatsConnection } from 'nats';
import { DomainError } from '@agentry/kernel';
import type { LeasedTask, LeaseOptions, NewTask, WorkQueue } from '../ports';
import { leaseConflict } from '../internal/validate';
import { apiErrorCode, JS_ERR, type JetStreamNames } from './names';

export interface JetStreamWorkQueueOptions {
  /** AckWait of a queue created by enqueue before any lease asked for a length (default 30 s). */
  defaultLeaseMs: number;
  storage: StorageType;
  replicas: number;
}

interface StoredTask {
  /** id */ i: string;
  /** tenantId */ t: string;
  /** payload */ p: unknown;
  /** notBefore (ms epoch) */ nb?: number;
}

interface HeldLease {
  msg: JsMsg;
  queue: string;
  id: string;
  stream: string;
  /** Local deadline, never later than the server's: measured before each +WPI that restarts AckWait. */
  expiresAt: number;
}

type TaskRef = Pick<LeasedTask, 'id' | 'queue' | 'leaseToken'>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * WorkQueue on JetStream: one WorkQueue-retention stream per queue with one durable pull consumer
 * ("workers"), one message per task on its own subject.
 *  - lease = pull; the lease length is the consumer's AckWait (per queue: a lease asking for another
 *    length updates it); heartbeat = +WPI (resets AckWait); ack = +ACK (the stream drops the message);
 *    nack = -NAK with delay.
 *  - idempotent enqueue: publish with Nats-Expected-Last-Subject-Sequence 0 on the task's subject, so
 *    an id that is still queued or leased is refused by the server (no dedupe window involved).
 *  - the lease token names the delivery (stream sequence + delivery sequence). JetStream accepts an ack
 *    from ANY delivery of a message, so tokens are checked here: a lease is only honoured by the client
 *    that took it, and only until its deadline, after which the server may hand the task to another worker.
 *  - notBefore: JetStream 2.9 cannot delay a message, so a task leased early is nak'ed with the
 *    remaining delay; that early delivery counts in `deliveries`.
 */
export function createJetStreamWorkQueue(nc: NatsConnection, js: JetStreamClient, jsm: JetStreamManager, names: JetStreamNames, opts: JetStreamWorkQueueOptions): WorkQueue {
  const held = new Map<string, HeldLease>();
  /** AckWait (ms) of each queue's consumer as last set or seen by this client. */
  const ackWaits = new Map<string, number>();
  let closed = false;

  async function ensureQueue(queue: string, leaseMs?: number): Promise<void> {
    const stream = names.tasksStream(queue);
    let current = ackWaits.get(queue);
    if (current === undefined) {
      try {
        await jsm.streams.info(stream);
      } catch (err) {
        if (apiErrorCode(err) !== JS_ERR.STREAM_NOT_FOUND) throw err;
        await jsm.streams.add({ name: stream, subjects: [names.tasksFilter(queue)], retention: RetentionPolicy.Workqueue, storage: opts.storage, num_replicas: opts.replicas });
      }
      try {
        current = Math.round((await jsm.consumers.info(stream, names.workersConsumer)).config.ack_wait! / 1e6);
      } catch (err) {
        if (apiErrorCode(err) !== JS_ERR.CONSUMER_NOT_FOUND) throw err;
        current = leaseMs ?? opts.defaultLeaseMs;
        await jsm.consumers.add(stream, {
          durable_name: names.workersConsumer,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: nanos(current),
          max_deliver: -1,
          max_ack_pending: -1,
        });
      }
      ackWaits.set(queue, current);
    }
    if (leaseMs !== undefined && leaseMs !== current) {
      await jsm.consumers.update(stream, names.workersConsumer, { ack_wait: nanos(leaseMs) });
      ackWaits.set(queue, leaseMs);
    }
  }

  async function streamExists(queue: string): Promise<boolean> {
    if (ackWaits.has(queue)) return true;
    try {
      await jsm.streams.info(names.tasksStream(queue));
      return true;
    } catch (err) {
      if (apiErrorCode(err) === JS_ERR.STREAM_NOT_FOUND) return false;
      throw err;
    }
  }

  async function pull(queue: string, batch: number, waitMs: number): Promise<JsMsg[]> {
    const msgs: JsMsg[] = [];
    const options = waitMs > 0 ? { batch, expires: waitMs } : { batch, no_wait: true };
    for await (const msg of js.fetch(names.tasksStream(queue), names.workersConsumer, options)) msgs.push(msg);
    return msgs;
  }

  function holding(task: TaskRef): HeldLease {
    const lease = held.get(task.leaseToken);
    if (!lease || lease.queue !== task.queue || lease.id !== task.id) throw leaseConflict(task.queue, task.id, 'not held by this client (taken over, acked or unknown)');
    if (Date.now() >= lease.expiresAt) {
      held.delete(task.leaseToken);
      throw leaseConflict(task.queue, task.id, 'lease expired');
    }
    return lease;
  }

  function ensureOpen(): void {
    if (closed) throw new DomainError('UNAVAILABLE', 'work queue is closed');
  }

  return {
    async enqueue(queue, tasks: NewTask[]) {
      ensureOpen();
      for (const t of tasks) {
        if (typeof t.id !== 'string' || t.id === '' || typeof t.tenantId !== 'string' || t.tenantId === '') {
          throw new DomainError('VALIDATION_FAILED', 'a task needs an id and a tenantId', { queue });
        }
      }
      await ensureQueue(queue);
      const stream = names.tasksStream(queue);
      // Issued back to back on one connection: they reach the stream in this order (FIFO).
      await Promise.all(
        tasks.map(async (t) => {
          const body: StoredTask = { i: t.id, t: t.tenantId, p: t.payload ?? null };
          if (t.notBefore !== undefined) body.nb = t.notBefore;
          try {
            await js.publish(names.taskSubject(queue, t.id), encoder.encode(JSON.stringify(body)), { expect: { streamName: stream, lastSubjectSequence: 0 } });
          } catch (err) {
            if (apiErrorCode(err) !== JS_ERR.WRONG_LAST_SEQUENCE) throw err; // else: already queued or leased
          }
        }),
      );
    },

    async lease(queue, options: LeaseOptions) {
      ensureOpen();
      if (!(options.leaseMs > 0)) throw new DomainError('VALIDATION_FAILED', 'leaseMs must be > 0', { queue });
      await ensureQueue(queue, options.leaseMs);
      const max = options.max ?? 1;
      const deadline = Date.now() + (options.waitMs ?? 0);
      const leased: LeasedTask[] = [];
      let wait = 0; // first a pull that answers at once; then, if allowed, one that waits for a single task
      for (;;) {
        const msgs = await pull(queue, wait > 0 ? 1 : max - leased.length, wait);
        for (const msg of msgs) {
          let task: StoredTask;
          try {
            task = JSON.parse(decoder.decode(msg.data)) as StoredTask;
          } catch (err) {
            msg.term();
            throw new DomainError('CORRUPT_EVENT', `task message ${msg.seq} in ${queue} cannot be decoded`, { queue, seq: msg.seq }, { cause: err });
          }
          const early = (task.nb ?? 0) - Date.now();
          if (early > 0) {
            msg.nak(early);
            continue;
          }
          // The server's AckWait started at delivery, some time before now; a +WPI restarts it no earlier
          // than now, so the local deadline below can only be earlier than the server's.
          const expiresAt = Date.now() + options.leaseMs;
          msg.working();
          const leaseToken = `${msg.seq}.${msg.info.deliverySequence}`;
          held.set(leaseToken, { msg, queue, id: task.i, stream: names.tasksStream(queue), expiresAt });
          leased.push({ id: task.i, queue, tenantId: task.t, payload: task.p, deliveries: msg.info.redeliveryCount, leaseToken, leaseExpiresAt: expiresAt });
        }
        if (leased.length > 0) await nc.flush(); // the +WPIs are on their way before anyone relies on the lease
        const remaining = deadline - Date.now();
        if (leased.length >= max || closed) return leased;
        if (leased.length > 0 && wait > 0) {
          wait = 0; // got one after waiting: top up without waiting
          continue;
        }
        if (leased.length > 0 || remaining <= 0) return leased;
        wait = remaining;
      }
    },

    async heartbeat(task, leaseMs) {
      ensureOpen();
      const lease = holding(task);
      try {
        await jsm.streams.getMessage(lease.stream, { seq: lease.msg.seq });
      } catch (err) {
        if (apiErrorCode(err) !== JS_ERR.NO_MESSAGE) throw err;
        held.delete(task.leaseToken);
        throw leaseConflict(task.queue, task.id, 'task removed');
      }
      const sentAt = Date.now();
      lease.msg.working();
      await nc.flush();
      lease.expiresAt = sentAt + (ackWaits.get(task.queue) ?? leaseMs);
    },

    async ack(task) {
      ensureOpen();
      const lease = holding(task);
      held.delete(task.leaseToken);
      if (!(await lease.msg.ackAck())) throw new DomainError('UNAVAILABLE', `ack of ${task.queue}/${task.id} was not confirmed`);
    },

    async nack(task, delayMs = 0) {
      ensureOpen();
      const lease = holding(task);
      held.delete(task.leaseToken);
      lease.msg.nak(delayMs > 0 ? delayMs : undefined);
      await nc.flush();
    },

    async remove(queue, taskId) {
      ensureOpen();
      if (!(await streamExists(queue))) return;
      const stream = names.tasksStream(queue);
      try {
        const msg = await jsm.streams.getMessage(stream, { last_by_subj: names.taskSubject(queue, taskId) });
        await jsm.streams.deleteMessage(stream, msg.seq, false);
      } catch (err) {
        if (apiErrorCode(err) !== JS_ERR.NO_MESSAGE) throw err;
      }
    },

    async depth(queue) {
      ensureOpen();
      if (!(await streamExists(queue))) return 0;
      return (await jsm.streams.info(names.tasksStream(queue))).state.messages;
    },

    async close() {
      closed = true;
      held.clear(); // unacknowledged leases simply expire on the server and are redelivered
    },
  };
}
