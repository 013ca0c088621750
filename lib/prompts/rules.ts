/**
 * The prompt selection rules, and nothing else: which of a result's masks a box or point prompt picks.
 * FastSAMPrompt (Node) and the web demo (the browser) both select with these, so a prompt answers the
 * same on both sides.
 *
 * Contract
 * - Pure TypeScript: no Node APIs, no native addon, no imports outside lib/prompts but lib/masks/mask-frame.ts
 *   (pure coordinate mapping) and lib/round.ts (Python's round). esbuild bundles it for the page as it is.
 * - Inputs are already checked (lib/prompts/check-prompts.ts turns bad ones into E_BAD_PROMPT) and at most
 *   MAX_BOXES boxes / MAX_POINTS points; prompts are in original-image pixels, `frame` says where the masks
 *   are (retina: the image itself; letterboxed: scaled and padded, see MaskFrame).
 * - The rules never read pixels. They work in three steps:
 *     1. plan:    planBoxes / planPoints map the prompts into mask pixels and deduplicate them, so the work
 *                 below depends on distinct prompts only (a thousand copies of one point cost one point);
 *     2. measure: the caller measures each mask against the plan (MaskMeasures: its area, its pixels
 *                 inside each planned rect, which planned pixels it holds): Node does it natively off the
 *                 JavaScript thread, the page with measureBitmaps (bitmap-measures.ts);
 *     3. decide:  selectByBoxes / decidePoints turn the measures into the answer: detection indices to keep,
 *                 or, for the merged point modes, an ordered plan of paint operations on one accumulator.
 * - Paint plans: start from an all-zero integer image the size of the masks; apply each op in order
 *   ('set': 1 on the mask's pixels, 'clear': 0 on them, 'add': + amount on them, amount may be negative);
 *   the answer is the pixels >= 1, as one mask. Node paints natively, the page in JS (paintPlan below).
 *
 * Semantics (FastSAM's FastSAMPrompt, CASIA flavour, spec 4.2; README "Prompts")
 * - Box: for each box, the mask maximising |mask ∩ box| / (|box| + |mask| − |mask ∩ box|), computed in
 *   float32 as torch does; torch.argmax picks the first maximum and a NaN counts as the maximum. The box
 *   is mapped to mask pixels with Python's round() (half to even) and clamped to the mask. One detection per
 *   box, deduplicated, in ascending detection order.
 * - Points: mapped to mask pixels (clamped inside the image first, truncated like Python's int(), clamped
 *   inside the mask). Modes:
 *   - 'merge' (the reference): masks visited largest first (ties: detection order); a foreground point
 *     sets, a background point clears, the whole of each mask containing it; one merged mask.
 *   - 'instances' (current Ultralytics): the detections hit by foreground points, later points overriding
 *     earlier ones; with only background points, every detection they miss.
 *   - 'additive' (legacy Ultralytics FastSAMPrompt): masks hit by foreground points added, those hit by
 *     background points subtracted, in detection order; kept where the sum is >= 1.
 *   The merged mask is scored by the best detection hit by a foreground point ("contributors").
 */
import { imageToMask, type MaskFrame } from '../masks/mask-frame';
import { roundHalfEven } from '../round';

/** A box prompt: [x1, y1, x2, y2] in original image pixels. */
export type BoxPrompt = [number, number, number, number];
/** A point prompt: [x, y] in original image pixels. */
export type PointPrompt = [number, number];
/**
 * How point prompts combine: 'merge' (the FastSAM repository's: one merged mask), 'instances' (current Ultralytics': the
 * detections hit), 'additive' (legacy Ultralytics': masks added and subtracted). See FastSAMPrompt.point().
 */
export type PointMode = 'merge' | 'instances' | 'additive';
export const POINT_MODES: readonly PointMode[] = ['merge', 'instances', 'additive'];

/** At most this many boxes in one box prompt (E_BAD_PROMPT above). */
export const MAX_BOXES = 1000;
/** At most this many points in one point prompt (E_BAD_PROMPT above). */
export const MAX_POINTS = 1000;

/** The part of a MaskFrame the rules read. */
export type PromptFrame = Pick<MaskFrame, 'shape' | 'origShape' | 'gain' | 'padX' | 'padY'>;

/** Distinct boxes in mask pixels. */
export interface BoxPlan {
  /** k x [x1, y1, x2, y2] integer rects, half-open, x1 >= 0, y1 >= 0, x2 <= width, y2 <= height (may be empty). */
  rects: Int32Array;
}

