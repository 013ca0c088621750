/** ByteTrack's association costs: 1 - IoU between boxes, optionally fused with detection scores. */

/** IoU of two xyxy boxes, as Ultralytics' bbox_ioa(iou=True): intersection / (union + 1e-7). */
export function boxIou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  const areaA = (a[2] - a[0]) * (a[3] - a[1]);
  const areaB = (b[2] - b[0]) * (b[3] - b[1]);
  return inter / (areaA + areaB - inter + 1e-7);
}

/** rows x cols matrix of 1 - IoU (row-major). */
export function iouDistance(rows: ArrayLike<number>[], cols: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(rows.length * cols.length);
  rows.forEach((a, i) => cols.forEach((b, j) => (out[i * cols.length + j] = 1 - boxIou(a, b))));
  return out;
}

/** fuse_score: cost = 1 - IoU x score, so a weak detection needs more overlap to match. */
export function fuseScore(cost: Float64Array, scores: number[]): Float64Array {
  const cols = scores.length;
  return cost.map((c, k) => 1 - (1 - c) * scores[k % cols]);
}
