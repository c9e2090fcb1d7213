import { gunzipSync } from 'node:zlib';
import { crc32c, Reader } from './codec';
import { ErrorCode } from './protocol';

/**
 * In-memory partition logs. A partition keeps the raw bytes of every record batch (magic 2) it was
 * given, with the baseOffset rewritten to the offset the batch got. The CRC covers only the bytes
 * from `attributes` on, so rewriting the first 8 bytes keeps the batch valid.
 */

// Byte positions inside a record batch (v2 / magic 2).
const BASE_OFFSET = 0;
const BATCH_LENGTH = 8;
const MAGIC = 16;
const CRC = 17;
const ATTRIBUTES = 21;
const LAST_OFFSET_DELTA = 23;
const FIRST_TIMESTAMP = 27;
const MAX_TIMESTAMP = 35;
const PRODUCER_ID = 43;
const PRODUCER_EPOCH = 51;
const BASE_SEQUENCE = 53;
const RECORDS_COUNT = 57;
const BATCH_OVERHEAD = 61;

const TRANSACTIONAL_FLAG = 0x10;
const CONTROL_FLAG = 0x20;
const COMPRESSION_MASK = 0x07;
const INT32_MAX = 0x7fffffff;
/** Kafka keeps the metadata of the last five batches per producer to recognise retried ones. */
const PRODUCER_BATCH_CACHE = 5;

export interface StoredBatch {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  data: Buffer;
}

interface ProducerState {
  epoch: number;
  lastSequence: number;
  recent: Array<{ firstSequence: number; lastSequence: number; baseOffset: number }>;
}

/** A record batch from a produce request, checked but not yet appended. */
export interface IncomingBatch {
  data: Buffer;
  lastOffsetDelta: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  transactional: boolean;
}

export type AppendResult = { error: number; baseOffset: number; message?: string };

/** Splits a produce request's record set into batches and checks magic, length and CRC. */
export function splitRecordSet(records: Buffer): { batches: IncomingBatch[] } | { error: number; message: string } {
  const batches: IncomingBatch[] = [];
  let pos = 0;
  while (pos < records.length) {
    if (records.length - pos < BATCH_OVERHEAD)
      return { error: ErrorCode.CORRUPT_MESSAGE, message: 'record set ends inside a batch header' };
    const magic = records.readInt8(pos + MAGIC);
    if (magic !== 2)
      return {
        error: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
        message: `record batch magic ${magic} is not supported (only 2)`,
      };
    const size = 12 + records.readInt32BE(pos + BATCH_LENGTH);
    if (size < BATCH_OVERHEAD || pos + size > records.length)
      return { error: ErrorCode.CORRUPT_MESSAGE, message: 'record batch length is out of bounds' };
    const data = records.subarray(pos, pos + size);
    if (crc32c(data.subarray(ATTRIBUTES)) !== data.readUInt32BE(CRC))
      return { error: ErrorCode.CORRUPT_MESSAGE, message: 'record batch CRC mismatch' };
    const attributes = data.readInt16BE(ATTRIBUTES);
    if (attributes & CONTROL_FLAG)
      return { error: ErrorCode.INVALID_REQUEST, message: 'control batches cannot be produced' };
    const lastOffsetDelta = data.readInt32BE(LAST_OFFSET_DELTA);
    if (lastOffsetDelta < 0) return { error: ErrorCode.CORRUPT_MESSAGE, message: 'negative lastOffsetDelta' };
    batches.push({
      data,
      lastOffsetDelta,
      producerId: data.readBigInt64BE(PRODUCER_ID),
      producerEpoch: data.readInt16BE(PRODUCER_EPOCH),
      baseSequence: data.readInt32BE(BASE_SEQUENCE),
      transactional: (attributes & TRANSACTIONAL_FLAG) !== 0,
    });
    pos += size;
  }
  if (batches.length === 0) return { error: ErrorCode.CORRUPT_MESSAGE, message: 'empty record set' };
  return { batches };
}

const nextSequence = (seq: number) => (seq === INT32_MAX ? 0 : seq + 1);
const addSequence = (seq: number, delta: number) =>
  seq + delta > INT32_MAX ? seq + delta - INT32_MAX - 1 : seq + delta;

export class PartitionLog {
  readonly batches: StoredBatch[] = [];
  readonly logStartOffset = 0;
  /** Log end offset = high watermark (a single broker has no followers to wait for). */
  nextOffset = 0;
  private readonly producers = new Map<bigint, ProducerState>();

