/**
 * COCOeval (pycocotools) for bbox and segm: per image and category matching at IoU 0.50:0.95, greedy in
 * score order with crowd regions absorbing detections, accumulation into 101-point interpolated
 * precision, and the 12 summary statistics. Sorting is stable wherever pycocotools uses mergesort.
 */
import { FastSAMError } from '../../errors';
import { pairwiseSum } from '../metrics/numeric';
import { CocoIndex, loadResults } from './api';
import { type Box, bboxIou, type Rle, rleIou } from './rle';
import type { CocoAnnotation, CocoDataset, CocoIouType, CocoResult } from './types';

/**
 * The evaluation's parameters, as pycocotools' `Params` (areas in square pixels).
 * @inline
 */
export interface CocoEvalParams {
  /** Image ids evaluated. */
  imgIds: number[];
  /** Category ids evaluated. */
  catIds: number[];
  /** IoU thresholds: 0.50:0.05:0.95. */
  iouThrs: Float64Array;
  /** Recall thresholds: 0:0.01:1. */
  recThrs: Float64Array;
  /** Detections per image considered: [1, 10, 100]. */
  maxDets: number[];
  /** Object area ranges (all, small, medium, large), in square pixels. */
  areaRng: Array<[number, number]>;
  /** Their labels: 'all', 'small', 'medium', 'large'. */
  areaRngLbl: string[];
}

/** pycocotools' COCOeval of one IoU type: the 12 summary statistics and the accumulated arrays. */
export interface CocoEvalResult {
  /** What was matched: boxes or masks. */
  iouType: CocoIouType;
  /** The parameters used. */
  params: CocoEvalParams;
  /** The 12 summary statistics in pycocotools order (AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl). */
  stats: number[];
  /** precision[t][r][k][a][m] flattened (T x R x K x A x M), -1 where a category has no ground truth. */
  precision: Float64Array;
  /** recall[t][k][a][m] flattened (T x K x A x M). */
  recall: Float64Array;
  /** Same layout as precision: the detection score at each recall threshold. */
  scores: Float64Array;
}

/** np.linspace in float64, as pycocotools builds its thresholds. */
function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

export function defaultParams(gt: CocoIndex): CocoEvalParams {
  return {
    imgIds: [...new Set(gt.imgIds)].sort((a, b) => a - b),
    catIds: [...new Set(gt.catIds)].sort((a, b) => a - b),
    iouThrs: linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
    recThrs: linspace(0, 1, Math.round(1 / 0.01) + 1),
    maxDets: [1, 10, 100],
    areaRng: [
      [0, 1e5 ** 2],
      [0, 32 ** 2],
      [32 ** 2, 96 ** 2],
      [96 ** 2, 1e5 ** 2],
    ],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
  };
}

/** One (image, category, area range) evaluation: detections' matches per IoU threshold. */
interface EvalImg {
  dtScores: number[];
  /** T x D: the matched ground-truth id, 0 when unmatched. */
  dtMatches: Float64Array[];
  dtIgnore: Uint8Array[];
  gtIgnore: Uint8Array;
}

interface Prepared {
  gt: CocoAnnotation;
  ignore: boolean;
  region: Rle | Box;
}

const byScore = (a: CocoAnnotation, b: CocoAnnotation) => (b.score ?? 0) - (a.score ?? 0);

function stableSortBy<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => compare(a.item, b.item) || a.i - b.i)
    .map((x) => x.item);
}

class Evaluator {
  private readonly gts = new Map<string, Prepared[]>();
  private readonly dts = new Map<string, Array<{ dt: CocoAnnotation; region: Rle | Box }>>();

  constructor(
    gtIndex: CocoIndex,
    dtIndex: CocoIndex,
    private readonly iouType: CocoIouType,
    readonly p: CocoEvalParams,
  ) {
    const region = (index: CocoIndex, ann: CocoAnnotation): Rle | Box => {
      if (iouType === 'segm') return index.toRle(ann);
      if (!Array.isArray(ann.bbox) || ann.bbox.length < 4) throw new FastSAMError('E_BAD_OPTION', `annotation ${ann.id} has no bbox`);
      return ann.bbox;
    };
    for (const gt of gtIndex.annotations(p.imgIds, p.catIds)) {
      this.push(this.gts, gt, { gt, ignore: Boolean(gt.iscrowd), region: region(gtIndex, gt) });
    }
    for (const dt of dtIndex.annotations(p.imgIds, p.catIds)) this.push(this.dts, dt, { dt, region: region(dtIndex, dt) });
  }

  private push<T>(map: Map<string, T[]>, ann: CocoAnnotation, value: T): void {
    const key = `${ann.image_id},${ann.category_id}`;
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }

