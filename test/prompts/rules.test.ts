/**
 * The prompt rules (lib/prompts/rules.ts) on designed masks, with the JS measurer and painter the page
 * uses (bitmaps.ts): hand-checked cases for each rule, and randomised prompts (with duplicates) against
 * the straightforward per-point, per-mask loops FastSAMPrompt ran before the rules were split out.
 */
import { FastSAMError } from '../../lib/errors';
import type { MaskFrame } from '../../lib/masks/mask-frame';
import { type MaskBitmap, measureBitmaps, paintBitmaps } from '../../lib/prompts/bitmaps';
import { checkBoxes, checkLabels, checkPointMode, checkPoints } from '../../lib/prompts/check-prompts';
import { seededRandom } from '../../lib/plot/random';
import {
  type BoxPrompt,
  decidePoints,
  MAX_BOXES,
  MAX_POINTS,
  measuresFromTables,
  planBoxes,
  planPoints,
  type PointMode,
  type PointPrompt,
  selectByBoxes,
} from '../../lib/prompts/rules';

const identity = (h: number, w: number): MaskFrame => ({ shape: [h, w], origShape: [h, w], gain: 1, padX: 0, padY: 0 });

/** A filled rectangle [x1, x2) x [y1, y2) as a tight bitmap. */
function rect(x1: number, y1: number, x2: number, y2: number): MaskBitmap {
  const width = x2 - x1;
  const height = y2 - y1;
  return { x: x1, y: y1, width, height, data: new Uint8Array(width * height).fill(1) };
}

const empty: MaskBitmap = { x: 0, y: 0, width: 0, height: 0, data: new Uint8Array(0) };

function boxes(masks: MaskBitmap[], prompts: BoxPrompt[], frame = identity(20, 20)): number[] {
  const plan = planBoxes(prompts, frame);
  return selectByBoxes(plan, measureBitmaps(masks, plan));
}

function points(masks: MaskBitmap[], prompts: PointPrompt[], labels: number[], mode: PointMode, frame = identity(20, 20)) {
  const plan = planPoints(prompts, labels, frame, mode);
  const decision = decidePoints(plan, measureBitmaps(masks, plan));
  if (decision.kind === 'select') return { indices: decision.indices };
  return { bits: paintBitmaps(decision.ops, masks, frame.shape), contributors: decision.contributors, ops: decision.ops };
}

const ones = (bits: Uint8Array) => bits.reduce((s, v) => s + v, 0);

describe('box rule', () => {
  const big = rect(0, 0, 10, 10);
  const small = rect(2, 2, 5, 5);

  test('the mask with the best |mask ∩ box| / |mask ∪ box| per box, deduplicated, ascending', () => {
    expect(boxes([big, small], [[2, 2, 5, 5]])).toEqual([1]);
    expect(boxes([big, small], [[0, 0, 10, 10]])).toEqual([0]);
    expect(
      boxes(
        [big, small],
        [
          [0, 0, 10, 10],
          [2, 2, 5, 5],
          [0, 0, 10, 10],
        ],
      ),
    ).toEqual([0, 1]);
    // Order of the boxes does not order the answer.
    expect(
      boxes(
        [big, small],
        [
          [2, 2, 5, 5],
          [0, 0, 10, 10],
        ],
      ),
    ).toEqual([0, 1]);
  });

  test('ties go to the first mask; equal in float32 is a tie', () => {
    expect(boxes([rect(0, 0, 4, 4), rect(0, 0, 4, 4)], [[0, 0, 4, 4]])).toEqual([0]);
    // Two masks of the same ratio (3 / 9) in different shapes: the first still wins.
    const a = rect(0, 0, 1, 3); // inside [0,0,3,3]: 3 of 9 -> 3/9
    const b = rect(0, 0, 3, 1); // 3/9 as well
    expect(boxes([a, b], [[0, 0, 3, 3]])).toEqual([0]);
  });

  test('NaN (an empty box against an empty mask) counts as the maximum, the first NaN wins', () => {
    // A box ending at the image's left edge maps to an empty rect of area 0; an empty mask then gives 0 / 0.
    const frame = identity(20, 20);
    expect(boxes([big, empty, empty], [[-10, 0, 0, 5]], frame)).toEqual([1]);
    // Without an empty mask there is no NaN: every IoU is 0 and the first mask wins.
    expect(boxes([big, small], [[-10, 0, 0, 5]], frame)).toEqual([0]);
    // A box wholly left of the image: x1 clamps to 0, x2 stays -5, so the reference's box area is
    // 5 * -5 = -25, and a mask of 25 pixels gives 0 / 0 too.
    expect(boxes([big, rect(10, 10, 15, 15)], [[-10, 0, -5, 5]], frame)).toEqual([1]);
  });

  test('boxes are rounded half to even into mask pixels and clamped', () => {
    const plan = planBoxes(
      [
        [0.5, 1.5, 2.5, 3.5],
        [-3, -3, 99, 99],
      ],
      identity(20, 20),
    );
    expect(Array.from(plan.rects)).toEqual([0, 2, 2, 4, 0, 0, 20, 20]);
    // Letterboxed: image 40 x 20 in masks of 20 x 20 at gain 0.5, 5 px of padding on top.
    const frame: MaskFrame = { shape: [20, 20], origShape: [20, 40], gain: 0.5, padX: 0, padY: 5 };
    expect(Array.from(planBoxes([[4, 2, 10, 12]], frame).rects)).toEqual([2, 6, 5, 11]);
  });

  test('duplicate boxes are planned once', () => {
    const many = Array.from({ length: 500 }, (): BoxPrompt => [1, 1, 6, 6]);
    expect(planBoxes([...many, [0, 0, 3, 3]], identity(20, 20)).rects.length).toBe(8);
  });

  test('no masks, no answer', () => {
    expect(boxes([], [[0, 0, 5, 5]])).toEqual([]);
  });
});

