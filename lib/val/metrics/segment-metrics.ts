/**
 * SegmentMetrics of the reference: box and mask ap_per_class over the accumulated statistics, the mean
 * P / R / mAP50 / mAP50-95 of each, fitness, and the Ultralytics metric keys.
 */
import { type ApPerClass, apPerClass } from './ap-per-class';
import { mean, pairwiseSum } from './numeric';

/**
 * Precision, recall and mAP of boxes or of masks, each in [0, 1].
 * @inline
 */
export interface MetricSummary {
  /** Precision at the confidence where mean F1 peaks. */
  precision: number;
  /** Recall at that confidence. */
  recall: number;
  /** mAP at IoU 0.5. */
  map50: number;
  /** mAP over IoU 0.50:0.05:0.95. */
  map: number;
}

/**
 * One class's metrics.
 * @inline
 */
export interface ClassMetrics {
  /** Class index. */
  cls: number;
  /** Ground-truth instances of this class. */
  instances: number;
  /** Box metrics. */
  box: MetricSummary;
  /** Mask metrics. */
  mask: MetricSummary;
}

/**
 * Box and mask metrics of a validation run, overall and per class, with their curves.
 * @inline
 */
export interface SegmentMetricsResult {
  /** Box metrics. */
  box: MetricSummary;
  /** Mask metrics. */
  mask: MetricSummary;
  /** 0.1 mAP50 + 0.9 mAP50-95, summed over box and mask. */
  fitness: number;
  /** One row per ground-truth class present (empty when no prediction was a true positive). */
  perClass: ClassMetrics[];
  /** The box curves, for plots; null when nothing was computed. */
  boxCurves: ApPerClass | null;
  /** The mask curves; null when nothing was computed. */
  maskCurves: ApPerClass | null;
}

/** The accumulated statistics of a validation run. */
export interface ValStats {
  /** nd x T true-positive flags for boxes and for masks. */
  tpBox: Uint8Array;
  tpMask: Uint8Array;
  conf: Float32Array;
  predCls: Float32Array;
  targetCls: Float32Array;
  T: number;
}

const ZERO: MetricSummary = { precision: 0, recall: 0, map50: 0, map: 0 };

function summary(r: ApPerClass): MetricSummary {
  const flat = new Float64Array(r.ap.length * (r.ap[0]?.length ?? 0));
  r.ap.forEach((row, i) => flat.set(row, i * row.length));
  return {
    precision: r.p.length ? mean(r.p) : 0,
    recall: r.r.length ? mean(r.r) : 0,
    map50: r.ap.length ? mean(r.ap.map((row) => row[0])) : 0,
    map: flat.length ? pairwiseSum(flat) / flat.length : 0,
  };
}

function fitness(m: MetricSummary): number {
  return 0.1 * m.map50 + 0.9 * m.map;
}

export function segmentMetrics(stats: ValStats): SegmentMetricsResult {
  // As the reference: without a single box true positive nothing is computed and every metric is 0.
  if (!stats.tpBox.some((v) => v !== 0)) {
    return { box: ZERO, mask: ZERO, fitness: 0, perClass: [], boxCurves: null, maskCurves: null };
  }
  const masks = apPerClass(stats.tpMask, stats.conf, stats.predCls, stats.targetCls, stats.T);
  const boxes = apPerClass(stats.tpBox, stats.conf, stats.predCls, stats.targetCls, stats.T);
  const box = summary(boxes);
  const mask = summary(masks);
  const perClass = boxes.classes.map((cls, i) => ({
    cls,
    instances: boxes.nt[i],
    box: { precision: boxes.p[i], recall: boxes.r[i], map50: boxes.ap[i][0], map: mean(boxes.ap[i]) },
    mask: { precision: masks.p[i], recall: masks.r[i], map50: masks.ap[i][0], map: mean(masks.ap[i]) },
  }));
  return { box, mask, fitness: fitness(mask) + fitness(box), perClass, boxCurves: boxes, maskCurves: masks };
}

/** The Ultralytics results_dict: metrics/precision(B) ... metrics/mAP50-95(M), fitness. */
export function resultsDict(m: SegmentMetricsResult): Record<string, number> {
  return {
    'metrics/precision(B)': m.box.precision,
    'metrics/recall(B)': m.box.recall,
    'metrics/mAP50(B)': m.box.map50,
    'metrics/mAP50-95(B)': m.box.map,
    'metrics/precision(M)': m.mask.precision,
    'metrics/recall(M)': m.mask.recall,
    'metrics/mAP50(M)': m.mask.map50,
    'metrics/mAP50-95(M)': m.mask.map,
    fitness: m.fitness,
  };
}
