/**
 * The few NumPy routines the reference metrics lean on, with NumPy's exact semantics where they decide a
 * result: np.interp's bracket choice on repeated x, np.linspace's float64 steps, np.add.reduce's pairwise
 * summation (so sums agree to the last bit, not just to 1e-12).
 */

/** np.linspace(start, stop, num) (endpoint included): i * step + start, with the last value exactly stop. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** Index j with xp[j] <= x < xp[j + 1] (-1 below, n above, n - 1 at the last value), as NumPy's search. */
function bracket(x: number, xp: ArrayLike<number>): number {
  const n = xp.length;
  if (x > xp[n - 1]) return n;
  if (x < xp[0]) return -1;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = lo + ((hi - lo) >> 1);
    if (x >= xp[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** np.interp(x, xp, fp, left, right) for increasing (possibly repeating) xp. */
export function interp(x: ArrayLike<number>, xp: ArrayLike<number>, fp: ArrayLike<number>, left?: number, right?: number): Float64Array {
  const n = xp.length;
  const out = new Float64Array(x.length);
  const lval = left ?? fp[0];
  const rval = right ?? fp[n - 1];
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (Number.isNaN(v)) {
      out[i] = v;
      continue;
    }
    if (n === 1) {
      out[i] = v < xp[0] ? lval : v > xp[0] ? rval : fp[0];
      continue;
    }
    const j = bracket(v, xp);
    if (j === -1) out[i] = lval;
    else if (j === n) out[i] = rval;
    else if (j === n - 1 || xp[j] === v) out[i] = fp[j];
    else {
      const slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
      let y = slope * (v - xp[j]) + fp[j];
      if (Number.isNaN(y)) {
        y = slope * (v - xp[j + 1]) + fp[j + 1];
        if (Number.isNaN(y) && fp[j] === fp[j + 1]) y = fp[j];
      }
      out[i] = y;
    }
  }
  return out;
}

/** np.add.reduce over a contiguous float64 run: 8 accumulators per 128-block, halves above that. */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => a[start + k]);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let k = 0; k < 8; k++) r[k] += a[start + i + k];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

export function mean(a: ArrayLike<number>): number {
  return pairwiseSum(a) / a.length;
}

/** np.trapz(y, x). */
export function trapz(y: ArrayLike<number>, x: ArrayLike<number>): number {
  const terms = new Float64Array(y.length - 1);
  for (let i = 0; i < terms.length; i++) terms[i] = ((x[i + 1] - x[i]) * (y[i] + y[i + 1])) / 2;
  return pairwiseSum(terms);
}

/** Indices that sort `keys` ascending; ties keep their input order (NumPy's kind='mergesort'). */
export function argsortStable(keys: ArrayLike<number>): number[] {
  const idx = Array.from({ length: keys.length }, (_, i) => i);
  return idx.sort((a, b) => keys[a] - keys[b] || a - b);
}

/** First index of the maximum (np.argmax). */
export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}