describe('point rules', () => {
  // A big mask, a smaller one inside it, and one apart.
  const a = rect(0, 0, 12, 12);
  const b = rect(3, 3, 6, 6);
  const c = rect(14, 14, 18, 18);
  const masks = [b, a, c]; // detection order is not area order

  test('merge: largest first; foreground sets, background clears the whole mask', () => {
    const fg = points(masks, [[4, 4]], [1], 'merge');
    expect(ones(fg.bits!)).toBe(144); // A (largest, set), then B (set again)
    expect(fg.contributors).toEqual([0, 1]);
    const cut = points(
      masks,
      [
        [4, 4],
        [8, 8],
      ],
      [0, 1],
      'merge',
    );
    // A: last point inside it is (8, 8) foreground -> set; B: (4, 4) background -> clear, after A.
    expect(ones(cut.bits!)).toBe(144 - 9);
    expect(cut.ops).toEqual([
      { mask: 1, op: 'set' },
      { mask: 0, op: 'clear' },
    ]);
  });

  test('merge: a point hitting nothing paints nothing', () => {
    const none = points(masks, [[19, 0]], [1], 'merge');
    expect(ones(none.bits!)).toBe(0);
    expect(none.contributors).toEqual([]);
  });

  test('instances: hits of foreground points, later points override; all-background keeps what they miss', () => {
    expect(points(masks, [[4, 4]], [1], 'instances').indices).toEqual([0, 1]);
    expect(
      points(
        masks,
        [
          [4, 4],
          [4, 4],
        ],
        [1, 0],
        'instances',
      ).indices,
    ).toEqual([]);
    expect(points(masks, [[8, 8]], [0], 'instances').indices).toEqual([0, 2]);
  });

  test('additive: +1 per foreground hit, -1 per background hit, kept where >= 1', () => {
    const sum = points(
      masks,
      [
        [4, 4],
        [4, 4],
        [8, 8],
      ],
      [1, 1, 0],
      'additive',
    );
    // B: +2; A: +2 - 1 = +1 -> A's pixels 1, B's 3: all of A.
    expect(sum.ops).toEqual([
      { mask: 0, op: 'add', amount: 2 },
      { mask: 1, op: 'add', amount: 1 },
    ]);
    expect(ones(sum.bits!)).toBe(144);
  });

  test('duplicates cost nothing: a thousand copies of a point plan one pixel', () => {
    const many = Array.from({ length: MAX_POINTS }, (): PointPrompt => [4.2, 4.9]);
    const plan = planPoints(
      many,
      many.map((_, i) => i % 2),
      identity(20, 20),
      'merge',
    );
    expect(Array.from(plan.pixels)).toEqual([4, 4]);
    expect([plan.foreground[0], plan.background[0], plan.lastIndex[0], plan.lastLabel[0]]).toEqual([500, 500, 999, 1]);
  });

  test('points outside the image are clamped into it, then into the mask', () => {
    // Letterboxed: image 40 x 20 in 20 x 20 masks, gain 0.5, 5 px of padding top and bottom.
    const frame: MaskFrame = { shape: [20, 20], origShape: [20, 40], gain: 0.5, padX: 0, padY: 5 };
    const plan = planPoints(
      [
        [-100, -100],
        [1000, 1000],
        [10, 10],
      ],
      [1, 1, 1],
      frame,
      'merge',
    );
    expect(Array.from(plan.pixels)).toEqual([0, 5, 19, 14, 5, 10]);
  });

  test('tables from a native measurer read like the bitmap measures', () => {
    const plan = planPoints([[4, 4]], [1], identity(20, 20), 'instances');
    const measures = measuresFromTables(3, { areas: [9, 144, 16], hitOffsets: [0, 1, 2, 2], hitPixels: [0, 0] });
    expect(decidePoints(plan, measures)).toEqual({ kind: 'select', indices: [0, 1] });
    const boxPlan = planBoxes([[3, 3, 6, 6]], identity(20, 20));
    expect(selectByBoxes(boxPlan, measuresFromTables(3, { areas: [9, 144, 16], inside: [9, 9, 0] }))).toEqual([0]);
  });
});

