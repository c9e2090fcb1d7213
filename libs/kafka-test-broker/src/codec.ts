/**
 * Primitive encoding of the Kafka wire protocol (non-flexible versions only): big-endian integers,
 * INT16-length strings, INT32-length bytes and arrays, -1 for null, plus the zig-zag varints used
 * inside record batches and the CRC-32C that guards them.
 */

export class ProtocolError extends Error {}

export class Writer {
  private buf: Buffer;
  private len = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.len;
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.len);
    this.len += 1;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.len);
    this.len += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.len);
    this.len += 4;
    return this;
  }

  int64(v: number | bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(BigInt(v), this.len);
    this.len += 8;
    return this;
  }

  string(v: string | null | undefined): this {
    if (v === null || v === undefined) return this.int16(-1);
    const bytes = Buffer.from(v, 'utf8');
    this.int16(bytes.length);
    return this.raw(bytes);
  }

  bytes(v: Buffer | null | undefined): this {
    if (v === null || v === undefined) return this.int32(-1);
    this.int32(v.length);
    return this.raw(v);
  }

  raw(v: Buffer): this {
    this.ensure(v.length);
    v.copy(this.buf, this.len);
    this.len += v.length;
    return this;
  }

  array<T>(items: readonly T[] | null | undefined, each: (w: this, item: T) => void): this {
    if (items === null || items === undefined) return this.int32(-1);
    this.int32(items.length);
    for (const item of items) each(this, item);
    return this;
  }

  int32Array(items: readonly number[]): this {
    return this.array(items, (w, v) => w.int32(v));
  }

  toBuffer(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

export class Reader {
  offset = 0;

  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number): void {
    if (this.offset + n > this.buf.length)
      throw new ProtocolError(`truncated request: need ${n} bytes at ${this.offset}, have ${this.remaining}`);
  }

  int8(): number {
    this.need(1);
    const v = this.buf.readInt8(this.offset);
    this.offset += 1;
    return v;
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  int64Big(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  /** INT64 as a number: offsets and timestamps stay far below 2^53. */
  int64(): number {
    return Number(this.int64Big());
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    this.need(len);
    const v = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return v;
  }

  string(): string {
    return this.nullableString() ?? '';
  }

  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    this.need(len);
    const v = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return v;
  }

  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  nullableArray<T>(each: (r: Reader) => T): T[] | null {
    const count = this.int32();
    if (count < 0) return null;
    if (count > this.remaining) throw new ProtocolError(`array length ${count} exceeds the request size`);
    const out: T[] = [];
    for (let i = 0; i < count; i++) out.push(each(this));
    return out;
  }

  array<T>(each: (r: Reader) => T): T[] {
    return this.nullableArray(each) ?? [];
  }

  /** Zig-zag varint (records use them for lengths and deltas); numbers up to 2^53 are exact. */
  varint(): number {
    let result = 0;
    let factor = 1;
    for (let i = 0; i < 10; i++) {
      this.need(1);
      const byte = this.buf[this.offset++];
      result += (byte & 0x7f) * factor;
      if ((byte & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      factor *= 128;
    }
    throw new ProtocolError('varint too long');
  }

  skip(n: number): void {
    if (n < 0) return;
    this.need(n);
    this.offset += n;
  }
}

const CRC32C_TABLE = (() => {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[i] = c;
  }
  return table;
})();

/** CRC-32C (Castagnoli), the checksum of record batches (magic 2). */
export function crc32c(buf: Buffer): number {
  let crc = -1;
  for (let i = 0; i < buf.length; i++) crc = CRC32C_TABLE[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
