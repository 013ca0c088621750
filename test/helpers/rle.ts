/** Test-side COCO RLE decoding, independent of the native encoder it checks. */
import type { RLE } from '../../lib/masks/masks';

/**
 * RLE to a bitmap in the RLE's own column-major order (index x * h + y): comparisons and IoUs do not
 * depend on the order, and filling whole runs is fast.
 */
export function decodeRle(rle: RLE): Uint8Array {
  const [h, w] = rle.size;
  const out = new Uint8Array(h * w);
  let pos = 0;
  let value = 0;
  for (const count of rle.counts) {
    if (value) out.fill(1, pos, pos + count);
    pos += count;
    value ^= 1;
  }
  if (pos !== h * w) throw new Error(`RLE covers ${pos} pixels, expected ${h * w}`);
  return out;
}

export function countDifferences(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`size mismatch ${a.length} vs ${b.length}`);
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
  return diff;
}

export function area(mask: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < mask.length; i++) sum += mask[i];
  return sum;
}

export function maskIou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) inter++;
    if (a[i] || b[i]) union++;
  }
  return union === 0 ? 1 : inter / union;
}
