/**
 * Seeded random weights. Timing does not depend on weight values, but it does depend on keeping
 * activations ordinary floats (no overflow, no denormal slow paths), so layers get fan-in scaled values
 * like a freshly initialised network rather than raw noise.
 */

/** mulberry32: a small, fast, well-mixed 32-bit generator; the same seed gives the same weights. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [-bound, bound). */
  uniform(length: number, bound: number): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = (this.next() * 2 - 1) * bound;
    return out;
  }

  /** Standard normal (Box-Muller), times `scale`: SAM's random Fourier matrix is N(0, 1). */
  normal(length: number, scale = 1): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i += 2) {
      const u = 1 - this.next();
      const v = this.next();
      const r = Math.sqrt(-2 * Math.log(u)) * scale;
      out[i] = r * Math.cos(2 * Math.PI * v);
      if (i + 1 < length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
    }
    return out;
  }
}

/** How a weight is filled. */
export type Init =
  | { kind: 'fanIn'; fanIn: number } // PyTorch's default for Linear/Conv: U(-1/sqrt(fanIn), 1/sqrt(fanIn))
  | { kind: 'normal'; std: number }
  | { kind: 'constant'; value: number };

export function fill(random: Random, length: number, init: Init): Float32Array {
  switch (init.kind) {
    case 'fanIn':
      return random.uniform(length, 1 / Math.sqrt(init.fanIn));
    case 'normal':
      return random.normal(length, init.std);
    case 'constant':
      return new Float32Array(length).fill(init.value);
  }
}