/** Distinct points in mask pixels. */
export interface PointPlan {
  mode: PointMode;
  /** k x [x, y] distinct mask pixels, each inside the mask. */
  pixels: Int32Array;
  /** Per pixel: the index (in the prompt) of the last point that landed on it, and that point's label. */
  lastIndex: Int32Array;
  lastLabel: Uint8Array;
  /** Per pixel: how many foreground and background points landed on it. */
  foreground: Int32Array;
  background: Int32Array;
  /** Every point is background ('instances' then keeps what they miss). */
  allBackground: boolean;
}

/** What the caller measured on each mask, against a plan. Masks are numbered 0..count-1 (detection order). */
export interface MaskMeasures {
  readonly count: number;
  /** Pixels set in mask i. */
  area(mask: number): number;
  /** Pixels of mask i inside plan rect r (0 when the rect is empty). */
  inside(mask: number, rect: number): number;
  /** The plan pixels (indices into PointPlan.pixels) that mask i holds, in any order. */
  hits(mask: number): ArrayLike<number>;
}

export type PaintOp = { mask: number; op: 'set' } | { mask: number; op: 'clear' } | { mask: number; op: 'add'; amount: number };

/** What a point prompt answers: detections to keep ('instances'), or one mask to paint ('merge', 'additive'). */
export type PointDecision =
  | { kind: 'select'; indices: number[] }
  | {
      kind: 'paint';
      ops: PaintOp[];
      /** Detections hit by a foreground point, ascending: the merged mask's score is the best of theirs. */
      contributors: number[];
    };

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** Boxes (image pixels) to distinct rects in mask pixels, in order of first appearance. */
export function planBoxes(boxes: readonly BoxPrompt[], frame: PromptFrame): BoxPlan {
  const [h, w] = frame.shape;
  const seen = new Set<string>();
  const rects: number[] = [];
  for (const box of boxes) {
    const [mx1, my1] = imageToMask(frame, box[0], box[1]);
    const [mx2, my2] = imageToMask(frame, box[2], box[3]);
    const rect = [
      Math.max(roundHalfEven(mx1), 0),
      Math.max(roundHalfEven(my1), 0),
      Math.min(roundHalfEven(mx2), w),
      Math.min(roundHalfEven(my2), h),
    ];
    const key = rect.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    rects.push(...rect);
  }
  return { rects: Int32Array.from(rects) };
}

/** The rect's own area as the reference computes it: (y2 - y1) * (x2 - x1), negative factors included. */
function rectArea(rects: Int32Array, r: number): number {
  return (rects[r * 4 + 3] - rects[r * 4 + 1]) * (rects[r * 4 + 2] - rects[r * 4]);
}

