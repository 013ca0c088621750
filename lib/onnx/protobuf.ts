// Minimal protobuf wire-format reader and writer.
// Only what ONNX needs: we read model headers without copying weights and
// write small test models, so no schema, reflection or code generation.

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

export interface ProtoTag {
  field: number;
  wireType: WireType;
}

// A 64-bit varint never needs more than 10 bytes; more means garbage.
const MAX_VARINT_BYTES = 10;
// 7 varint bytes carry 49 bits, always exact in a double: the fast path.
const FAST_VARINT_BYTES = 7;
// Nested groups are legal proto2 but unused by ONNX; cap them to stop stack abuse.
const MAX_GROUP_DEPTH = 64;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE_BIG = BigInt(Number.MIN_SAFE_INTEGER);

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** Thrown for any malformed or truncated input; a plain Error subclass. */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

function isWireType(value: number): value is WireType {
  return value <= WireType.Fixed32;
}

/** Reads one message (or a slice of one) from a buffer, never past `end`. */
export class ProtoReader {
  private pos: number;
  private readonly end: number;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    if (start < 0 || end > buf.length || start > end) {
      throw new ProtobufError(`invalid reader range [${start}, ${end}) for ${buf.length} bytes`);
    }
    this.pos = start;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Current offset in the underlying buffer (useful for error messages). */
  get offset(): number {
    return this.pos;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  readTag(): ProtoTag {
    const at = this.pos;
    const key = this.readVarint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 0 || field > 0x1fffffff) {
      throw new ProtobufError(`invalid field number ${field} at offset ${at}`);
    }
    if (!isWireType(wireType)) {
      throw new ProtobufError(`invalid wire type ${wireType} at offset ${at}`);
    }
    return { field, wireType };
  }

  /** Unsigned varint as a number; throws if it does not fit a safe integer. */
  readVarint(): number {
    const start = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < FAST_VARINT_BYTES; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    this.pos = start;
    const big = this.readVarintBigInt();
    if (big > MAX_SAFE_BIG) {
      throw new ProtobufError(`varint ${big} at offset ${start} exceeds the safe integer range`);
    }
    return Number(big);
  }

  /** Unsigned 64-bit varint, exact. */
  readVarintBigInt(): bigint {
    const start = this.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtobufError(`varint longer than ${MAX_VARINT_BYTES} bytes at offset ${start}`);
  }

  /** Signed int64/int32 varint (two's complement) as a safe number. */
  readInt64(): number {
    const start = this.pos;
    const big = BigInt.asIntN(64, this.readVarintBigIntFast());
    if (big > MAX_SAFE_BIG || big < MIN_SAFE_BIG) {
      throw new ProtobufError(`int64 ${big} at offset ${start} exceeds the safe integer range`);
    }
    return Number(big);
  }

  readBool(): boolean {
    return this.readVarintBigIntFast() !== 0n;
  }

  readFixed32(): number {
    const at = this.advance(4);
    return this.view.getUint32(at, true);
  }

  readFloat(): number {
    const at = this.advance(4);
    return this.view.getFloat32(at, true);
  }

  readFixed64BigInt(): bigint {
    const at = this.advance(8);
    return this.view.getBigUint64(at, true);
  }

  readDouble(): number {
    const at = this.advance(8);
    return this.view.getFloat64(at, true);
  }

  /** Length-delimited payload as a view into the buffer (no copy). */
  readBytes(): Uint8Array {
    const length = this.readLength();
    const at = this.advance(length);
    return this.buf.subarray(at, at + length);
  }

  readString(): string {
    return utf8Decoder.decode(this.readBytes());
  }

  /** Reader over a nested message, sharing the buffer. */
  readMessage(): ProtoReader {
    const length = this.readLength();
    const at = this.advance(length);
    return new ProtoReader(this.buf, at, at + length);
  }

  /** Packed repeated float (one length-delimited payload). */
  readPackedFloats(): Float32Array {
    const bytes = this.readBytes();
    if (bytes.length % 4 !== 0) {
      throw new ProtobufError(`packed float payload of ${bytes.length} bytes is not a multiple of 4`);
    }
    const out = new Float32Array(bytes.length / 4);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }

  /** Packed repeated int64 (one length-delimited payload of varints). */
  readPackedInt64s(): number[] {
    const inner = this.readMessage();
    const out: number[] = [];
    while (!inner.done) out.push(inner.readInt64());
    return out;
  }

  /** Skips one field's payload of the given wire type, validating bounds. `field` matters for groups only. */
  skip(wireType: WireType, field = 0): void {
    this.skipField(wireType, field, 0);
  }

