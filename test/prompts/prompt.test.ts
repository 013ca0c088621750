/** Prompt semantics on a designed model: two nested rectangles A (big) and B (small, inside A). */
import { FastSAMError } from '../../lib/errors';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { FastSAMPrompt } from '../../lib/prompts/prompt';
import { type BoxPrompt, MAX_BOXES, MAX_POINTS, type PointPrompt } from '../../lib/prompts/rules';
import type { Result } from '../../lib/masks/result';
import { MASK_COEFS, tinySegmentModel } from '../../scripts/fixtures/tiny-models';

const SIZE = 64;
const P = SIZE / 4;

function protos(): Float32Array {
  const out = new Float32Array(MASK_COEFS * P * P);
  for (let y = 0; y < P; y++) {
    for (let x = 0; x < P; x++) {
      out[y * P + x] = y >= 2 && y < 12 && x >= 2 && x < 12 ? 1 : -1; // prototype 0: A
      out[P * P + y * P + x] = y >= 5 && y < 8 && x >= 5 && x < 8 ? 1 : -1; // prototype 1: B
    }
  }
  return out;
}

const onehot = (k: number) => Array.from({ length: MASK_COEFS }, (_, i) => (i === k ? 1 : 0));
// The image is 128 x 64, letterboxed to 64 x 64 at gain 0.5 with 16 px of padding on top and bottom.
const image = { data: new Uint8Array(128 * 64 * 3).fill(90), width: 128, height: 64, channels: 3 as const };

let model: FastSAM;
let retina: Result;
let letterboxed: Result;

beforeAll(async () => {
  model = await FastSAM.load(
    tinySegmentModel({
      size: SIZE,
      boxes: [
        { cx: 28, cy: 28, w: 40, h: 40, score: 0.9, coef: onehot(0) }, // A: [8, 8, 48, 48] in the input
        { cx: 26, cy: 26, w: 12, h: 12, score: 0.8, coef: onehot(1) }, // B: [20, 20, 32, 32]
      ],
      protos: protos(),
    }),
  );
  [retina] = await model.predict(image);
  [letterboxed] = await model.predict(image, { retinaMasks: false });
});
afterAll(() => model.dispose());

// Image coordinates: A covers roughly x 20..95, y 0..63 (clipped); B roughly x 44..63, y 12..31.
const IN_B: [number, number] = [52, 20];
const IN_A_ONLY: [number, number] = [80, 40];
const OUTSIDE: [number, number] = [120, 60];

