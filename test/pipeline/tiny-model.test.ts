/**
 * The whole pipeline on a model whose outputs we designed (scripts/fixtures/tiny-models.ts), so every box
 * and mask pixel is known by hand. Needs nothing from ../shared.
 */
import { FastSAM } from '../../lib/pipeline/fastsam';
import { MASK_COEFS, tinySegmentModel, type TinyBox } from '../../scripts/fixtures/tiny-models';

const SIZE = 64;
const PROTO = SIZE / 4;

/** Prototype 0 is +1 on proto rows [r0, r1) x cols [c0, c1) and -1 elsewhere; the others are 0. */
function rectangleProtos(r0: number, r1: number, c0: number, c1: number): Float32Array {
  const protos = new Float32Array(MASK_COEFS * PROTO * PROTO);
  for (let y = 0; y < PROTO; y++) {
    for (let x = 0; x < PROTO; x++) protos[y * PROTO + x] = y >= r0 && y < r1 && x >= c0 && x < c1 ? 1 : -1;
  }
  return protos;
}

function coef(first: number): number[] {
  return [first, ...new Array<number>(MASK_COEFS - 1).fill(0)];
}

/** Reference RLE encoder for the test: independent of the native one. */
function columnMajorRle(mask: Uint8Array, h: number, w: number): number[] {
  const counts: number[] = [];
  let value = 0;
  let run = 0;
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      if (mask[y * w + x] !== value) {
        counts.push(run);
        value = mask[y * w + x];
        run = 0;
      }
      run++;
    }
  }
  counts.push(run);
  return counts;
}

const gray = (w: number, h: number) => ({ data: new Uint8Array(w * h * 3).fill(128), width: w, height: h, channels: 3 as const });

async function loadTiny(boxes: TinyBox[], nc = 1, protos = rectangleProtos(4, 9, 4, 10)) {
  return FastSAM.load(tinySegmentModel({ size: SIZE, nc, boxes, protos }));
}

