/** Seeded randomness and byte mutations for the fuzzer (scripts/fuzz.ts). Never imported by lib/. */

/** xorshift32: fast, seedable, the same sequence on every machine. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  int(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }

  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** Values that break naive code: boundaries, sign and size extremes. */
const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

/** One to four mutations of `input`: bit flips, byte sets, interesting 32-bit values, cuts, duplications, splices. */
export function mutate(input: Uint8Array, random: Random): Uint8Array {
  let bytes = Buffer.from(input);
  const rounds = 1 + random.int(4);
  for (let r = 0; r < rounds && bytes.length > 0; r++) {
    const at = random.int(bytes.length);
    switch (random.int(7)) {
      case 0:
        bytes[at] ^= 1 << random.int(8);
        break;
      case 1:
        bytes[at] = random.int(256);
        break;
      case 2:
        if (at + 4 <= bytes.length) bytes.writeUInt32LE(random.pick(INTERESTING_U32), at);
        break;
      case 3: // cut a run
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + random.int(64)))]);
        break;
      case 4: {
        // duplicate a run (repetition is what exhausts naive readers)
        const length = 1 + random.int(32);
        const run = bytes.subarray(at, at + length);
        const times = 1 + random.int(random.chance(0.1) ? 10_000 : 16);
        bytes = Buffer.concat([bytes.subarray(0, at), ...new Array<Buffer>(times).fill(run), bytes.subarray(at)]);
        break;
      }
      case 5: // truncate
        bytes = bytes.subarray(0, at);
        break;
      default: {
        // insert random bytes
        const extra = Buffer.alloc(1 + random.int(16));
        for (let i = 0; i < extra.length; i++) extra[i] = random.int(256);
        bytes = Buffer.concat([bytes.subarray(0, at), extra, bytes.subarray(at)]);
      }
    }
  }
  return bytes;
}

/** A value of a random JavaScript type, biased towards the ones options are checked against. */
export function randomValue(random: Random, depth = 0): unknown {
  const numbers = [
    0,
    -0,
    1,
    -1,
    0.5,
    2,
    32,
    64,
    640,
    8192,
    8193,
    30000,
    30001,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    1e10,
    1e300,
    -1e300,
    NaN,
    Infinity,
    -Infinity,
  ];
  switch (random.int(depth > 1 ? 7 : 9)) {
    case 0:
    case 1:
      return random.pick(numbers);
    case 2:
      return random.int(1000) - 100;
    case 3:
      return random.pick(['', '1', 'yes', 'true', '0x40', '640', 'cpu', '__proto__', 'a'.repeat(1000)]);
    case 4:
      return random.pick([true, false, null, undefined]);
    case 5:
      return random.pick([10n, Symbol('s'), () => 1, new Date(0), /x/]);
    case 6:
      return new Uint8Array(random.int(8));
    case 7:
      // One long array now and then (at the top only: nested ones would multiply).
      return Array.from({ length: random.int(depth === 0 && random.chance(0.05) ? 100_000 : 4) }, () => randomValue(random, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: random.int(3) }, () => [random.pick(['a', 'imgsz', 'conf', 'x']), randomValue(random, depth + 1)]),
      );
  }
}