  /** Appends one batch; a retried idempotent batch returns the offset it got the first time. */
  append(batch: IncomingBatch): AppendResult {
    let state: ProducerState | undefined;
    const idempotent = batch.producerId >= 0n;
    if (idempotent) {
      const lastSequence = addSequence(batch.baseSequence, batch.lastOffsetDelta);
      state = this.producers.get(batch.producerId);
      if (state && batch.producerEpoch < state.epoch) {
        return {
          error: ErrorCode.INVALID_PRODUCER_EPOCH,
          baseOffset: -1,
          message: `producer epoch ${batch.producerEpoch} is older than ${state.epoch}`,
        };
      }
      if (!state || batch.producerEpoch > state.epoch) {
        if (batch.baseSequence !== 0) {
          const error = state ? ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER : ErrorCode.UNKNOWN_PRODUCER_ID;
          return {
            error,
            baseOffset: -1,
            message: `a new producer epoch must start at sequence 0, got ${batch.baseSequence}`,
          };
        }
        state = { epoch: batch.producerEpoch, lastSequence: -1, recent: [] };
      } else {
        const duplicate = state.recent.find(
          (b) => b.firstSequence === batch.baseSequence && b.lastSequence === lastSequence,
        );
        if (duplicate) return { error: ErrorCode.NONE, baseOffset: duplicate.baseOffset };
        if (batch.baseSequence !== nextSequence(state.lastSequence)) {
          return {
            error: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
            baseOffset: -1,
            message: `expected sequence ${nextSequence(state.lastSequence)}, got ${batch.baseSequence}`,
          };
        }
      }
      this.producers.set(batch.producerId, state);
    }

    const data = Buffer.from(batch.data); // a copy, so the stored batch does not pin the whole request frame
    const baseOffset = this.nextOffset;
    data.writeBigInt64BE(BigInt(baseOffset), BASE_OFFSET);
    const lastOffset = baseOffset + batch.lastOffsetDelta;
    this.batches.push({ baseOffset, lastOffset, maxTimestamp: Number(data.readBigInt64BE(MAX_TIMESTAMP)), data });
    this.nextOffset = lastOffset + 1;
    if (state) {
      state.lastSequence = addSequence(batch.baseSequence, batch.lastOffsetDelta);
      state.recent.push({ firstSequence: batch.baseSequence, lastSequence: state.lastSequence, baseOffset });
      if (state.recent.length > PRODUCER_BATCH_CACHE) state.recent.shift();
    }
    return { error: ErrorCode.NONE, baseOffset };
  }

  /** Index of the first batch that holds `offset` or anything after it. */
  private firstBatchFrom(offset: number): number {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.batches[mid].lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Whole batches from `offset` on, at most `maxBytes` of them, except that the first batch is
   * returned even when larger if `mustProgress` (so a consumer never gets stuck on a big batch).
   */
  read(offset: number, maxBytes: number, mustProgress: boolean): Buffer[] {
    const out: Buffer[] = [];
    let size = 0;
    for (let i = this.firstBatchFrom(offset); i < this.batches.length; i++) {
      const data = this.batches[i].data;
      if (size + data.length > maxBytes && !(out.length === 0 && mustProgress)) break;
      out.push(data);
      size += data.length;
    }
    return out;
  }

  /** Earliest offset whose record timestamp is >= `timestamp` (ListOffsets by time); offset -1 when there is none. */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } {
    for (const batch of this.batches) {
      if (batch.maxTimestamp < timestamp) continue;
      for (const record of recordTimestamps(batch.data)) {
        if (record.timestamp >= timestamp)
          return { offset: batch.baseOffset + record.offsetDelta, timestamp: record.timestamp };
      }
      return { offset: batch.baseOffset, timestamp: batch.maxTimestamp };
    }
    return { offset: -1, timestamp: -1 }; // Kafka answers -1 when no record is that recent
  }
}

/** (offsetDelta, timestamp) of each record in a batch; uncompressed or gzip batches only, else none. */
function recordTimestamps(batch: Buffer): Array<{ offsetDelta: number; timestamp: number }> {
  const attributes = batch.readInt16BE(ATTRIBUTES);
  const firstTimestamp = Number(batch.readBigInt64BE(FIRST_TIMESTAMP));
  const count = batch.readInt32BE(RECORDS_COUNT);
  let body = batch.subarray(BATCH_OVERHEAD);
  const codec = attributes & COMPRESSION_MASK;
  if (codec === 1) body = gunzipSync(body);
  else if (codec !== 0) return [];
  const reader = new Reader(body);
  const out: Array<{ offsetDelta: number; timestamp: number }> = [];
  try {
    for (let i = 0; i < count; i++) {
      const length = reader.varint();
      const end = reader.offset + length;
      reader.int8(); // attributes
      const timestampDelta = reader.varint();
      const offsetDelta = reader.varint();
      out.push({ offsetDelta, timestamp: firstTimestamp + timestampDelta });
      reader.skip(end - reader.offset);
    }
  } catch {
    // a malformed record only costs precision of ListOffsets by timestamp
  }
  return out;
}

/** Kafka's defaults for common topic configs, reported by DescribeConfigs (configs are stored, not enforced). */
export const TOPIC_CONFIG_DEFAULTS: ReadonlyMap<string, string> = new Map([
  ['cleanup.policy', 'delete'],
  ['compression.type', 'producer'],
  ['delete.retention.ms', '86400000'],
  ['max.message.bytes', '1048588'],
  ['message.timestamp.type', 'CreateTime'],
  ['min.compaction.lag.ms', '0'],
  ['min.insync.replicas', '1'],
  ['retention.bytes', '-1'],
  ['retention.ms', '604800000'],
  ['segment.bytes', '1073741824'],
  ['segment.ms', '604800000'],
]);

export function topicConfigError(name: string, value: string | null): string | undefined {
  if (value === null) return `config ${name} has no value`;
  if (name === 'cleanup.policy' && !/^(delete|compact)(,(delete|compact))?$/.test(value))
    return `Invalid value ${value} for configuration cleanup.policy`;
  return undefined;
}

export class Topic {
  readonly partitions: PartitionLog[] = [];

  constructor(
    readonly name: string,
    partitions: number,
    /** Configs given at creation (DescribeConfigs reports them; the log does not act on them). */
    readonly configs: ReadonlyMap<string, string> = new Map(),
  ) {
    this.grow(partitions);
  }

  grow(count: number): void {
    while (this.partitions.length < count) this.partitions.push(new PartitionLog());
  }
}

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]+$/;

export function topicNameError(name: string): string | undefined {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name cannot be "${name}"`;
  if (name.length > 249) return 'topic name is longer than 249 characters';
  if (!LEGAL_TOPIC.test(name))
    return `topic name "${name}" has characters other than ASCII alphanumerics, '.', '_' and '-'`;
  return undefined;
}
