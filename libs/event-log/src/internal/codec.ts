import { randomUUID } from 'node:crypto';
import { DomainError, type EventEnvelope, type NewEvent } from '@agentry/kernel';

/**
 * Stored form of one event, shared by all adapters. Short keys keep the log compact, and replay is a
 * plain JSON.parse without re-validation (DESIGN.md "Performance notes"). Positions and the stream id
 * are not stored here: each adapter keeps them in its own columns / message metadata.
 */
export interface StoredEvent {
  /** id */ i: string;
  /** type */ t: string;
  /** tenantId */ n: string;
  /** occurredAt */ o: string;
  /** data */ d: unknown;
  /** causationId */ c?: string;
  /** correlationId */ r?: string;
  /** traceparent */ p?: string;
}

export interface EventLocation {
  streamId: string;
  streamVersion: number;
  globalPosition: number;
}

export function toStored(event: NewEvent, tenantId: string, now: Date): StoredEvent {
  const stored: StoredEvent = { i: event.id ?? randomUUID(), t: event.type, n: tenantId, o: event.occurredAt ?? now.toISOString(), d: event.data ?? null };
  if (event.causationId !== undefined) stored.c = event.causationId;
  if (event.correlationId !== undefined) stored.r = event.correlationId;
  if (event.traceparent !== undefined) stored.p = event.traceparent;
  return stored;
}

export function toEnvelope(stored: StoredEvent, at: EventLocation): EventEnvelope {
  const envelope: EventEnvelope = {
    id: stored.i,
    type: stored.t,
    streamId: at.streamId,
    streamVersion: at.streamVersion,
    globalPosition: at.globalPosition,
    tenantId: stored.n,
    occurredAt: stored.o,
    data: stored.d,
  };
  if (stored.c !== undefined) envelope.causationId = stored.c;
  if (stored.r !== undefined) envelope.correlationId = stored.r;
  if (stored.p !== undefined) envelope.traceparent = stored.p;
  return envelope;
}

export function corruptEvent(at: Partial<EventLocation>, cause?: unknown): DomainError {
  return new DomainError(
    'CORRUPT_EVENT',
    `stored event at global position ${at.globalPosition} (stream ${at.streamId ?? '?'}) cannot be decoded`,
    { ...at },
    { cause },
  );
}

/** Structural check only (cheap): replay does not re-validate payloads. */
export function isStoredEvent(value: unknown): value is StoredEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.i === 'string' && typeof v.t === 'string' && typeof v.n === 'string' && typeof v.o === 'string' && 'd' in v;
}

export function decodeStored(json: string, at: EventLocation): EventEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw corruptEvent(at, err);
  }
  if (!isStoredEvent(parsed)) throw corruptEvent(at);
  return toEnvelope(parsed, at);
}

/** Stand-in handed to SubscribeOptions.onError when the failing event could not even be decoded. */
export function corruptPlaceholder(at: EventLocation): EventEnvelope {
  return { id: '', type: '$corrupt', tenantId: '', occurredAt: '', data: null, ...at };
}

/**
 * Commit-based logs (JetStream, Kafka) store all events of one append in ONE message, so an append is
 * atomic without server-side batch support. An event's globalPosition is then
 * `messageSequence * EVENTS_PER_COMMIT + indexInCommit`: strictly increasing, not contiguous.
 */
export const EVENTS_PER_COMMIT = 1000;

export interface StoredCommit {
  /** streamId */ s: string;
  /** version of the first event */ v: number;
  /** events */ e: StoredEvent[];
}

export function commitPosition(sequence: number, index: number): number {
  return sequence * EVENTS_PER_COMMIT + index;
}

export function sequenceOfPosition(position: number): number {
  return Math.floor(position / EVENTS_PER_COMMIT);
}

export function decodeCommit(bytes: Uint8Array | string, sequence: number, fallbackStreamId?: string): EventEnvelope[] {
  const at = { streamId: fallbackStreamId ?? '?', streamVersion: 0, globalPosition: commitPosition(sequence, 0) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    throw corruptEvent(at, err);
  }
  const commit = parsed as Partial<StoredCommit> | null;
  if (typeof commit !== 'object' || commit === null || typeof commit.s !== 'string' || typeof commit.v !== 'number' || !Array.isArray(commit.e) || !commit.e.every(isStoredEvent)) {
    throw corruptEvent(at);
  }
  return commit.e.map((stored, k) => toEnvelope(stored, { streamId: commit.s!, streamVersion: commit.v! + k, globalPosition: commitPosition(sequence, k) }));
}
