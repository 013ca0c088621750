/** Matching our detections to the reference's, for end-to-end checks where raw outputs differ slightly. */
import type { RLE } from '../../lib/masks/masks';
import type { Result } from '../../lib/masks/result';
import { decodeRle, maskIou } from './rle';

export function boxIou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

export interface MatchReport {
  expected: number;
  found: number;
  matched: number;
  fraction: number;
}

/**
 * Each expected detection takes the unused detection of ours with the highest box IoU; it counts as
 * matched when box IoU >= minBoxIou and mask IoU >= minMaskIou.
 */
export async function matchDetections(
  result: Result,
  expected: { boxes: number[][]; masks: RLE[] },
  minBoxIou = 0.99,
  minMaskIou = 0.98,
): Promise<MatchReport> {
  const ours = await result.masks.toRLE();
  const oursDecoded = new Map<number, Uint8Array>();
  const used = new Set<number>();
  let matched = 0;
  expected.boxes.forEach((box, i) => {
    let best = -1;
    let bestIou = 0;
    for (let j = 0; j < result.length; j++) {
      if (used.has(j)) continue;
      const iou = boxIou(box, result.boxes.xyxy.subarray(j * 4, j * 4 + 4));
      if (iou > bestIou) {
        bestIou = iou;
        best = j;
      }
    }
    if (best < 0 || bestIou < minBoxIou) return;
    if (!oursDecoded.has(best)) oursDecoded.set(best, decodeRle(ours[best]));
    if (maskIou(oursDecoded.get(best)!, decodeRle(expected.masks[i])) < minMaskIou) return;
    used.add(best);
    matched++;
  });
  return { expected: expected.boxes.length, found: result.length, matched, fraction: matched / expected.boxes.length };
}