  private skipField(wireType: WireType, field: number, depth: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.skipVarint();
        return;
      case WireType.Fixed64:
        this.advance(8);
        return;
      case WireType.LengthDelimited:
        this.advance(this.readLength());
        return;
      case WireType.Fixed32:
        this.advance(4);
        return;
      case WireType.StartGroup:
        this.skipGroup(field, depth);
        return;
      case WireType.EndGroup:
        throw new ProtobufError(`unexpected end-group tag at offset ${this.pos}`);
    }
  }

  /** Advances `n` bytes and returns the old position; throws if that overruns. */
  private advance(n: number): number {
    const at = this.pos;
    if (n < 0 || n > this.end - at) {
      throw new ProtobufError(`truncated: need ${n} bytes at offset ${at}, ${this.end - at} left`);
    }
    this.pos = at + n;
    return at;
  }

  private byte(): number {
    const b = this.pos < this.end ? this.buf[this.pos] : undefined;
    if (b === undefined) {
      throw new ProtobufError(`truncated varint at offset ${this.pos}`);
    }
    this.pos++;
    return b;
  }

  private readLength(): number {
    const at = this.pos;
    const length = this.readVarint();
    if (length > this.end - this.pos) {
      throw new ProtobufError(`truncated: length ${length} at offset ${at} exceeds the ${this.end - this.pos} bytes left`);
    }
    return length;
  }

  // Small varints are the common case; avoid BigInt work for them.
  private readVarintBigIntFast(): bigint {
    const b = this.pos < this.end ? this.buf[this.pos] : undefined;
    if (b !== undefined && b < 0x80) {
      this.pos++;
      return BigInt(b);
    }
    return this.readVarintBigInt();
  }

  private skipVarint(): void {
    const start = this.pos;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.byte() < 0x80) return;
    }
    throw new ProtobufError(`varint longer than ${MAX_VARINT_BYTES} bytes at offset ${start}`);
  }

  private skipGroup(field: number, depth: number): void {
    if (depth >= MAX_GROUP_DEPTH) {
      throw new ProtobufError(`groups nested deeper than ${MAX_GROUP_DEPTH}`);
    }
    for (;;) {
      const tag = this.readTag(); // throws at the end of the buffer
      if (tag.wireType === WireType.EndGroup) {
        if (tag.field !== field) {
          throw new ProtobufError(`end-group ${tag.field} does not match group ${field}`);
        }
        return;
      }
      this.skipField(tag.wireType, tag.field, depth + 1);
    }
  }
}

/** Appends protobuf fields to a growable buffer. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private length = 0;

  /** The encoded bytes (a copy, so the writer can be reused or dropped). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  writeTag(field: number, wireType: WireType): this {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) {
      throw new RangeError(`invalid field number ${field}`);
    }
    return this.writeRawVarint(field * 8 + wireType);
  }

  /** Raw varint; negative numbers are written as 64-bit two's complement (int64). */
  writeRawVarint(value: number | bigint): this {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
      this.ensure(MAX_VARINT_BYTES);
      let v = value;
      while (v >= 0x80) {
        this.buf[this.length++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      this.buf[this.length++] = v;
      return this;
    }
    return this.writeBigVarint(toInt64Bits(value));
  }

  /** int64/int32/uint64/enum/bool field. */
  writeVarintField(field: number, value: number | bigint | boolean): this {
    const v = typeof value === 'boolean' ? Number(value) : value;
    return this.writeTag(field, WireType.Varint).writeRawVarint(v);
  }

  writeFloatField(field: number, value: number): this {
    this.writeTag(field, WireType.Fixed32);
    this.ensure(4);
    this.view.setFloat32(this.length, value, true);
    this.length += 4;
    return this;
  }

  writeDoubleField(field: number, value: number): this {
    this.writeTag(field, WireType.Fixed64);
    this.ensure(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
    return this;
  }

  writeBytesField(field: number, bytes: Uint8Array): this {
    this.writeTag(field, WireType.LengthDelimited).writeRawVarint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  writeStringField(field: number, value: string): this {
    return this.writeBytesField(field, utf8Encoder.encode(value));
  }

  /** Nested message written by `build` into its own writer, then embedded. */
  writeMessageField(field: number, build: (w: ProtoWriter) => void): this {
    const nested = new ProtoWriter();
    build(nested);
    return this.writeBytesField(field, nested.finish());
  }

  writePackedFloats(field: number, values: ArrayLike<number>): this {
    return this.writeBytesField(field, float32LittleEndian(values));
  }

  writePackedInt64s(field: number, values: ArrayLike<number | bigint>): this {
    const payload = new ProtoWriter();
    for (const value of Array.from(values)) payload.writeRawVarint(value);
    return this.writeBytesField(field, payload.finish());
  }

  private writeBigVarint(bits: bigint): this {
    this.ensure(MAX_VARINT_BYTES);
    let v = bits;
    while (v >= 0x80n) {
      this.buf[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.length++] = Number(v);
    return this;
  }

  private ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }
}

/** float32 values as little-endian bytes, whatever the host's byte order (protobuf and ONNX raw_data agree). */
export function float32LittleEndian(values: ArrayLike<number>): Uint8Array {
  const floats = Float32Array.from(values);
  const bytes = new Uint8Array(floats.byteLength);
  const view = new DataView(bytes.buffer);
  floats.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return bytes;
}

// Maps any int64/uint64 value onto its unsigned 64-bit wire representation.
function toInt64Bits(value: number | bigint): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`varint value ${value} is not a safe integer`);
  }
  const big = BigInt(value);
  if (big < -(1n << 63n) || big >= 1n << 64n) {
    throw new RangeError(`varint value ${big} does not fit 64 bits`);
  }
  return BigInt.asUintN(64, big);
}
