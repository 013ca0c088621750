/**
 * ap_per_class of the reference (Ultralytics utils/metrics.py): per ground-truth class, the precision and
 * recall curves over detections sorted by confidence, AP as the trapezoid integral of the 101-point
 * interpolated precision envelope (compute_ap), and P, R, F1 read at the confidence where the
 * box-smoothed mean F1 peaks.
 */
import { argmax, interp, linspace, trapz } from './numeric';
import { argsortNumpy } from './numpy-argsort';

/**
 * Ultralytics' ap_per_class: per-class AP, precision, recall and F1, and the precision-recall curves.
 * @inline
 */
export interface ApPerClass {
  /** Ground-truth classes present, ascending: the rows of every per-class array. */
  classes: number[];
  /** Labels per class (same rows). */
  nt: number[];
  /** nc x T: AP at each IoU threshold. */
  ap: Float64Array[];
  /** Per class, precision at the max-F1 confidence. */
  p: number[];
  /** Per class, recall at the max-F1 confidence. */
  r: number[];
  /** Per class, F1 at the max-F1 confidence. */
  f1: number[];
  /** The curves for plots: px = linspace(0, 1, 1000), and per class precision at IoU 0.5 over recall px. */
  px: Float64Array;
  /** Precision over recall px (IoU 0.5), for the classes that had both labels and predictions. */
  prCurves: Array<{
    /** The class. */
    cls: number;
    /** Precision at each recall of `px`. */
    precision: Float64Array;
  }>;
}

/** compute_ap: AP plus the envelope (mpre) and recall (mrec) with sentinels. */
export function computeAp(recall: ArrayLike<number>, precision: ArrayLike<number>): { ap: number; mrec: Float64Array; mpre: Float64Array } {
  const n = recall.length;
  const mrec = new Float64Array(n + 2);
  const mpre = new Float64Array(n + 2);
  mrec[0] = 0;
  mpre[0] = 1;
  for (let i = 0; i < n; i++) {
    mrec[i + 1] = recall[i];
    mpre[i + 1] = precision[i];
  }
  mrec[n + 1] = 1;
  mpre[n + 1] = 0;
  for (let i = n; i >= 0; i--) mpre[i] = Math.max(mpre[i], mpre[i + 1]);
  const x = linspace(0, 1, 101);
  return { ap: trapz(interp(x, mrec, mpre), x), mrec, mpre };
}

/** smooth(y, f): a box filter of round(len * f * 2) // 2 + 1 taps with edge padding. */
export function smooth(y: ArrayLike<number>, f = 0.05): Float64Array {
  const nf = Math.floor(Math.round(y.length * f * 2) / 2) + 1;
  const pad = Math.floor(nf / 2);
  const yp = new Float64Array(y.length + 2 * pad);
  yp.fill(y[0], 0, pad);
  for (let i = 0; i < y.length; i++) yp[pad + i] = y[i];
  yp.fill(y[y.length - 1], pad + y.length);
  const w = 1 / nf;
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    let s = 0;
    for (let k = 0; k < nf; k++) s += yp[i + k] * w;
    out[i] = s;
  }
  return out;
}

/**
 * @param tp nd x T true-positive flags (row-major)
 * @param conf nd confidences
 * @param predCls nd predicted classes
 * @param targetCls every ground-truth label's class
 */
export function apPerClass(
  tp: Uint8Array,
  conf: Float32Array,
  predCls: ArrayLike<number>,
  targetCls: ArrayLike<number>,
  T: number,
  eps = 1e-16,
): ApPerClass {
  // np.argsort(-conf): descending confidence, equal confidences in NumPy's (unstable) quicksort order.
  const order = argsortNumpy(Float32Array.from(conf, (c) => -c));
  const counts = new Map<number, number>();
  for (let i = 0; i < targetCls.length; i++) counts.set(targetCls[i], (counts.get(targetCls[i]) ?? 0) + 1);
  const classes = [...counts.keys()].sort((a, b) => a - b);
  const nt = classes.map((c) => counts.get(c) as number);
  const px = linspace(0, 1, 1000);
  const negPx = px.map((v) => -v);
  const ap: Float64Array[] = classes.map(() => new Float64Array(T));
  const pCurves: Float64Array[] = classes.map(() => new Float64Array(1000));
  const rCurves: Float64Array[] = classes.map(() => new Float64Array(1000));
  const prCurves: ApPerClass['prCurves'] = [];

  classes.forEach((c, ci) => {
    const rows = order.filter((i) => predCls[i] === c);
    const nl = nt[ci];
    if (rows.length === 0 || nl === 0) return;
    const negConf = Float64Array.from(rows, (i) => -conf[i]);
    const recall: Float64Array[] = [];
    const precision: Float64Array[] = [];
    for (let t = 0; t < T; t++) {
      const rc = new Float64Array(rows.length);
      const pr = new Float64Array(rows.length);
      let tpc = 0;
      let fpc = 0;
      rows.forEach((i, k) => {
        if (tp[i * T + t]) tpc++;
        else fpc++;
        rc[k] = tpc / (nl + eps);
        pr[k] = tpc / (tpc + fpc);
      });
      recall.push(rc);
      precision.push(pr);
    }
    rCurves[ci] = interp(negPx, negConf, recall[0], 0);
    pCurves[ci] = interp(negPx, negConf, precision[0], 1);
    for (let t = 0; t < T; t++) {
      const { ap: value, mrec, mpre } = computeAp(recall[t], precision[t]);
      ap[ci][t] = value;
      if (t === 0) prCurves.push({ cls: c, precision: interp(px, mrec, mpre) });
    }
  });

  const f1Curves = pCurves.map((p, ci) => p.map((pv, k) => (2 * pv * rCurves[ci][k]) / (pv + rCurves[ci][k] + eps)));
  // Mean F1 over classes (summed row by row, as NumPy reduces axis 0), smoothed, then its peak.
  const meanF1 = new Float64Array(1000);
  for (const f1 of f1Curves) for (let k = 0; k < 1000; k++) meanF1[k] += f1[k];
  for (let k = 0; k < 1000; k++) meanF1[k] /= Math.max(classes.length, 1);
  const best = classes.length ? argmax(smooth(meanF1, 0.1)) : 0;
  return {
    classes,
    nt,
    ap,
    p: pCurves.map((p) => p[best]),
    r: rCurves.map((r) => r[best]),
    f1: f1Curves.map((f) => f[best]),
    px,
    prCurves,
  };
}
