/**
 * The native work on cropped masks against plain JS references on random masks: measures and paint
 * plans against the page's JS (lib/prompts/bitmaps.ts), the smallest-on-top index map, RLE and bounds
 * against the Mask methods and the loops they replace, and bad arguments rejected, never crashing.
 */
import { Mask } from '../../lib/masks/mask';
import { masksToRle, measureMasks, packMasks, paintMasks, smallestOnTop } from '../../lib/masks/mask-ops';
import { native } from '../../lib/native';
import { measureBitmaps, paintBitmaps } from '../../lib/prompts/bitmaps';
import type { PaintOp } from '../../lib/prompts/rules';
import { seededRandom } from '../../lib/plot/random';

const SHAPE: [number, number] = [37, 53];

function randomMasks(rand: () => number, count: number): Mask[] {
  const [h, w] = SHAPE;
  return Array.from({ length: count }, () => {
    if (rand() < 0.1) return new Mask(0, 0, 0, 0, new Uint8Array(0), SHAPE);
    const x = Math.floor(rand() * (w - 1));
    const y = Math.floor(rand() * (h - 1));
    const width = 1 + Math.floor(rand() * (w - x));
    const height = 1 + Math.floor(rand() * (h - y));
    const fill = rand();
    return new Mask(
      x,
      y,
      width,
      height,
      Uint8Array.from({ length: width * height }, () => (rand() < fill ? 1 : 0)),
      SHAPE,
    );
  });
}

const SEEDS = [1, 2, 3, 4, 5, 6];

describe.each(SEEDS)('seed %i', (seed) => {
  const rand = seededRandom(seed);
  const masks = randomMasks(rand, 2 + Math.floor(rand() * 20));

  test('areas, bounds, pixels inside rects and pixels held equal the JS measures', async () => {
    const rects = Int32Array.from({ length: 4 * 9 }, () => Math.floor(rand() * 70) - 8);
    const pixels = Int32Array.from({ length: 2 * 15 }, () => Math.floor(rand() * 60) - 4);
    const measured = await measureMasks(masks, { rects, pixels });
    const js = measureBitmaps(masks, { rects, pixels });
    masks.forEach((m, i) => {
      expect(measured.areas[i]).toBe(js.area(i));
      expect(measured.areas[i]).toBe(m.area);
      expect(Array.from(measured.bounds.subarray(i * 4, i * 4 + 4))).toEqual(m.bounds() ?? [0, 0, 0, 0]);
      for (let r = 0; r < rects.length / 4; r++) expect(measured.inside![r * masks.length + i]).toBe(js.inside(i, r));
      const held = Array.from(measured.hitPixels!.subarray(measured.hitOffsets![i], measured.hitOffsets![i + 1]));
      expect(held).toEqual(Array.from(js.hits(i)));
    });
  });

  test('paint plans equal the JS painter', async () => {
    const ops: PaintOp[] = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => {
      const mask = Math.floor(rand() * masks.length);
      const r = rand();
      return r < 0.3 ? { mask, op: 'set' } : r < 0.5 ? { mask, op: 'clear' } : { mask, op: 'add', amount: Math.floor(rand() * 7) - 3 };
    });
    const encoded = Int32Array.from(ops.flatMap((op) => [op.mask, { set: 0, clear: 1, add: 2 }[op.op], op.op === 'add' ? op.amount : 0]));
    const painted = await paintMasks(masks, encoded, SHAPE);
    const expected = paintBitmaps(ops, masks, SHAPE);
    expect(painted.toDense()).toEqual(expected);
    // Tight around the set pixels, as Mask.fromDense crops.
    const tight = Mask.fromDense(expected, SHAPE);
    expect([painted.x, painted.y, painted.width, painted.height]).toEqual([tight.x, tight.y, tight.width, tight.height]);
  });

  test('smallest on top: largest painted first, ties in index order', async () => {
    const [h, w] = SHAPE;
    const expected = new Int32Array(h * w).fill(-1);
    const order = masks.map((m, i) => ({ i, area: m.area })).sort((a, b) => b.area - a.area || a.i - b.i);
    for (const { i } of order) {
      const m = masks[i];
      for (let y = 0; y < m.height; y++)
        for (let x = 0; x < m.width; x++) if (m.data[y * m.width + x]) expected[(m.y + y) * w + m.x + x] = i;
    }
    expect(await smallestOnTop(masks, SHAPE)).toEqual(expected);
  });

  test('RLE equals Mask.toRLE', async () => {
    expect(await masksToRle(masks, SHAPE)).toEqual(masks.map((m) => m.toRLE()));
  });
});

describe('bad arguments reject, the process lives', () => {
  const mask = new Mask(1, 1, 2, 2, Uint8Array.of(1, 0, 1, 1), [4, 4]);

  test.each([
    ['a window past the mask', () => paintMasks([new Mask(3, 3, 2, 2, new Uint8Array(4), [4, 4])], Int32Array.of(0, 0, 0), [4, 4])],
    ['an op naming no mask', () => paintMasks([mask], Int32Array.of(5, 0, 0), [4, 4])],
    ['an unknown op kind', () => paintMasks([mask], Int32Array.of(0, 7, 0), [4, 4])],
    ['ops not in triples', () => paintMasks([mask], Int32Array.of(0, 0), [4, 4])],
    ['rects not in fours', () => measureMasks([mask], { rects: Int32Array.of(1, 2, 3) })],
    [
      'offsets past the bits',
      () => {
        const { bits, windows } = packMasks([mask]);
        return native().measureMasks(bits, windows, Float64Array.of(0, 99), {});
      },
    ],
    [
      'a Float32Array for windows',
      () => native().smallestOnTop(new Uint8Array(4), new Float32Array(4) as never, Float64Array.of(0, 4), { maskHeight: 4, maskWidth: 4 }),
    ],
  ])('%s', async (_, run) => {
    await expect(Promise.resolve().then<unknown>(run)).rejects.toThrow();
  });

  test('extreme rects and points are measured, not trusted', async () => {
    const big = 2 ** 31 - 1;
    const measured = await measureMasks([mask], {
      rects: Int32Array.of(-big - 1, -big - 1, big, big),
      pixels: Int32Array.of(big, -big - 1, 1, 1),
    });
    expect(Array.from(measured.inside!)).toEqual([3]);
    expect(Array.from(measured.hitPixels!)).toEqual([1]);
  });
});
