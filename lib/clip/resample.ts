/**
 * Pillow's bicubic resize of 8-bit RGB, bit for bit (Image.resize(size, BICUBIC), which CLIP's preprocess
 * calls): a separable convolution with the a = -0.5 cubic kernel widened by the downscale factor (so it
 * antialiases), coefficients in 22-bit fixed point, a horizontal pass into an 8-bit image, then a
 * vertical pass. The reference scores CLIP on Pillow's pixels, and sharp's (libvips) 'cubic' kernel differs
 * from them (bus.jpg to 224 x 298: 17 % of the values, by up to 9 levels), so this is Pillow's algorithm
 * re-derived (Resample.c), not a call into sharp.
 *
 * The source is an image seen through a window: pixels outside `window` read as white (255). That is the
 * reference's crop (the mask's box pasted on a white canvas of the whole image) without building the
 * canvas, and only the output pixels whose kernels reach into the window are computed; the others are
 * the resized white canvas, computed once per geometry. For many windows on one image, the image's own
 * resize is kept too, and a window costs only the band where kernels cross its edges.
 */

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const SUPPORT = 2; // the bicubic kernel's support

/** Pillow's bicubic kernel (a = -0.5). */
function bicubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

/** One axis: for each output position, the first source index, the tap count, and fixed-point weights. */
export interface AxisCoefficients {
  inSize: number;
  outSize: number;
  /** Taps per output position (row stride of `weights`). */
  ksize: number;
  first: Int32Array;
  count: Int32Array;
  weights: Int32Array;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for in -> out along one axis. */
export function axisCoefficients(inSize: number, outSize: number): AxisCoefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = SUPPORT * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const taps = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let sum = 0;
    for (let x = 0; x < n; x++) {
      taps[x] = bicubic((x + xmin - center + 0.5) / filterScale);
      sum += taps[x];
    }
    for (let x = 0; x < n; x++) {
      const w = sum !== 0 ? taps[x] / sum : taps[x];
      weights[xx * ksize + x] = Math.trunc(w < 0 ? w * (1 << PRECISION_BITS) - 0.5 : w * (1 << PRECISION_BITS) + 0.5);
    }
    first[xx] = xmin;
    count[xx] = n;
  }
  return { inSize, outSize, ksize, first, count, weights };
}

