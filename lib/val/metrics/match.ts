/**
 * Matching predictions to ground truth the way the reference validator does (match_predictions /
 * _process_batch): IoU in float32 like torch, thresholds torch.linspace(0.5, 0.95, 10) in float32, and its
 * particular de-duplication order (best IoU per detection, then the lowest detection index per label).
 */

import { argsortNumpy } from './numpy-argsort';

const f32 = Math.fround;
const EPS = f32(1e-7);

/** torch.linspace(start, end, steps) in float32: the first half counts up from start, the rest down from end. */
export function torchLinspace32(start: number, end: number, steps: number): Float32Array {
  const s = f32(start);
  const e = f32(end);
  const step = f32(f32(e - s) / (steps - 1));
  const half = Math.floor(steps / 2);
  return Float32Array.from({ length: steps }, (_, i) => (i < half ? f32(s + f32(step * i)) : f32(e - f32(step * (steps - i - 1)))));
}

/** The 10 IoU thresholds 0.50:0.05:0.95. */
export const IOU_THRESHOLDS = torchLinspace32(0.5, 0.95, 10);

/** box_iou(labels, detections) with eps 1e-7, float32: an nl x nd matrix (row = label). Boxes are xyxy. */
export function boxIou(labels: Float32Array, detections: Float32Array): Float32Array {
  const nl = labels.length / 4;
  const nd = detections.length / 4;
  const out = new Float32Array(nl * nd);
  for (let i = 0; i < nl; i++) {
    const [a1x, a1y, a2x, a2y] = labels.subarray(i * 4, i * 4 + 4);
    const areaA = f32(f32(a2x - a1x) * f32(a2y - a1y));
    for (let j = 0; j < nd; j++) {
      const [b1x, b1y, b2x, b2y] = detections.subarray(j * 4, j * 4 + 4);
      const w = Math.max(0, f32(Math.min(a2x, b2x) - Math.max(a1x, b1x)));
      const h = Math.max(0, f32(Math.min(a2y, b2y) - Math.max(a1y, b1y)));
      const inter = f32(w * h);
      const areaB = f32(f32(b2x - b1x) * f32(b2y - b1y));
      out[i * nd + j] = f32(inter / f32(f32(f32(areaA + areaB) - inter) + EPS));
    }
  }
  return out;
}

/** mask_iou from pixel counts: intersections (nl x nd) and the areas of each side, float32. */
export function maskIouFromCounts(inter: Uint32Array, areasA: ArrayLike<number>, areasB: ArrayLike<number>): Float32Array {
  const nl = areasA.length;
  const nd = areasB.length;
  const out = new Float32Array(nl * nd);
  for (let i = 0; i < nl; i++) {
    for (let j = 0; j < nd; j++) {
      const n = inter[i * nd + j];
      out[i * nd + j] = f32(n / f32(f32(areasA[i] + areasB[j] - n) + EPS));
    }
  }
  return out;
}

/**
 * Which detections are true positives at each threshold: an nd x T matrix (row-major, 0/1).
 * `iou` is nl x nd; classes must agree.
 */
export function matchPredictions(
  iou: Float32Array,
  labelCls: ArrayLike<number>,
  detCls: ArrayLike<number>,
  thresholds: Float32Array = IOU_THRESHOLDS,
): Uint8Array {
  const nl = labelCls.length;
  const nd = detCls.length;
  const T = thresholds.length;
  const correct = new Uint8Array(nd * T);
  for (let t = 0; t < T; t++) {
    // Pairs at or above the threshold, in torch.where order (label-major).
    const pairs: Array<{ l: number; d: number; v: number }> = [];
    for (let l = 0; l < nl; l++) {
      for (let d = 0; d < nd; d++) {
        const v = iou[l * nd + d];
        if (v >= thresholds[t] && labelCls[l] === detCls[d]) pairs.push({ l, d, v });
      }
    }
    let kept = pairs;
    if (pairs.length > 1) {
      // IoU descending (argsort()[::-1], NumPy's tie order reversed), first pair per detection, which
      // leaves them ordered by detection index, then the first (lowest detection) per label.
      const byIou = argsortNumpy(pairs.map((p) => p.v))
        .reverse()
        .map((i) => pairs[i]);
      const perDet = new Map<number, { l: number; d: number; v: number }>();
      for (const p of byIou) if (!perDet.has(p.d)) perDet.set(p.d, p);
      const byDet = [...perDet.values()].sort((a, b) => a.d - b.d);
      const perLabel = new Map<number, { l: number; d: number; v: number }>();
      for (const p of byDet) if (!perLabel.has(p.l)) perLabel.set(p.l, p);
      kept = [...perLabel.values()];
    }
    for (const p of kept) correct[p.d * T + t] = 1;
  }
  return correct;
}