describe('pipeline on a designed model', () => {
  test('box and mask are exactly the designed ones (bilinear 0-crossing at half a cell)', async () => {
    // [20, 20, 48, 46]: x2 and y2 are within 20 px of the border, so they snap to 64.
    const model = await loadTiny([{ cx: 34, cy: 33, w: 28, h: 26, score: 0.8, coef: coef(1) }], 1, rectangleProtos(6, 11, 6, 12));
    const [result] = await model.predict(gray(SIZE, SIZE));
    expect(result.length).toBe(1);
    expect(Array.from(result.boxes.xyxy)).toEqual([20, 20, 64, 64]);
    expect(result.boxes.conf[0]).toBeCloseTo(0.8, 6);
    expect(result.masks.shape).toEqual([SIZE, SIZE]);
    // Proto cells rows 6..10, cols 6..11 are +1, the rest -1: the upsampled logit is > 0 where the source
    // coordinate (p + 0.5) / 4 - 0.5 lies strictly inside (5.5, 10.5) / (5.5, 11.5), except at the four
    // corners, where three -1 cells outweigh one +1 cell (e.g. (24, 24): 0.625² - (1 - 0.625²) < 0).
    const expected = new Uint8Array(SIZE * SIZE);
    for (let y = 24; y <= 43; y++) expected.fill(1, y * SIZE + 24, y * SIZE + 48);
    for (const [x, y] of [
      [24, 24],
      [47, 24],
      [24, 43],
      [47, 43],
    ])
      expected[y * SIZE + x] = 0;
    const mask = await result.masks.get(0);
    expect(Buffer.from(mask.toDense()).equals(Buffer.from(expected))).toBe(true);
    expect(mask.area).toBe(20 * 24 - 4);
    const [rle] = await result.masks.toRLE();
    expect(rle.size).toEqual([SIZE, SIZE]);
    expect(rle.counts).toEqual(columnMajorRle(expected, SIZE, SIZE));
    await model.dispose();
  });

  test('retina masks are cropped exactly to the box', async () => {
    const model = await loadTiny([{ cx: 28, cy: 26, w: 16, h: 12, score: 0.9, coef: coef(1) }]);
    const [result] = await model.predict(gray(SIZE, SIZE));
    const mask = await result.masks.get(0);
    expect([mask.x, mask.y, mask.width, mask.height]).toEqual([20, 20, 16, 12]);
    expect(mask.area).toBe(16 * 12);
    await model.dispose();
  });

  test('letterbox masks are cropped at prototype resolution, then upsampled (the reference leak)', async () => {
    const model = await loadTiny([{ cx: 28, cy: 26, w: 16, h: 12, score: 0.9, coef: coef(1) }]);
    const [result] = await model.predict(gray(SIZE, SIZE), { retinaMasks: false });
    expect(Array.from(result.boxes.xyxy)).toEqual([20, 20, 36, 32]);
    const mask = await result.masks.get(0);
    // Letterbox mode crops at prototype resolution (cells 5..8 x 5..8), then upsamples: the mask leaks
    // up to 2 px outside the box, as the reference does.
    expect(mask.at(20, 20)).toBe(1);
    expect(mask.at(18, 24)).toBe(1);
    expect(mask.at(15, 24)).toBe(0);
    expect(mask.at(37, 24)).toBe(1);
    expect(mask.at(41, 24)).toBe(0);
    await model.dispose();
  });

  test('a box near the whole image becomes the whole image; edges within 20 px snap to the border', async () => {
    const model = await loadTiny([
      { cx: 32, cy: 32, w: 62, h: 62, score: 0.9, coef: coef(1) }, // IoU > 0.9 with the whole input
      { cx: 34, cy: 34, w: 20, h: 36, score: 0.7, coef: coef(1) }, // [24, 16, 44, 52]: y1, y2 snap
    ]);
    const [result] = await model.predict(gray(SIZE, SIZE), { iou: 0.99 });
    expect(result.length).toBe(2);
    expect(Array.from(result.boxes.xyxy.subarray(0, 4))).toEqual([0, 0, 64, 64]);
    expect(Array.from(result.boxes.xyxy.subarray(4, 8))).toEqual([24, 0, 44, 64]);
    await model.dispose();
  });

  test('conf is strict, NMS suppresses IoU > iou, output is by descending confidence, maxDet truncates', async () => {
    const boxes: TinyBox[] = [
      { cx: 30, cy: 30, w: 10, h: 10, score: 0.5, coef: coef(1) },
      { cx: 30, cy: 31, w: 10, h: 10, score: 0.6, coef: coef(1) }, // IoU 0.818 with the first
      { cx: 45, cy: 45, w: 6, h: 6, score: 0.4, coef: coef(1) }, // exactly conf: dropped at conf 0.4
    ];
    const model = await loadTiny(boxes);
    const image = gray(SIZE, SIZE);
    const [a] = await model.predict(image, { conf: 0.4, iou: 0.8 });
    expect(Array.from(a.boxes.conf, (c) => Math.round(c * 10) / 10)).toEqual([0.6]);
    const [b] = await model.predict(image, { conf: 0.3, iou: 0.9 });
    expect(Array.from(b.boxes.conf, (c) => Math.round(c * 10) / 10)).toEqual([0.6, 0.5, 0.4]);
    const [c] = await model.predict(image, { conf: 0.3, iou: 0.9, maxDet: 2 });
    expect(c.length).toBe(2);
    await model.dispose();
  });

  test('a non-square image is letterboxed and boxes come back in original pixels; retina masks too', async () => {
    const model = await loadTiny([{ cx: 32, cy: 32, w: 20, h: 10, score: 0.9, coef: coef(1) }]);
    // 128 x 64 -> scaled by 0.5 to 64 x 32, padded 16 px top and bottom.
    const [result] = await model.predict(gray(128, 64), { retinaMasks: true });
    expect(result.origShape).toEqual([64, 128]);
    expect(Array.from(result.boxes.xyxy)).toEqual([44, 22, 84, 42]);
    expect(result.masks.shape).toEqual([64, 128]);
    const mask = await result.masks.get(0);
    expect(mask.x).toBe(44);
    expect(mask.y).toBe(22);
    expect(mask.width).toBe(40);
    expect(mask.height).toBe(20);
    await model.dispose();
  });

  test('plain YOLOv8-seg (nc > 1): class-aware NMS, classes filter, no full-image box', async () => {
    const boxes: TinyBox[] = [
      { cx: 32, cy: 32, w: 62, h: 62, score: 0.9, cls: 0, coef: coef(1) },
      { cx: 32, cy: 32, w: 62, h: 62, score: 0.8, cls: 1, coef: coef(1) }, // same box, other class: kept
      { cx: 32, cy: 33, w: 62, h: 62, score: 0.7, cls: 1, coef: coef(1) }, // same class: suppressed
    ];
    const model = await loadTiny(boxes, 2);
    expect(model.contract.isFastSAM).toBe(false);
    const [result] = await model.predict(gray(SIZE, SIZE));
    expect(Array.from(result.boxes.cls)).toEqual([0, 1]);
    expect(Array.from(result.boxes.xyxy.subarray(0, 4))).toEqual([1, 1, 63, 63]); // not snapped
    const [onlyOne] = await model.predict(gray(SIZE, SIZE), { classes: [1] });
    expect(Array.from(onlyOne.boxes.cls)).toEqual([1]);
    const [agnostic] = await model.predict(gray(SIZE, SIZE), { agnosticNms: true });
    expect(agnostic.length).toBe(1);
    await model.dispose();
  });

  test('nothing detected gives an empty result, not an error', async () => {
    const model = await loadTiny([{ cx: 32, cy: 32, w: 20, h: 10, score: 0.1, coef: coef(1) }]);
    const [result] = await model.predict(gray(SIZE, SIZE));
    expect(result.length).toBe(0);
    expect(await result.masks.toRLE()).toEqual([]);
    expect(await result.masks.dense()).toHaveLength(0);
    expect(result.toJSON().detections).toEqual([]);
    await model.dispose();
  });

  test('several sources in one call give one result each, in order', async () => {
    const model = await loadTiny([{ cx: 32, cy: 32, w: 20, h: 10, score: 0.9, coef: coef(1) }]);
    const results = await model.predict([gray(SIZE, SIZE), gray(128, 64), gray(32, 64)]);
    expect(results.map((r) => r.origShape)).toEqual([
      [64, 64],
      [64, 128],
      [64, 32],
    ]);
    await model.dispose();
  });
});