// Hot loops use these, not Math.*: a global lookup per pixel is slow in sandboxed realms (jest's vm contexts).
function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Pillow's clip8: the fixed-point sum to a byte. */
function clip8(sum: number): number {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Output positions [lo, hi) of `axis` whose taps touch source [start, end), within [from, to). */
function touching(axis: AxisCoefficients, start: number, end: number, from: number, to: number): [number, number] {
  let lo = from;
  while (lo < to && axis.first[lo] + axis.count[lo] <= start) lo++;
  let hi = to;
  while (hi > lo && axis.first[hi - 1] >= end) hi--;
  return [lo, hi];
}

/** An RGB image whose pixels outside `window` [x0, y0, x1, y1) read as white. */
export interface WindowedImage {
  rgb: Uint8Array;
  width: number;
  height: number;
  window: [number, number, number, number];
}

type Range = [number, number];

/** The image-wide passes of one image, for many windows on it (the reference crops of one photo). */
interface ImageCache {
  rgb: Uint8Array;
  /** First source row of `rows`. */
  srcY0: number;
  /** The horizontal pass of every source row the region reads, region columns only. */
  rows: Uint8Array;
  /** The whole resized region. */
  full: Uint8Array;
  /** The horizontal pass of an all-white row, region columns only. */
  whiteRow: Uint8Array;
}

/** A resize of one source size to one output size, of which only the region [x0, x1) x [y0, y1) is wanted. */
export class ResizePlan {
  readonly horizontal: AxisCoefficients;
  readonly vertical: AxisCoefficients;
  /** Pillow skips a pass whose size does not change. */
  private readonly needHorizontal: boolean;
  private readonly needVertical: boolean;
  private white?: Uint8Array;
  private cache?: ImageCache;

  constructor(
    readonly inWidth: number,
    readonly inHeight: number,
    readonly outWidth: number,
    readonly outHeight: number,
    /** The wanted output region (e.g. the centre crop). */
    readonly region: { x: number; y: number; width: number; height: number },
  ) {
    this.horizontal = axisCoefficients(inWidth, outWidth);
    this.vertical = axisCoefficients(inHeight, outHeight);
    this.needHorizontal = inWidth !== outWidth;
    this.needVertical = inHeight !== outHeight;
  }

  /** The region of the resized all-white image (255 unless the weights round otherwise). */
  whiteRegion(): Uint8Array {
    if (!this.white) {
      this.white = new Uint8Array(this.region.width * this.region.height * 3);
      this.resizeAll(blankImage(this.inWidth, this.inHeight), this.white);
    }
    return this.white;
  }

  /**
   * The wanted region of the resized image, as region.width x region.height x 3 bytes. With `reuse`, the
   * image's own resize is computed once and kept (for the last image seen), and each window then costs
   * only the band along its edges: for many windows on one image.
   */
  resize(image: WindowedImage, out: Uint8Array = new Uint8Array(this.region.width * this.region.height * 3), reuse = false): Uint8Array {
    if (image.width !== this.inWidth || image.height !== this.inHeight) {
      throw new RangeError(`plan is for ${this.inWidth}x${this.inHeight}, image is ${image.width}x${image.height}`);
    }
    const [wx0, wy0, wx1, wy1] = image.window;
    if (wx0 <= 0 && wy0 <= 0 && wx1 >= this.inWidth && wy1 >= this.inHeight) {
      this.resizeAll(image, out); // a plain image: no white to reuse
      return out;
    }
    out.set(this.whiteRegion());
    if (wx1 <= wx0 || wy1 <= wy0) return out;
    const { x, y, width, height } = this.region;
    const cols = this.needHorizontal ? touching(this.horizontal, wx0, wx1, x, x + width) : clampRange(wx0, wx1, x, x + width);
    const rows = this.needVertical ? touching(this.vertical, wy0, wy1, y, y + height) : clampRange(wy0, wy1, y, y + height);
    if (cols[0] >= cols[1] || rows[0] >= rows[1]) return out;
    if (reuse && this.needHorizontal && this.needVertical) this.resizeBand(image, cols, rows, out);
    else this.resizeRect(image, cols, rows, out);
    return out;
  }

  private resizeAll(image: WindowedImage, out: Uint8Array): void {
    const { x, y, width, height } = this.region;
    this.resizeRect(image, [x, x + width], [y, y + height], out);
  }

  /** Source rows the vertical pass reads for output rows [r0, r1). */
  private sourceRows([r0, r1]: Range): Range {
    if (!this.needVertical) return [r0, r1];
    return [this.vertical.first[r0], this.vertical.first[r1 - 1] + this.vertical.count[r1 - 1]];
  }

  /** Computes output columns cols x rows exactly as Pillow's two passes would, into region coordinates. */
  private resizeRect(image: WindowedImage, cols: Range, rows: Range, out: Uint8Array): void {
    const [c0, c1] = cols;
    const nCols = c1 - c0;
    const [srcY0, srcY1] = this.sourceRows(rows);
    const temp = new Uint8Array((srcY1 - srcY0) * nCols * 3);
    for (let sy = srcY0; sy < srcY1; sy++) {
      this.horizontalRow(image, sy, c0, c1, temp.subarray((sy - srcY0) * nCols * 3, (sy - srcY0 + 1) * nCols * 3));
    }
    for (let yy = rows[0]; yy < rows[1]; yy++) this.verticalRow(temp, srcY0, c0, nCols, yy, cols, out);
  }

  /**
   * resizeRect for a window on a cached image: output pixels whose taps lie wholly inside the window are
   * the image's own resized pixels, so only the band whose taps cross the window's edges is computed.
   */
  private resizeBand(image: WindowedImage, cols: Range, rows: Range, out: Uint8Array): void {
    const cache = this.imageCache(image);
    const [wx0, wy0, wx1, wy1] = image.window;
    const [c0, c1] = cols;
    const [i0, i1] = inside(this.horizontal, wx0, wx1, cols);
    const [j0, j1] = inside(this.vertical, wy0, wy1, rows);
    const { x: rx, y: ry, width: rw } = this.region;
    const nCols = c1 - c0;
    const [srcY0, srcY1] = this.sourceRows(rows);
    const temp = new Uint8Array((srcY1 - srcY0) * nCols * 3);
    for (let sy = srcY0; sy < srcY1; sy++) {
      const row = temp.subarray((sy - srcY0) * nCols * 3, (sy - srcY0 + 1) * nCols * 3);
      if (sy < wy0 || sy >= wy1) {
        row.set(cache.whiteRow.subarray((c0 - rx) * 3, (c1 - rx) * 3));
        continue;
      }
      const cached = (sy - cache.srcY0) * rw * 3;
      row.set(cache.rows.subarray(cached + (i0 - rx) * 3, cached + (i1 - rx) * 3), (i0 - c0) * 3);
      this.horizontalRow(image, sy, c0, i0, row);
      this.horizontalRow(image, sy, i1, c1, row.subarray((i1 - c0) * 3));
    }
    for (let yy = rows[0]; yy < rows[1]; yy++) {
      if (yy < j0 || yy >= j1) {
        this.verticalRow(temp, srcY0, c0, nCols, yy, cols, out);
        continue;
      }
      const at = ((yy - ry) * rw + (i0 - rx)) * 3;
      out.set(cache.full.subarray(at, at + (i1 - i0) * 3), at);
      this.verticalRow(temp, srcY0, c0, nCols, yy, [c0, i0], out);
      this.verticalRow(temp, srcY0, c0, nCols, yy, [i1, c1], out);
    }
  }

  private imageCache(image: WindowedImage): ImageCache {
    if (this.cache?.rgb === image.rgb) return this.cache;
    const { x, y, width, height } = this.region;
    const plain: WindowedImage = { ...image, window: [0, 0, this.inWidth, this.inHeight] };
    const [srcY0, srcY1] = this.sourceRows([y, y + height]);
    const rows = new Uint8Array((srcY1 - srcY0) * width * 3);
    for (let sy = srcY0; sy < srcY1; sy++) this.horizontalRow(plain, sy, x, x + width, rows.subarray((sy - srcY0) * width * 3));
    const full = new Uint8Array(width * height * 3);
    for (let yy = y; yy < y + height; yy++) this.verticalRow(rows, srcY0, x, width, yy, [x, x + width], full);
    const whiteRow = new Uint8Array(width * 3);
    this.horizontalRow(blankImage(this.inWidth, this.inHeight), 0, x, x + width, whiteRow);
    this.cache = { rgb: image.rgb, srcY0, rows, full, whiteRow };
    return this.cache;
  }

  /**
   * Output row yy, columns [a, b), from `temp`: horizontal-pass rows starting at source row srcY0, holding
   * nCols columns from column tempC0. Without a vertical pass the temp row is the output row.
   */
  private verticalRow(temp: Uint8Array, srcY0: number, tempC0: number, nCols: number, yy: number, [a, b]: Range, out: Uint8Array): void {
    if (b <= a) return;
    const rowBytes = nCols * 3;
    const dst = ((yy - this.region.y) * this.region.width + (a - this.region.x)) * 3;
    if (!this.needVertical) {
      const src = (yy - srcY0) * rowBytes + (a - tempC0) * 3;
      out.set(temp.subarray(src, src + (b - a) * 3), dst);
      return;
    }
    const { first, count, weights, ksize } = this.vertical;
    const base = (first[yy] - srcY0) * rowBytes + (a - tempC0) * 3;
    const n = count[yy];
    const k = yy * ksize;
    for (let i = 0; i < (b - a) * 3; i += 3) {
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      for (let t = 0, p = base + i; t < n; t++, p += rowBytes) {
        const w = weights[k + t];
        s0 += temp[p] * w;
        s1 += temp[p + 1] * w;
        s2 += temp[p + 2] * w;
      }
      out[dst + i] = clip8(s0);
      out[dst + i + 1] = clip8(s1);
      out[dst + i + 2] = clip8(s2);
    }
  }

  /** One source row through the horizontal pass (or copied, when Pillow skips it), for columns [c0, c1). */
  private horizontalRow(image: WindowedImage, sy: number, c0: number, c1: number, row: Uint8Array): void {
    const [wx0, wy0, wx1, wy1] = image.window;
    const inWindowRow = sy >= wy0 && sy < wy1;
    const base = sy * image.width * 3;
    if (!this.needHorizontal) {
      for (let xx = c0; xx < c1; xx++) {
        const o = (xx - c0) * 3;
        const inWindow = inWindowRow && xx >= wx0 && xx < wx1;
        row[o] = inWindow ? image.rgb[base + xx * 3] : 255;
        row[o + 1] = inWindow ? image.rgb[base + xx * 3 + 1] : 255;
        row[o + 2] = inWindow ? image.rgb[base + xx * 3 + 2] : 255;
      }
      return;
    }
    const { first, count, weights, ksize } = this.horizontal;
    const rgb = image.rgb;
    for (let xx = c0; xx < c1; xx++) {
      const x0 = first[xx];
      const n = count[xx];
      const k = xx * ksize;
      // Taps split into white before the window, image inside it, white after it.
      const a = inWindowRow ? clampInt(wx0 - x0, 0, n) : n;
      const b = inWindowRow ? clampInt(wx1 - x0, a, n) : n;
      let white = 0;
      for (let t = 0; t < a; t++) white += weights[k + t];
      for (let t = b; t < n; t++) white += weights[k + t];
      let s0 = HALF + 255 * white;
      let s1 = s0;
      let s2 = s0;
      for (let t = a, p = base + (x0 + a) * 3; t < b; t++, p += 3) {
        const w = weights[k + t];
        s0 += rgb[p] * w;
        s1 += rgb[p + 1] * w;
        s2 += rgb[p + 2] * w;
      }
      const o = (xx - c0) * 3;
      row[o] = clip8(s0);
      row[o + 1] = clip8(s1);
      row[o + 2] = clip8(s2);
    }
  }
}

/** An image of `width` x `height` seen through an empty window: all white, no pixels read. */
function blankImage(width: number, height: number): WindowedImage {
  return { rgb: new Uint8Array(0), width, height, window: [0, 0, 0, 0] };
}

/**
 * The sub-range of output positions `within` whose taps lie wholly in source [start, end); contiguous
 * because taps move monotonically. Empty ranges come back as [within[1], within[1]].
 */
function inside(axis: AxisCoefficients, start: number, end: number, within: [number, number]): [number, number] {
  let lo = within[0];
  while (lo < within[1] && axis.first[lo] < start) lo++;
  let hi = lo;
  while (hi < within[1] && axis.first[hi] + axis.count[hi] <= end) hi++;
  return lo < hi ? [lo, hi] : [within[1], within[1]];
}

function clampRange(start: number, end: number, from: number, to: number): [number, number] {
  return [Math.max(start, from), Math.min(end, to)];
}

/** Pillow's resize of a whole RGB image (no window): for tests and for plain images. */
export function resizeBicubic(rgb: Uint8Array, width: number, height: number, outWidth: number, outHeight: number): Uint8Array {
  const plan = new ResizePlan(width, height, outWidth, outHeight, { x: 0, y: 0, width: outWidth, height: outHeight });
  return plan.resize({ rgb, width, height, window: [0, 0, width, height] });
}