/** For each rect, the best mask (see Semantics); the distinct winners in ascending detection order. */
export function selectByBoxes(plan: BoxPlan, measures: MaskMeasures): number[] {
  const chosen = new Set<number>();
  const rectCount = plan.rects.length / 4;
  if (measures.count === 0) return [];
  for (let r = 0; r < rectCount; r++) {
    const boxArea = rectArea(plan.rects, r);
    let best = 0;
    let bestIou = -Infinity;
    for (let i = 0; i < measures.count; i++) {
      const inter = measures.inside(i, r);
      const iou = Math.fround(inter / (boxArea + measures.area(i) - inter)); // float32, as torch computes it
      // torch.argmax: first maximum, NaN counts as the maximum.
      if (Number.isNaN(iou) ? !Number.isNaN(bestIou) : iou > bestIou) {
        best = i;
        bestIou = iou;
      }
    }
    chosen.add(best);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** Points (image pixels) and labels (1 foreground, 0 background) to distinct mask pixels. */
export function planPoints(points: readonly PointPrompt[], labels: readonly number[], frame: PromptFrame, mode: PointMode): PointPlan {
  const [h, w] = frame.shape;
  const [h0, w0] = frame.origShape;
  const slot = new Map<number, number>();
  const pixels: number[] = [];
  const lastIndex: number[] = [];
  const lastLabel: number[] = [];
  const foreground: number[] = [];
  const background: number[] = [];
  points.forEach(([x, y], p) => {
    // Clamped inside the image first, so a point outside it never lands in the letterbox padding.
    const [mx, my] = imageToMask(frame, clamp(x, 0, w0 - 1), clamp(y, 0, h0 - 1));
    const px = clamp(Math.trunc(mx), 0, w - 1);
    const py = clamp(Math.trunc(my), 0, h - 1);
    const key = py * w + px;
    let k = slot.get(key);
    if (k === undefined) {
      k = pixels.length / 2;
      slot.set(key, k);
      pixels.push(px, py);
      foreground.push(0);
      background.push(0);
    }
    const label = labels[p] === 1 ? 1 : 0;
    lastIndex[k] = p;
    lastLabel[k] = label;
    if (label === 1) foreground[k]++;
    else background[k]++;
  });
  return {
    mode,
    pixels: Int32Array.from(pixels),
    lastIndex: Int32Array.from(lastIndex),
    lastLabel: Uint8Array.from(lastLabel),
    foreground: Int32Array.from(foreground),
    background: Int32Array.from(background),
    allBackground: labels.every((l) => l === 0),
  };
}

/** What the points did to one mask: the label of the last point inside it (-1: none), any foreground, net count. */
interface MaskHits {
  lastLabel: number;
  anyForeground: boolean;
  net: number;
}

function hitsOn(plan: PointPlan, hits: ArrayLike<number>): MaskHits {
  let last = -1;
  let lastLabel = -1;
  let anyForeground = false;
  let net = 0;
  for (let k = 0; k < hits.length; k++) {
    const p = hits[k];
    if (plan.lastIndex[p] > last) {
      last = plan.lastIndex[p];
      lastLabel = plan.lastLabel[p];
    }
    anyForeground ||= plan.foreground[p] > 0;
    net += plan.foreground[p] - plan.background[p];
  }
  return { lastLabel, anyForeground, net };
}

/**
 * The answer of a point prompt. Repeated set/clear on one mask collapse to the last one (each paints the
 * whole mask), and its adds to one sum, so every mask gets at most one paint operation.
 */
export function decidePoints(plan: PointPlan, measures: MaskMeasures): PointDecision {
  const perMask = Array.from({ length: measures.count }, (_, i) => hitsOn(plan, measures.hits(i)));
  if (plan.mode === 'instances') {
    const indices: number[] = [];
    perMask.forEach((m, i) => {
      if (m.lastLabel === -1 ? plan.allBackground : m.lastLabel === 1) indices.push(i);
    });
    return { kind: 'select', indices };
  }
  const contributors: number[] = [];
  perMask.forEach((m, i) => {
    if (m.anyForeground) contributors.push(i);
  });
  const ops: PaintOp[] = [];
  if (plan.mode === 'merge') {
    const hit = perMask.flatMap((m, i) => (m.lastLabel === -1 ? [] : [i]));
    const areas = new Map(hit.map((i) => [i, measures.area(i)]));
    hit.sort((a, b) => areas.get(b)! - areas.get(a)! || a - b); // area descending, stable like Python's sort
    for (const i of hit) ops.push({ mask: i, op: perMask[i].lastLabel === 1 ? 'set' : 'clear' });
  } else {
    perMask.forEach((m, i) => {
      if (m.net !== 0) ops.push({ mask: i, op: 'add', amount: m.net });
    });
  }
  return { kind: 'paint', ops, contributors };
}

/** MaskMeasures as flat tables (how the native measurer returns them). */
export interface MeasureTables {
  /** Pixels set in each mask (n). */
  areas: ArrayLike<number>;
  /** Pixels of each mask inside each plan rect: rect-major, rects x n. */
  inside?: ArrayLike<number>;
  /** Mask i holds the plan pixels hitPixels[hitOffsets[i] .. hitOffsets[i + 1]). */
  hitOffsets?: ArrayLike<number>;
  hitPixels?: ArrayLike<number>;
}

export function measuresFromTables(count: number, tables: MeasureTables): MaskMeasures {
  const none = new Int32Array(0);
  return {
    count,
    area: (mask) => tables.areas[mask],
    inside: (mask, rect) => (tables.inside ? tables.inside[rect * count + mask] : 0),
    hits: (mask) => {
      const { hitOffsets, hitPixels } = tables;
      if (!hitOffsets || !hitPixels) return none;
      const out: number[] = [];
      for (let k = hitOffsets[mask]; k < hitOffsets[mask + 1]; k++) out.push(hitPixels[k]);
      return out;
    },
  };
}