/** A random blob inside a random window (holes and all), sometimes empty. */
function randomMask(rand: () => number, h: number, w: number): MaskBitmap {
  if (rand() < 0.1) return empty;
  const x = Math.floor(rand() * (w - 1));
  const y = Math.floor(rand() * (h - 1));
  const width = 1 + Math.floor(rand() * (w - x));
  const height = 1 + Math.floor(rand() * (h - y));
  const fill = 0.3 + rand() * 0.7;
  const data = Uint8Array.from({ length: width * height }, () => (rand() < fill ? 1 : 0));
  return { x, y, width, height, data };
}

const at = (m: MaskBitmap, x: number, y: number) =>
  x >= m.x && y >= m.y && x < m.x + m.width && y < m.y + m.height ? m.data[(y - m.y) * m.width + x - m.x] : 0;
const area = (m: MaskBitmap) => m.data.reduce((s, v) => s + v, 0);

/** FastSAMPrompt.point before the split: every point against every mask, painting per hit. */
function naivePoints(masks: MaskBitmap[], pts: PointPrompt[], labels: number[], mode: PointMode, h: number, w: number) {
  const inMask = pts.map(([x, y]) => [Math.min(Math.max(Math.trunc(x), 0), w - 1), Math.min(Math.max(Math.trunc(y), 0), h - 1)]);
  const hits = masks.map((m) => inMask.map(([x, y]) => at(m, x, y) === 1));
  if (mode === 'instances') {
    const keep = masks.map(() => labels.every((l) => l === 0));
    inMask.forEach((_, p) => masks.forEach((_, i) => hits[i][p] && (keep[i] = labels[p] === 1)));
    return { indices: keep.flatMap((k, i) => (k ? [i] : [])) };
  }
  const merged = new Int32Array(h * w);
  const order = masks.map((_, i) => i);
  if (mode === 'merge') order.sort((a, b) => area(masks[b]) - area(masks[a]) || a - b);
  const contributors = new Set<number>();
  for (const i of order) {
    labels.forEach((label, p) => {
      if (!hits[i][p]) return;
      if (label === 1) contributors.add(i);
      const m = masks[i];
      for (let y = 0; y < m.height; y++)
        for (let x = 0; x < m.width; x++) {
          if (!m.data[y * m.width + x]) continue;
          const k = (m.y + y) * w + m.x + x;
          if (mode === 'merge') merged[k] = label;
          else merged[k] += label === 1 ? 1 : -1;
        }
    });
  }
  return { bits: Uint8Array.from(merged, (v) => (v >= 1 ? 1 : 0)), contributors: [...contributors].sort((a, b) => a - b) };
}