  /** evaluateImg for every area range of one (image, category), sharing one IoU matrix. */
  evaluatePair(imgId: number, catId: number): Array<EvalImg | null> {
    const key = `${imgId},${catId}`;
    const gts = this.gts.get(key) ?? [];
    const maxDet = this.p.maxDets[this.p.maxDets.length - 1];
    const dts = stableSortBy(this.dts.get(key) ?? [], (a, b) => byScore(a.dt, b.dt)).slice(0, maxDet);
    if (gts.length === 0 && dts.length === 0) return this.p.areaRng.map(() => null);
    const crowd = gts.map((g) => (g.gt.iscrowd ? 1 : 0));
    let ious: Float64Array | null = null;
    if (gts.length > 0 && dts.length > 0) {
      ious =
        this.iouType === 'segm'
          ? rleIou(
              dts.map((d) => d.region as Rle),
              gts.map((g) => g.region as Rle),
              crowd,
            )
          : bboxIou(
              dts.map((d) => d.region as Box),
              gts.map((g) => g.region as Box),
              crowd,
            );
    }
    return this.p.areaRng.map((rng) =>
      this.evaluateImg(
        gts,
        dts.map((d) => d.dt),
        ious,
        rng,
        maxDet,
      ),
    );
  }

  private evaluateImg(
    gtsIn: Prepared[],
    dts: CocoAnnotation[],
    ious: Float64Array | null,
    [lo, hi]: [number, number],
    maxDet: number,
  ): EvalImg {
    const nG = gtsIn.length;
    const outside = (area: number | undefined) => (area ?? 0) < lo || (area ?? 0) > hi;
    const gtIgnoreIn = gtsIn.map((g) => (g.ignore || outside(g.gt.area) ? 1 : 0));
    // Ground truth to be ignored goes last (stable), so regular matches are preferred.
    const order = Array.from({ length: nG }, (_, i) => i).sort((a, b) => gtIgnoreIn[a] - gtIgnoreIn[b] || a - b);
    const gts = order.map((i) => gtsIn[i]);
    const gtIg = Uint8Array.from(order.map((i) => gtIgnoreIn[i]));
    const crowd = gts.map((g) => Boolean(g.gt.iscrowd));
    const dt = dts.slice(0, maxDet);
    const T = this.p.iouThrs.length;
    const D = dt.length;
    const dtm = Array.from({ length: T }, () => new Float64Array(D));
    const dtIg = Array.from({ length: T }, () => new Uint8Array(D));
    const gtm = Array.from({ length: T }, () => new Float64Array(nG));
    if (ious) {
      const iou = (d: number, g: number) => (ious as Float64Array)[d * nG + order[g]];
      for (let t = 0; t < T; t++) {
        for (let d = 0; d < D; d++) {
          let best = Math.min(this.p.iouThrs[t], 1 - 1e-10);
          let m = -1;
          for (let g = 0; g < nG; g++) {
            if (gtm[t][g] > 0 && !crowd[g]) continue; // already matched, and not a crowd
            if (m > -1 && gtIg[m] === 0 && gtIg[g] === 1) break; // a regular match beats ignored ones
            if (iou(d, g) < best) continue;
            best = iou(d, g);
            m = g;
          }
          if (m === -1) continue;
          dtIg[t][d] = gtIg[m];
          dtm[t][d] = gts[m].gt.id;
          gtm[t][m] = dt[d].id;
        }
      }
    }
    // Unmatched detections outside the area range are ignored too.
    for (let t = 0; t < T; t++) {
      for (let d = 0; d < D; d++) if (dtm[t][d] === 0 && outside(dt[d].area)) dtIg[t][d] = 1;
    }
    return { dtScores: dt.map((d) => d.score ?? 0), dtMatches: dtm, dtIgnore: dtIg, gtIgnore: gtIg };
  }
}

