/**
 * OpenCV's cv2.resize on interleaved uint8 images, bit for bit, for the validator's load_image step (the
 * long side to imgsz): INTER_AREA when shrinking, INTER_LINEAR when enlarging. Checked against OpenCV 4.6.
 *
 * INTER_AREA has two algorithms: integer scale factors average whole blocks (2x2 blocks round half up with
 * `(sum + 2) >> 2`, other blocks through a float product), any other factor weights overlapping cells by
 * their coverage, accumulating in float32, and rounds half to even.
 */

export interface U8Image {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

const f32 = Math.fround;

/** OpenCV's saturate_cast<uchar>(float): round half to even, clamp to 0..255. */
function saturateU8(v: number): number {
  const r = Math.round(v);
  const even = Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : r;
  return Math.min(255, Math.max(0, even));
}

// --- INTER_LINEAR (fixed point, 11-bit weights) ---------------------------------------------------------

interface LinearTap {
  s0: number;
  s1: number;
  w0: number;
  w1: number;
}

/** rint(v) for |v| <= 2048: half to even. */
function rint(v: number): number {
  return Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v);
}

function linearTaps(src: number, dst: number, clampLikeX: boolean): LinearTap[] {
  const scale = src / dst;
  return Array.from({ length: dst }, (_, d) => {
    const f = f32((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    let a = f32(f - s);
    if (clampLikeX) {
      // Only the horizontal axis is clamped this way; rows are clipped below instead.
      if (s < 0) [s, a] = [0, 0];
      if (s >= src - 1) [s, a] = [src - 1, 0];
    }
    return {
      s0: Math.min(Math.max(s, 0), src - 1),
      s1: Math.min(Math.max(s + 1, 0), src - 1),
      w0: rint(f32(f32(1 - a) * 2048)),
      w1: rint(f32(a * 2048)),
    };
  });
}

export function resizeLinear(src: U8Image, width: number, height: number): U8Image {
  const { channels: cn } = src;
  const xt = linearTaps(src.width, width, true);
  const yt = linearTaps(src.height, height, false);
  const rowLen = width * cn;
  const horizontal = (row: number): Int32Array => {
    const out = new Int32Array(rowLen);
    const base = row * src.width * cn;
    for (let x = 0; x < width; x++) {
      const t = xt[x];
      for (let c = 0; c < cn; c++) {
        out[x * cn + c] = src.data[base + t.s0 * cn + c] * t.w0 + src.data[base + t.s1 * cn + c] * t.w1;
      }
    }
    return out;
  };
  const cache = new Map<number, Int32Array>();
  const row = (r: number): Int32Array => {
    let h = cache.get(r);
    if (!h) {
      if (cache.size > 4) cache.clear();
      h = horizontal(r);
      cache.set(r, h);
    }
    return h;
  };
  const out = new Uint8Array(rowLen * height);
  for (let y = 0; y < height; y++) {
    const t = yt[y];
    const h0 = row(t.s0);
    const h1 = row(t.s1);
    for (let i = 0; i < rowLen; i++) {
      // The x86 SIMD vertical formula (arithmetic shifts), which OpenCV uses for every pixel.
      const v = ((((h0[i] >> 4) * t.w0) >> 16) + (((h1[i] >> 4) * t.w1) >> 16) + 2) >> 2;
      out[y * rowLen + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { data: out, width, height, channels: cn };
}

// --- INTER_AREA ---------------------------------------------------------------------------------------

/** Integer factors: the mean of each scaleX x scaleY block. */
function resizeAreaFast(src: U8Image, width: number, height: number, sx: number, sy: number): U8Image {
  const { channels: cn } = src;
  const out = new Uint8Array(width * height * cn);
  const stride = src.width * cn;
  const area = sx * sy;
  const scale = f32(1 / area);
  for (let y = 0; y < height; y++) {
    const y0 = y * sy;
    // A block row that would run past the image is written as 0, as OpenCV does (never the case here).
    if (y0 + sy > src.height) continue;
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < cn; c++) {
        let sum = 0;
        for (let dy = 0; dy < sy; dy++) {
          for (let dx = 0; dx < sx; dx++) sum += src.data[(y0 + dy) * stride + (x * sx + dx) * cn + c];
        }
        const at = (y * width + x) * cn + c;
        out[at] = sx === 2 && sy === 2 && cn <= 4 && cn !== 2 ? (sum + 2) >> 2 : saturateU8(f32(sum * scale));
      }
    }
  }
  return { data: out, width, height, channels: cn };
}

interface AreaTap {
  di: number;
  si: number;
  alpha: number;
}

/** computeResizeAreaTab: each destination cell's source cells and their coverage weights (float32). */
function areaTaps(src: number, dst: number, scale: number): AreaTap[] {
  const taps: AreaTap[] = [];
  for (let d = 0; d < dst; d++) {
    const fs1 = d * scale;
    const fs2 = fs1 + scale;
    const cell = Math.min(scale, src - fs1);
    let s2 = Math.floor(fs2);
    let s1 = Math.ceil(fs1);
    s2 = Math.min(s2, src - 1);
    s1 = Math.min(s1, s2);
    if (s1 - fs1 > 1e-3) taps.push({ di: d, si: s1 - 1, alpha: f32((s1 - fs1) / cell) });
    for (let s = s1; s < s2; s++) taps.push({ di: d, si: s, alpha: f32(1 / cell) });
    if (fs2 - s2 > 1e-3) taps.push({ di: d, si: s2, alpha: f32(Math.min(Math.min(fs2 - s2, 1), cell) / cell) });
  }
  return taps;
}

function resizeAreaGeneral(src: U8Image, width: number, height: number): U8Image {
  const { channels: cn } = src;
  const xtab = areaTaps(src.width, width, src.width / width);
  const ytab = areaTaps(src.height, height, src.height / height);
  const rowLen = width * cn;
  const out = new Uint8Array(rowLen * height);
  const buf = new Float32Array(rowLen);
  const sum = new Float32Array(rowLen);
  const flush = (dy: number) => {
    for (let i = 0; i < rowLen; i++) out[dy * rowLen + i] = saturateU8(sum[i]);
  };
  let prevDy = ytab[0].di;
  for (const { di: dy, si: sy, alpha: beta } of ytab) {
    buf.fill(0);
    const base = sy * src.width * cn;
    for (const { di, si, alpha } of xtab) {
      for (let c = 0; c < cn; c++) buf[di * cn + c] = f32(buf[di * cn + c] + f32(src.data[base + si * cn + c] * alpha));
    }
    if (dy !== prevDy) {
      flush(prevDy);
      for (let i = 0; i < rowLen; i++) sum[i] = f32(beta * buf[i]);
      prevDy = dy;
    } else {
      for (let i = 0; i < rowLen; i++) sum[i] = f32(sum[i] + f32(beta * buf[i]));
    }
  }
  flush(prevDy);
  return { data: out, width, height, channels: cn };
}

/** cv2.resize(..., interpolation=INTER_AREA) for shrinking (both factors >= 1). */
export function resizeArea(src: U8Image, width: number, height: number): U8Image {
  const scaleX = src.width / width;
  const scaleY = src.height / height;
  const ix = Math.round(scaleX);
  const iy = Math.round(scaleY);
  if (Math.abs(scaleX - ix) < Number.EPSILON && Math.abs(scaleY - iy) < Number.EPSILON) {
    return resizeAreaFast(src, width, height, ix, iy);
  }
  return resizeAreaGeneral(src, width, height);
}
