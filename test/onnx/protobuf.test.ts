import { ProtoReader, ProtoWriter, ProtobufError, WireType } from '../../lib/onnx/protobuf';

function bytesOf(build: (w: ProtoWriter) => void): Uint8Array {
  const w = new ProtoWriter();
  build(w);
  return w.finish();
}

function varintBytes(value: number | bigint): number[] {
  return Array.from(bytesOf((w) => w.writeRawVarint(value)));
}

// Walks every field, recursing into length-delimited payloads that parse as messages.
function walk(r: ProtoReader, depth = 0): number {
  let fields = 0;
  while (!r.done) {
    const tag = r.readTag();
    fields++;
    if (tag.wireType === WireType.LengthDelimited && depth < 8) {
      const nested = r.readMessage();
      try {
        fields += walk(nested, depth + 1);
      } catch (err) {
        if (!(err instanceof ProtobufError)) throw err; // a string payload, not a message
      }
    } else {
      r.skip(tag.wireType, tag.field);
    }
  }
  return fields;
}

// Deterministic pseudo-random bytes for the fuzz tests.
function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  let x = seed >>> 0 || 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('varint encoding', () => {
  it('matches the wire format for known values', () => {
    expect(varintBytes(0)).toEqual([0]);
    expect(varintBytes(1)).toEqual([1]);
    expect(varintBytes(127)).toEqual([0x7f]);
    expect(varintBytes(128)).toEqual([0x80, 0x01]);
    expect(varintBytes(300)).toEqual([0xac, 0x02]);
    expect(varintBytes(-1)).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it.each([0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, 2 ** 49 - 1, 2 ** 49, Number.MAX_SAFE_INTEGER])(
    'round-trips %d as unsigned and signed',
    (value) => {
      const bytes = bytesOf((w) => w.writeRawVarint(value).writeRawVarint(value).writeRawVarint(value));
      const r = new ProtoReader(bytes);
      expect(r.readVarint()).toBe(value);
      expect(r.readInt64()).toBe(value);
      expect(r.readVarintBigInt()).toBe(BigInt(value));
      expect(r.done).toBe(true);
    },
  );

  it.each([-1, -2, -300, -(2 ** 40), Number.MIN_SAFE_INTEGER])('round-trips negative int64 %d', (value) => {
    const bytes = bytesOf((w) => w.writeRawVarint(value));
    expect(bytes.length).toBe(10);
    expect(new ProtoReader(bytes).readInt64()).toBe(value);
  });

  it('round-trips full 64-bit values as BigInt', () => {
    const values = [2n ** 64n - 1n, 2n ** 63n, -(2n ** 63n), 2n ** 53n + 1n];
    const bytes = bytesOf((w) => values.forEach((v) => w.writeRawVarint(v)));
    const r = new ProtoReader(bytes);
    expect(values.map(() => r.readVarintBigInt())).toEqual(values.map((v) => BigInt.asUintN(64, v)));
  });

  it('refuses numbers that would lose precision', () => {
    const bytes = bytesOf((w) => w.writeRawVarint(2n ** 60n));
    expect(() => new ProtoReader(bytes).readVarint()).toThrow(ProtobufError);
    expect(() => new ProtoReader(bytes).readInt64()).toThrow(/safe integer/);
    expect(() => new ProtoWriter().writeRawVarint(2 ** 60)).toThrow(RangeError);
    expect(() => new ProtoWriter().writeRawVarint(1.5)).toThrow(RangeError);
    expect(() => new ProtoWriter().writeRawVarint(2n ** 64n)).toThrow(RangeError);
  });
});

describe('fields', () => {
  it('round-trips every field kind, including nested messages', () => {
    const bytes = bytesOf((w) =>
      w
        .writeVarintField(1, 42)
        .writeVarintField(2, true)
        .writeFloatField(3, 1.5)
        .writeDoubleField(4, Math.PI)
        .writeStringField(5, 'héllo ✓')
        .writeBytesField(6, new Uint8Array([9, 8, 7]))
        .writeMessageField(7, (m) => m.writeStringField(1, 'inner').writeVarintField(2, -5))
        .writePackedFloats(8, [0.5, -2, 1e-3])
        .writePackedInt64s(9, [0, -1, 2 ** 40, 7n]),
    );
    const r = new ProtoReader(bytes);
    const seen: number[] = [];
    while (!r.done) {
      const { field, wireType } = r.readTag();
      seen.push(field);
      switch (field) {
        case 1:
          expect(wireType).toBe(WireType.Varint);
          expect(r.readVarint()).toBe(42);
          break;
        case 2:
          expect(r.readBool()).toBe(true);
          break;
        case 3:
          expect(wireType).toBe(WireType.Fixed32);
          expect(r.readFloat()).toBe(1.5);
          break;
        case 4:
          expect(wireType).toBe(WireType.Fixed64);
          expect(r.readDouble()).toBe(Math.PI);
          break;
        case 5:
          expect(r.readString()).toBe('héllo ✓');
          break;
        case 6:
          expect(Array.from(r.readBytes())).toEqual([9, 8, 7]);
          break;
        case 7: {
          const inner = r.readMessage();
          expect(inner.readTag()).toEqual({ field: 1, wireType: WireType.LengthDelimited });
          expect(inner.readString()).toBe('inner');
          expect(inner.readTag().field).toBe(2);
          expect(inner.readInt64()).toBe(-5);
          expect(inner.done).toBe(true);
          break;
        }
        case 8:
          expect(Array.from(r.readPackedFloats())).toEqual([0.5, -2, Math.fround(1e-3)]);
          break;
        case 9:
          expect(r.readPackedInt64s()).toEqual([0, -1, 2 ** 40, 7]);
          break;
      }
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('reads fixed32 and fixed64 little-endian', () => {
    const r = new ProtoReader(new Uint8Array([1, 2, 3, 4, 1, 0, 0, 0, 0, 0, 0, 0x80]));
    expect(r.readFixed32()).toBe(0x04030201);
    expect(r.readFixed64BigInt()).toBe(0x8000000000000001n);
  });

  it('skips unknown fields of every wire type, groups included', () => {
    const group = [(5 << 3) | 3, (1 << 3) | 0, 7, (6 << 3) | 3, (6 << 3) | 4, (5 << 3) | 4];
    const prefix = bytesOf((w) =>
      w
        .writeVarintField(1, 2 ** 45)
        .writeDoubleField(2, 1)
        .writeStringField(3, 'skip me')
        .writeFloatField(4, 2),
    );
    const suffix = bytesOf((w) => w.writeVarintField(99, 123));
    const bytes = new Uint8Array([...prefix, ...group, ...suffix]);
    const r = new ProtoReader(bytes);
    for (let i = 0; i < 5; i++) {
      const tag = r.readTag();
      r.skip(tag.wireType, tag.field);
    }
    expect(r.readTag()).toEqual({ field: 99, wireType: WireType.Varint });
    expect(r.readVarint()).toBe(123);
    expect(r.done).toBe(true);
  });

  it('keeps a nested reader inside its message', () => {
    const bytes = bytesOf((w) => w.writeMessageField(1, (m) => m.writeVarintField(1, 1)).writeVarintField(2, 2));
    const r = new ProtoReader(bytes);
    r.readTag();
    const inner = r.readMessage();
    expect(walk(inner)).toBe(1);
    expect(() => inner.readTag()).toThrow(ProtobufError);
    expect(r.readTag().field).toBe(2);
  });

  it('grows its buffer for large payloads', () => {
    const data = new Float32Array(100_000).map((_, i) => i);
    const bytes = bytesOf((w) => w.writeStringField(1, 'x').writePackedFloats(2, data));
    const r = new ProtoReader(bytes);
    r.readTag();
    expect(r.readString()).toBe('x');
    r.readTag();
    expect(r.readPackedFloats()).toEqual(data);
  });
});

describe('malformed input', () => {
  const cases: Array<[string, number[]]> = [
    ['a truncated varint', [0x08, 0x80]],
    ['a varint longer than 10 bytes', [0x08, ...new Array<number>(11).fill(0xff), 0x01]],
    ['field number 0', [0x00, 0x01]],
    ['wire type 6', [0x0e, 0x01]],
    ['wire type 7', [0x0f, 0x01]],
    ['a length past the end', [0x0a, 0x05, 0x61]],
    ['a huge length', [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]],
    ['a truncated fixed32', [0x0d, 1, 2]],
    ['a truncated fixed64', [0x09, 1, 2, 3, 4, 5, 6, 7]],
    ['an unterminated group', [0x0b, 0x08, 0x01]],
    ['a mismatched end-group', [0x0b, 0x14]],
    ['a stray end-group', [0x0c]],
  ];

  it.each(cases)('throws ProtobufError on %s', (_name, bytes) => {
    expect(() => walk(new ProtoReader(new Uint8Array(bytes)))).toThrow(ProtobufError);
  });

  it('refuses reader ranges outside the buffer', () => {
    expect(() => new ProtoReader(new Uint8Array(4), 2, 8)).toThrow(ProtobufError);
  });

  it('refuses packed floats whose length is not a multiple of 4', () => {
    const r = new ProtoReader(new Uint8Array([3, 0, 0, 0]));
    expect(() => r.readPackedFloats()).toThrow(/multiple of 4/);
  });

  it('terminates with success or ProtobufError on every truncation of a message', () => {
    const bytes = bytesOf((w) =>
      w
        .writeMessageField(1, (m) => m.writeStringField(1, 'name').writePackedInt64s(2, [1, -1, 300]))
        .writeDoubleField(2, 3)
        .writeVarintField(3, -7),
    );
    for (let end = 0; end < bytes.length; end++) {
      try {
        walk(new ProtoReader(bytes.subarray(0, end)));
      } catch (err) {
        expect(err).toBeInstanceOf(ProtobufError);
      }
    }
  });

  it('never hangs or escapes bounds on random garbage', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const garbage = pseudoRandomBytes(1 + (seed % 200), seed);
      try {
        walk(new ProtoReader(garbage));
      } catch (err) {
        expect(err).toBeInstanceOf(ProtobufError);
      }
    }
  });
});