/** FastSAMPrompt.box before the split. */
function naiveBoxes(masks: MaskBitmap[], prompts: BoxPrompt[], h: number, w: number): number[] {
  const round = (v: number) => {
    const r = Math.round(v);
    return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  };
  const chosen = new Set<number>();
  for (const box of prompts) {
    const [x1, y1, x2, y2] = [
      Math.max(round(box[0]), 0),
      Math.max(round(box[1]), 0),
      Math.min(round(box[2]), w),
      Math.min(round(box[3]), h),
    ];
    let best = 0;
    let bestIou = -Infinity;
    masks.forEach((m, i) => {
      let inter = 0;
      for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) inter += at(m, x, y);
      const iou = Math.fround(inter / ((y2 - y1) * (x2 - x1) + area(m) - inter));
      if (Number.isNaN(iou) ? !Number.isNaN(bestIou) : iou > bestIou) [best, bestIou] = [i, iou];
    });
    chosen.add(best);
  }
  return [...chosen].sort((a, b) => a - b);
}

describe('randomised prompts equal the per-point loops', () => {
  const [h, w] = [24, 32];
  test.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i', (seed) => {
    const rand = seededRandom(seed);
    const masks = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => randomMask(rand, h, w));
    // Few distinct points, many repeats: dedupe must not change anything.
    const distinct = Array.from({ length: 1 + Math.floor(rand() * 6) }, (): PointPrompt => [rand() * (w + 8) - 4, rand() * (h + 8) - 4]);
    const pts = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => distinct[Math.floor(rand() * distinct.length)]);
    const labels = pts.map(() => (rand() < 0.6 ? 1 : 0));
    for (const mode of ['merge', 'instances', 'additive'] as const) {
      const ours = points(masks, pts, labels, mode, identity(h, w));
      const theirs = naivePoints(masks, pts, labels, mode, h, w);
      if (mode === 'instances') expect(ours.indices).toEqual(theirs.indices);
      else {
        expect(ours.bits).toEqual(theirs.bits);
        expect(ours.contributors).toEqual(theirs.contributors);
      }
    }
    const boxList = Array.from({ length: 1 + Math.floor(rand() * 8) }, (): BoxPrompt => {
      const x1 = rand() * (w + 10) - 5;
      const y1 = rand() * (h + 10) - 5;
      return [x1, y1, x1 + 0.5 + rand() * w, y1 + 0.5 + rand() * h];
    });
    expect(boxes(masks, [...boxList, ...boxList], identity(h, w))).toEqual(naiveBoxes(masks, boxList, h, w));
  });
});

describe('prompt checks', () => {
  const bad = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(FastSAMError);
      expect((error as FastSAMError).code).toBe('E_BAD_PROMPT');
      return (error as FastSAMError).message;
    }
    throw new Error('expected E_BAD_PROMPT');
  };

  test('one prompt or a list', () => {
    expect(checkBoxes([1, 2, 3, 4])).toEqual([[1, 2, 3, 4]]);
    expect(checkPoints([[1, 2]])).toEqual([[1, 2]]);
    expect(checkLabels(undefined, 2)).toEqual([1, 1]);
    expect(checkPointMode(undefined)).toBe('merge');
    expect(checkPointMode({ mode: 'additive' })).toBe('additive');
  });

  test.each([
    ['null boxes', () => checkBoxes(null)],
    ['undefined points', () => checkPoints(undefined)],
    ['a string', () => checkBoxes('0,0,1,1')],
    ['no boxes', () => checkBoxes([])],
    ['a NaN point', () => checkPoints([[Number.NaN, 1]])],
    ['an inverted box', () => checkBoxes([5, 5, 1, 1])],
    ['labels of another length', () => checkLabels([1], 2)],
    ['a label 2', () => checkLabels([2], 1)],
    ['an unknown mode', () => checkPointMode({ mode: 'bogus' })],
  ])('%s', (_, run) => {
    bad(run);
  });

  test(`at most ${MAX_BOXES} boxes and ${MAX_POINTS} points`, () => {
    expect(checkBoxes(Array.from({ length: MAX_BOXES }, () => [0, 0, 1, 1]))).toHaveLength(MAX_BOXES);
    expect(bad(() => checkBoxes(Array.from({ length: MAX_BOXES + 1 }, () => [0, 0, 1, 1])))).toContain(`at most ${MAX_BOXES}`);
    expect(bad(() => checkPoints(Array.from({ length: MAX_POINTS + 1 }, () => [0, 0])))).toContain(`at most ${MAX_POINTS}`);
  });
});
