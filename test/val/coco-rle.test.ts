/** COCO RLE (maskApi.c semantics): the compact string, polygons, merge, area, box and IoU. */
import {
  bboxIou,
  rleArea,
  rleDecode,
  rleEncode,
  rleFromPolygon,
  rleFromString,
  rleIou,
  rleMerge,
  rleToBbox,
  rleToString,
} from '../../lib/val/coco/rle';

/** A column-major h x w mask with the given [x, y] pixels set. */
function mask(h: number, w: number, pixels: Array<[number, number]>): Uint8Array {
  const m = new Uint8Array(h * w);
  for (const [x, y] of pixels) m[x * h + y] = 1;
  return m;
}

function rect(h: number, w: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const px: Array<[number, number]> = [];
  for (let x = x0; x < x1; x++) for (let y = y0; y < y1; y++) px.push([x, y]);
  return mask(h, w, px);
}

describe('COCO RLE', () => {
  it('encodes runs column-major, starting with zeros', () => {
    const rle = rleEncode(
      mask(3, 2, [
        [0, 1],
        [0, 2],
        [1, 0],
      ]),
      3,
      2,
    );
    expect(Array.from(rle.counts)).toEqual([1, 3, 2]);
    expect(Array.from(rleDecode(rle))).toEqual([0, 1, 1, 1, 0, 0]);
    expect(Array.from(rleEncode(new Uint8Array([1, 1]), 2, 1).counts)).toEqual([0, 2]);
  });

  it('round-trips the compact string form, including the delta coding from the 4th count', () => {
    const counts = Uint32Array.from([0, 5, 100000, 3, 99990, 1, 7, 250000]);
    const s = rleToString({ h: 1000, w: 500, counts });
    expect(Array.from(rleFromString(s, 1000, 500).counts)).toEqual(Array.from(counts));
    // A known string: "52203" is [5, 2, 2, 0, 3] with the 4th and 5th as deltas from two before.
    expect(Array.from(rleFromString('52203', 4, 3).counts)).toEqual([5, 2, 2, 2, 5]);
  });

  it('rasterises an integer rectangle to exactly the pixels [x0, x1) x [y0, y1)', () => {
    const rle = rleFromPolygon([1, 1, 4, 1, 4, 3, 1, 3], 5, 6);
    expect(Array.from(rleDecode(rle))).toEqual(Array.from(rect(5, 6, 1, 1, 4, 3)));
    expect(rleArea(rle)).toBe(6);
  });

  it('covers the pixels whose centres fall inside a fractional rectangle', () => {
    const rle = rleFromPolygon([0.6, 0.6, 3.4, 0.6, 3.4, 2.4, 0.6, 2.4], 5, 6);
    expect(Array.from(rleDecode(rle))).toEqual(Array.from(rect(5, 6, 1, 1, 3, 2)));
  });

  it('merges (union and intersection) like a pixelwise OR / AND', () => {
    const a = rect(6, 6, 0, 0, 3, 3);
    const b = rect(6, 6, 2, 2, 5, 6);
    const union = rleMerge([rleEncode(a, 6, 6), rleEncode(b, 6, 6)]);
    const inter = rleMerge([rleEncode(a, 6, 6), rleEncode(b, 6, 6)], true);
    expect(Array.from(rleDecode(union))).toEqual(Array.from(a, (v, i) => v | b[i]));
    expect(Array.from(rleDecode(inter))).toEqual(Array.from(a, (v, i) => v & b[i]));
  });

  it('gives the box of the set pixels', () => {
    expect(rleToBbox(rleEncode(rect(8, 9, 2, 3, 5, 7), 8, 9))).toEqual([2, 3, 3, 4]);
    expect(rleToBbox(rleEncode(new Uint8Array(12), 3, 4))).toEqual([0, 0, 0, 0]);
  });

  it('mask IoU equals the pixel count ratio; a crowd region divides by the detection area only', () => {
    const gt = rleEncode(rect(10, 10, 0, 0, 6, 10), 10, 10); // 60 px
    const dt = rleEncode(rect(10, 10, 3, 0, 10, 10), 10, 10); // 70 px, 30 shared
    expect(rleIou([dt], [gt], [0])[0]).toBeCloseTo(30 / 100, 12);
    expect(rleIou([dt], [gt], [1])[0]).toBeCloseTo(30 / 70, 12);
    expect(rleIou([dt], [{ ...gt, h: 5, w: 20 }], [0])[0]).toBe(-1); // different sizes: -1, as maskApi.c
  });

  it('box IoU uses [x, y, w, h] and the same crowd rule', () => {
    const iou = bboxIou(
      [[0, 0, 10, 10]],
      [
        [5, 0, 10, 10],
        [0, 0, 20, 20],
      ],
      [0, 1],
    );
    expect(iou[0]).toBeCloseTo(50 / 150, 12);
    expect(iou[1]).toBeCloseTo(1, 12);
  });
});

describe('hostile polygons', () => {
  it('a polygon far outside the image is clipped first: a square of 2e8 around the image covers it exactly', () => {
    const rle = rleFromPolygon([-2e8, -2e8, 2e8, -2e8, 2e8, 2e8, -2e8, 2e8], 30, 40);
    expect(Array.from(rle.counts)).toEqual([0, 1200]);
    // Within 16 image sizes nothing is clipped: the same square at 15 image sizes is the same mask.
    expect(Array.from(rleFromPolygon([-450, -450, 600, -450, 600, 450, -450, 450], 30, 40).counts)).toEqual([0, 1200]);
  });

  it('a triangle reaching 2e8 has the same pixels near its corner as one reaching just past the margin', () => {
    const near = rleFromPolygon([5, 5, 2e8, 5, 5, 2e8], 30, 40);
    expect(rleArea(near)).toBeGreaterThan(0);
    expect(rleToBbox(near)).toEqual([5, 5, 35, 25]);
  });

  it('non-finite coordinates and overlong walks are E_BAD_OPTION', () => {
    expect(() => rleFromPolygon([0, 0, NaN, 1, 2, 2], 10, 10)).toThrow(expect.objectContaining({ code: 'E_BAD_OPTION' }));
    const zigzag: number[] = [];
    for (let i = 0; i < 100_000; i++) zigzag.push(i % 2 ? -1e9 : 1e9, i % 480);
    expect(() => rleFromPolygon(zigzag, 480, 640)).toThrow(/boundary points/);
  });
});
