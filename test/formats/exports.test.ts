/** Exports: COCO (compressed RLE), polygons (masks.xy), YOLO label lines, PNG masks; with round trips. */
import * as fs from 'node:fs';
import sharp from 'sharp';
import { compressRle, decompressRle } from '../../lib/formats/coco';
import { formatG } from '../../lib/formats/yolo';
import { Mask } from '../../lib/masks/mask';
import { traceContours } from '../../lib/masks/mask-ops';
import { FastSAM } from '../../lib/pipeline/fastsam';
import type { Result } from '../../lib/masks/result';
import { MASK_COEFS, tinySegmentModel } from '../../scripts/fixtures/tiny-models';
import { decodeRle, maskIou } from '../helpers/rle';
import { describeWithShared, sharedPath } from '../helpers/shared';

/** Rasterises a polygon with librsvg (through sharp), independently of our contour code. */
async function rasterise(polygon: Float32Array, w: number, h: number): Promise<Uint8Array> {
  const points = Array.from({ length: polygon.length / 2 }, (_, i) => `${polygon[2 * i] + 0.5},${polygon[2 * i + 1] + 0.5}`).join(' ');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><polygon points="${points}" fill="white" shape-rendering="crispEdges"/></svg>`;
  const { data } = await sharp(Buffer.from(svg)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return Uint8Array.from(data, (v) => (v > 127 ? 1 : 0));
}

function rect(shape: [number, number], x0: number, y0: number, x1: number, y1: number): Mask {
  const bits = new Uint8Array(shape[0] * shape[1]);
  for (let y = y0; y < y1; y++) bits.fill(1, y * shape[1] + x0, y * shape[1] + x1);
  return Mask.fromDense(bits, shape);
}

describe('RLE', () => {
  test('dense -> RLE -> dense round trip, and the empty mask', () => {
    const shape: [number, number] = [7, 5];
    const bits = Uint8Array.from({ length: 35 }, (_, i) => ((i * 7919) % 3 === 0 ? 1 : 0));
    const rle = Mask.fromDense(bits, shape).toRLE();
    expect(rle.counts.reduce((a, b) => a + b, 0)).toBe(35);
    const back = Mask.fromDense(
      Uint8Array.from({ length: 35 }, (_, i) => decodeRle(rle)[(i % 5) * 7 + Math.floor(i / 5)]),
      shape,
    );
    expect(back.toRLE()).toEqual(rle);
    expect(Mask.fromDense(new Uint8Array(35), shape).toRLE()).toEqual({ size: [7, 5], counts: [35] });
  });

  test('compressed strings round-trip, including negative differences', () => {
    const rle = { size: [100, 100] as [number, number], counts: [5, 3, 900, 1, 2, 40, 7000, 2049] };
    expect(decompressRle(compressRle(rle))).toEqual(rle);
  });
});

describeWithShared('data/coco/eval-val2014-100', 'compressed RLE against pycocotools strings', () => {
  test('every official fake segmentation survives decompress -> compress unchanged', () => {
    const detections = JSON.parse(
      fs.readFileSync(sharedPath('data/coco/eval-val2014-100/instances_val2014_fakesegm100_results.json'), 'utf8'),
    ) as Array<{ segmentation: { size: [number, number]; counts: string } }>;
    expect(detections.length).toBeGreaterThan(100);
    for (const d of detections) {
      const rle = decompressRle(d.segmentation);
      expect(rle.counts.reduce((a, b) => a + b, 0)).toBe(d.segmentation.size[0] * d.segmentation.size[1]);
      expect(compressRle(rle).counts).toBe(d.segmentation.counts);
    }
  });
});

describe('contours', () => {
  test('a rectangle has its four corners; a ring has an outer border and a hole', async () => {
    const shape: [number, number] = [20, 30];
    const [[outer]] = await traceContours([rect(shape, 3, 4, 13, 9)]);
    const corners = Array.from({ length: outer.points.length / 2 }, (_, i) => `${outer.points[2 * i]},${outer.points[2 * i + 1]}`);
    expect(corners.sort()).toEqual(['12,4', '12,8', '3,4', '3,8'].sort());

    const ring = new Uint8Array(20 * 30);
    for (let y = 2; y < 18; y++) for (let x = 2; x < 28; x++) ring[y * 30 + x] = x < 5 || x > 24 || y < 5 || y > 14 ? 1 : 0;
    const [all] = await traceContours([Mask.fromDense(ring, shape)], 'all');
    expect(all.map((c) => [c.hole, c.parent])).toEqual([
      [false, -1],
      [true, 0],
    ]);
    const [external] = await traceContours([Mask.fromDense(ring, shape)], 'external');
    expect(external).toHaveLength(1);
  });

  test('single pixels, diagonal lines and empty masks', async () => {
    const shape: [number, number] = [5, 5];
    const diagonal = new Uint8Array(25);
    for (let i = 0; i < 5; i++) diagonal[i * 5 + i] = 1;
    const [dot, line, empty] = await traceContours([
      rect(shape, 2, 2, 3, 3),
      Mask.fromDense(diagonal, shape),
      Mask.fromDense(new Uint8Array(25), shape),
    ]);
    expect(Array.from(dot[0].points)).toEqual([2, 2]);
    expect(line).toHaveLength(1);
    expect(empty).toHaveLength(0);
  });
});

describe('exports of a designed result', () => {
  let model: FastSAM;
  let result: Result;
  beforeAll(async () => {
    const protos = new Float32Array(MASK_COEFS * 256).fill(-1);
    for (let y = 4; y < 9; y++) for (let x = 4; x < 10; x++) protos[y * 16 + x] = 1;
    model = await FastSAM.load(
      tinySegmentModel({ size: 64, boxes: [{ cx: 32, cy: 32, w: 20, h: 16, score: 0.75, coef: [1, ...new Array(31).fill(0)] }], protos }),
    );
    // 128 x 64 letterboxed at gain 0.5, 16 px padding top and bottom: exercises the mapping back.
    [result] = await model.predict({ data: new Uint8Array(128 * 64 * 3), width: 128, height: 64, channels: 3 }, { retinaMasks: false });
  });
  afterAll(() => model.dispose());

  test('toCOCO: xywh box, rounded score, compressed RLE that decodes to the mask', async () => {
    const [det] = await result.toCOCO(42);
    expect(det).toMatchObject({ image_id: 42, category_id: 0, score: 0.75, bbox: [44, 16, 40, 32] });
    const rle = decompressRle(det.segmentation as { size: [number, number]; counts: string });
    expect(rle).toEqual((await result.masks.toRLE())[0]);
    const [plain] = await result.toCOCO(42, { compressed: false });
    expect(Array.isArray((plain.segmentation as { counts: number[] }).counts)).toBe(true);
  });

  test('polygons map through the letterbox and rasterise close to the mask', async () => {
    const [polygon] = await result.masks.toPolygons();
    const [mask] = await result.masks.all();
    // Box [22, 24, 42, 40] keeps prototype columns >= 6 and rows >= 6 (zeroing the rest) before the
    // upsample, so the mask leaks to input x 22 and y 22 (0 * 0.875 + 1 * 0.125 > 0) and ends where the
    // +1 block meets -1 cells: input x 22..39, y 22..35 = image x 44..78, y 12..38 (gain 0.5, pad 16).
    const xs = Array.from(polygon.filter((_, i) => i % 2 === 0));
    const ys = Array.from(polygon.filter((_, i) => i % 2 === 1));
    expect([Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]).toEqual([44, 78, 12, 38]);
    expect(mask.shape).toEqual([64, 64]);
    const [normalized] = await result.masks.toPolygons({ normalize: true });
    expect(Math.max(...Array.from(normalized))).toBeLessThanOrEqual(1);
  });

  test('toYOLO: class then normalised polygon, %g formatted', async () => {
    const [line] = await result.toYOLO();
    const values = line.split(' ').map(Number);
    expect(values[0]).toBe(0);
    expect(values.length % 2).toBe(1);
    expect(values.slice(1).every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(formatG(0.123456789)).toBe('0.123457');
    expect(formatG(1 / 3)).toBe('0.333333');
    expect(formatG(0.5)).toBe('0.5');
    expect(formatG(0.00001234)).toBe('1.234e-05');
  });

  test('PNG masks: one per mask and an index map, read back with sharp', async () => {
    const [png] = await result.masks.toPNG();
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([64, 64, 1]);
    const data = await sharp(png).extractChannel(0).raw().toBuffer();
    const [mask] = await result.masks.all();
    expect(Array.from(data).filter((v) => v === 255).length).toBe(mask.area);
    const index = await sharp(await result.masks.toPNG({ indexMap: true }))
      .extractChannel(0)
      .raw()
      .toBuffer();
    expect(Array.from(index).filter((v) => v === 1).length).toBe(mask.area);
  });
});

describeWithShared('data/onnx/yolov8n-seg_int8_320.onnx', 'polygons of real masks', () => {
  test('each bus.jpg mask and its polygon rasterised agree (IoU > 0.9)', async () => {
    const model = await FastSAM.load(sharedPath('data/onnx/yolov8n-seg_int8_320.onnx'));
    const [result] = await model.predict(sharedPath('data/images/bus.jpg'), { retinaMasks: true });
    const polygons = await result.masks.toPolygons();
    const masks = await result.masks.all();
    const [h, w] = result.masks.shape;
    for (let i = 0; i < masks.length; i++) {
      const raster = await rasterise(polygons[i], w, h);
      expect(maskIou(raster, masks[i].toDense())).toBeGreaterThan(0.9);
    }
    await model.dispose();
  });
});