/** accumulate: precision/recall arrays over (iou, recall, category, area, maxDets). */
function accumulate(p: CocoEvalParams, evalImgs: Array<EvalImg | null>): Pick<CocoEvalResult, 'precision' | 'recall' | 'scores'> {
  const T = p.iouThrs.length;
  const R = p.recThrs.length;
  const K = p.catIds.length;
  const A = p.areaRng.length;
  const M = p.maxDets.length;
  const I = p.imgIds.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const scores = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const eps = 2.220446049250313e-16; // np.spacing(1)
  for (let k = 0; k < K; k++) {
    for (let a = 0; a < A; a++) {
      const E = [];
      for (let i = 0; i < I; i++) {
        const e = evalImgs[(k * A + a) * I + i];
        if (e) E.push(e);
      }
      if (E.length === 0) continue;
      for (let m = 0; m < M; m++) {
        const maxDet = p.maxDets[m];
        const entries: Array<{ score: number; e: EvalImg; d: number }> = [];
        for (const e of E) for (let d = 0; d < Math.min(maxDet, e.dtScores.length); d++) entries.push({ score: e.dtScores[d], e, d });
        const sorted = entries.map((x, i) => ({ ...x, i })).sort((x, y) => y.score - x.score || x.i - y.i);
        let npig = 0;
        for (const e of E) for (const g of e.gtIgnore) if (g === 0) npig++;
        if (npig === 0) continue;
        const nd = sorted.length;
        for (let t = 0; t < T; t++) {
          const rc = new Float64Array(nd);
          const pr = new Array<number>(nd);
          let tp = 0;
          let fp = 0;
          for (let j = 0; j < nd; j++) {
            const { e, d } = sorted[j];
            const ignored = e.dtIgnore[t][d] !== 0;
            const matched = e.dtMatches[t][d] !== 0;
            if (matched && !ignored) tp++;
            if (!matched && !ignored) fp++;
            rc[j] = tp / npig;
            pr[j] = tp / (fp + tp + eps);
          }
          recall[((t * K + k) * A + a) * M + m] = nd ? rc[nd - 1] : 0;
          for (let j = nd - 1; j > 0; j--) if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
          // Precision at each recall threshold: the first point reaching it (searchsorted, side='left');
          // thresholds past the last recall stay 0, as pycocotools' zero-filled q.
          let j = 0;
          for (let r = 0; r < R; r++) {
            while (j < nd && rc[j] < p.recThrs[r]) j++;
            const at = (((t * R + r) * K + k) * A + a) * M + m;
            precision[at] = j < nd ? pr[j] : 0;
            scores[at] = j < nd ? sorted[j].score : 0;
          }
        }
      }
    }
  }
  return { precision, recall, scores };
}

function meanAboveMinusOne(values: number[]): number {
  const kept = values.filter((v) => v > -1);
  return kept.length === 0 ? -1 : pairwiseSum(kept) / kept.length;
}

/** summarize: the 12 standard statistics. */
function summarize(p: CocoEvalParams, acc: Pick<CocoEvalResult, 'precision' | 'recall'>): number[] {
  const R = p.recThrs.length;
  const K = p.catIds.length;
  const A = p.areaRng.length;
  const M = p.maxDets.length;
  const stat = (ap: boolean, iouThr: number | null, area: string, maxDets: number): number => {
    const a = p.areaRngLbl.indexOf(area);
    const m = p.maxDets.indexOf(maxDets);
    const ts = iouThr === null ? [...p.iouThrs.keys()] : [...p.iouThrs.keys()].filter((t) => p.iouThrs[t] === iouThr);
    const values: number[] = [];
    for (const t of ts) {
      if (ap) {
        for (let r = 0; r < R; r++) for (let k = 0; k < K; k++) values.push(acc.precision[(((t * R + r) * K + k) * A + a) * M + m]);
      } else {
        for (let k = 0; k < K; k++) values.push(acc.recall[((t * K + k) * A + a) * M + m]);
      }
    }
    return meanAboveMinusOne(values);
  };
  const [d0, d1, d2] = p.maxDets;
  return [
    stat(true, null, 'all', d2),
    stat(true, 0.5, 'all', d2),
    stat(true, 0.75, 'all', d2),
    stat(true, null, 'small', d2),
    stat(true, null, 'medium', d2),
    stat(true, null, 'large', d2),
    stat(false, null, 'all', d0),
    stat(false, null, 'all', d1),
    stat(false, null, 'all', d2),
    stat(false, null, 'small', d2),
    stat(false, null, 'medium', d2),
    stat(false, null, 'large', d2),
  ];
}

/**
 * Evaluates COCO detections against COCO ground truth, as pycocotools' COCOeval(gt, dt, iouType)
 * .evaluate() .accumulate() .summarize() does.
 */
export function evaluateCoco(
  gt: CocoDataset,
  results: CocoResult[],
  iouType: CocoIouType,
  params: Partial<Pick<CocoEvalParams, 'imgIds' | 'catIds'>> = {},
): CocoEvalResult {
  if (iouType !== 'bbox' && iouType !== 'segm')
    throw new FastSAMError('E_BAD_OPTION', `iouType must be 'bbox' or 'segm', got ${String(iouType)}`);
  const gtIndex = new CocoIndex(gt);
  const dtIndex = loadResults(gtIndex, results);
  const p = defaultParams(gtIndex);
  if (params.imgIds) p.imgIds = [...new Set(params.imgIds)].sort((a, b) => a - b);
  if (params.catIds) p.catIds = [...new Set(params.catIds)].sort((a, b) => a - b);
  const evaluator = new Evaluator(gtIndex, dtIndex, iouType, p);
  // evalImgs in pycocotools order: category, then area range, then image.
  const A = p.areaRng.length;
  const I = p.imgIds.length;
  const evalImgs = new Array<EvalImg | null>(p.catIds.length * A * I).fill(null);
  p.catIds.forEach((catId, k) => {
    p.imgIds.forEach((imgId, i) => {
      evaluator.evaluatePair(imgId, catId).forEach((e, a) => {
        evalImgs[(k * A + a) * I + i] = e;
      });
    });
  });
  const acc = accumulate(p, evalImgs);
  return { iouType, params: p, stats: summarize(p, acc), ...acc };
}