describe.each([
  ['retina', () => retina],
  ['letterboxed', () => letterboxed],
])('%s masks', (_, result) => {
  const prompt = () => new FastSAMPrompt(image, result());

  test('everything is the whole result', () => {
    expect(prompt().everything()).toBe(result());
  });

  test('a box picks the best-overlapping mask, one per box, deduplicated in ascending order', async () => {
    const small = await prompt().box([44, 12, 64, 32]);
    expect(Array.from(small.boxes.conf, (c) => c.toFixed(1))).toEqual(['0.8']);
    const both = await prompt().box([
      [44, 12, 64, 32],
      [16, 0, 96, 64],
      [45, 13, 63, 31],
    ]);
    expect(Array.from(both.boxes.conf, (c) => c.toFixed(1))).toEqual(['0.9', '0.8']);
  });

  test('merge (reference): a foreground point takes the largest mask containing it', async () => {
    const merged = await prompt().point([IN_B], [1]);
    const [a] = await result().masks.all([0]);
    const [m] = await merged.masks.all();
    expect(m.area).toBe(a.area);
    expect(merged.boxes.conf[0]).toBeCloseTo(0.9, 6);
  });

  test('merge: a background point clears the smaller mask processed after the larger', async () => {
    const merged = await prompt().point([IN_B, IN_A_ONLY], [0, 1]);
    const [a, b] = await result().masks.all();
    const [m] = await merged.masks.all();
    expect(m.area).toBe(a.area - b.area);
    const [bx, by] = [b.x + Math.floor(b.width / 2), b.y + Math.floor(b.height / 2)];
    expect(m.at(bx, by)).toBe(0);
  });

  test('merge: a point hitting nothing gives one empty mask, as the reference does', async () => {
    const merged = await prompt().point([OUTSIDE], [1]);
    expect(merged.length).toBe(1);
    expect((await merged.masks.get(0)).area).toBe(0);
    expect(Array.from(merged.boxes.xyxy)).toEqual([0, 0, 0, 0]);
  });

  test('instances (current Ultralytics): the detections hit, later points overriding', async () => {
    const p = prompt();
    expect((await p.point([IN_B], [1], { mode: 'instances' })).length).toBe(2);
    expect((await p.point([IN_A_ONLY], [1], { mode: 'instances' })).length).toBe(1);
    const overridden = await p.point([IN_B, IN_B], [1, 0], { mode: 'instances' });
    expect(overridden.length).toBe(0);
    const allBackground = await p.point([IN_A_ONLY], [0], { mode: 'instances' });
    expect(Array.from(allBackground.boxes.conf, (c) => c.toFixed(1))).toEqual(['0.8']); // B was not hit
  });

  test('additive (legacy Ultralytics): sum of hits, >= 1', async () => {
    const [a, b] = await result().masks.all();
    const sum = await prompt().point([IN_B], [1], { mode: 'additive' });
    expect((await sum.masks.get(0)).area).toBe(a.area);
    const minus = await prompt().point([IN_A_ONLY, IN_B], [1, 0], { mode: 'additive' });
    // A counts +1 then -1 (B's point is inside A too); B counts -1: nothing is left.
    expect((await minus.masks.get(0)).area).toBe(0);
    expect(b.area).toBeGreaterThan(0);
  });

  test('prompts outside the image are clamped', async () => {
    const far = await prompt().point([[-500, 9999]], [1]);
    expect(far.length).toBe(1);
    const box = await prompt().box([-1000, -1000, 5000, 5000]);
    expect(box.length).toBe(1);
  });
});

describe('bad prompts reject with E_BAD_PROMPT', () => {
  const prompt = () => new FastSAMPrompt(image, retina);
  test.each([
    ['zero-width box', () => prompt().box([10, 10, 10, 20])],
    ['inverted box', () => prompt().box([30, 10, 10, 20])],
    ['NaN box', () => prompt().box([Number.NaN, 0, 10, 10])],
    ['short box', () => prompt().box([1, 2, 3] as unknown as [number, number, number, number])],
    ['no boxes', () => prompt().box([] as unknown as [number, number, number, number])],
    [
      'labels that do not match the points',
      () =>
        prompt().point(
          [
            [1, 2],
            [3, 4],
          ],
          [1],
        ),
    ],
    ['a label other than 0 or 1', () => prompt().point([[1, 2]], [2])],
    ['NaN point', () => prompt().point([[Number.NaN, 2]])],
    ['unknown mode', () => prompt().point([[1, 2]], [1], { mode: 'bogus' as 'merge' })],
    ['null box', () => prompt().box(null as unknown as [number, number, number, number])],
    ['undefined point', () => prompt().point(undefined as unknown as [number, number])],
    ['more boxes than the cap', () => prompt().box(Array.from({ length: MAX_BOXES + 1 }, (): BoxPrompt => [0, 0, 1, 1]))],
    ['more points than the cap', () => prompt().point(Array.from({ length: MAX_POINTS + 1 }, (): PointPrompt => [0, 0]))],
  ])('%s', async (_, run) => {
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FastSAMError);
    expect((error as FastSAMError).code).toBe('E_BAD_PROMPT');
  });

  test('a FastSAMPrompt needs a Result', () => {
    expect(() => new FastSAMPrompt(image, {} as Result)).toThrow(FastSAMError);
  });
});
