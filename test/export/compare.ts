/** Test helper: how far two float outputs are apart. */

export interface Difference {
  /** max |a - b| */
  maxAbs: number;
  /** max |a - b| / max(|b|, 1e-3): elementwise relative, with a floor so near-zero values do not explode. */
  maxRel: number;
  /** max |b|, for scale */
  maxRef: number;
  /** elements that differ at all */
  differing: number;
}

export const REL_FLOOR = 1e-3;

export function difference(a: ArrayLike<number>, b: ArrayLike<number>): Difference {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  const d: Difference = { maxAbs: 0, maxRel: 0, maxRef: 0, differing: 0 };
  for (let i = 0; i < a.length; i++) {
    const abs = Math.abs(a[i] - b[i]);
    if (Number.isNaN(abs)) throw new Error(`NaN at ${i}`);
    if (abs > 0) d.differing++;
    d.maxAbs = Math.max(d.maxAbs, abs);
    d.maxRel = Math.max(d.maxRel, abs / Math.max(Math.abs(b[i]), REL_FLOOR));
    d.maxRef = Math.max(d.maxRef, Math.abs(b[i]));
  }
  return d;
}

export function describeDifference(label: string, d: Difference): string {
  return `${label}: max abs ${d.maxAbs.toExponential(2)}, max rel ${d.maxRel.toExponential(2)} (|ref| up to ${d.maxRef.toFixed(2)}), ${d.differing} values differ`;
}
