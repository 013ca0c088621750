/**
 * One image's labels as the reference validator sees them after its val transforms (LetterBox(scaleup=
 * False) then Format): boxes through the same float32 round trips into original-image pixels, and
 * polygons resampled to 1000 points, moved into the letterbox, rasterised with cv2.fillPoly and shrunk by
 * mask_ratio 4 with cv2.resize (bilinear) into one overlap index map where smaller objects lie on top.
 */
import { interp, linspace } from '../metrics/numeric';
import { argsortNumpy } from '../metrics/numpy-argsort';
import { fillPoly } from './fill-poly';
import type { ImageLabels } from './labels';
import { resizeLinear } from './opencv-resize';

const f32 = Math.fround;
export const MASK_RATIO = 4;

/** Where one image sits in its letterboxed tensor. */
export interface ValGeometry {
  /** Original size, and the size after load_image's resize. */
  origH: number;
  origW: number;
  resizedH: number;
  resizedW: number;
  /** Tensor size. */
  inputH: number;
  inputW: number;
  /** LetterBox's ratio and half paddings (floats, e.g. 10.5). */
  r: number;
  dw: number;
  dh: number;
  /** ratio_pad[0][0]: resized height / original height, the gain scale_boxes divides by. */
  gain: number;
}

export interface GroundTruth {
  /** Classes in index-map order (largest object first). */
  cls: Float32Array;
  /** n x 4 xyxy in original-image pixels. */
  boxes: Float32Array;
  /** (inputH / 4) x (inputW / 4): 0 for background, i + 1 where object i is on top. */
  indexMap: Uint8Array | Int32Array;
  maskH: number;
  maskW: number;
  /** Pixels of each object in the index map. */
  areas: Uint32Array;
}

/** resample_segments: the closed polygon resampled to n points by linear interpolation (float32 result). */
export function resampleSegment(seg: Float32Array, n = 1000): Float32Array {
  const k = seg.length / 2;
  const xs = new Float64Array(k + 1);
  const ys = new Float64Array(k + 1);
  for (let i = 0; i < k; i++) {
    xs[i] = seg[2 * i];
    ys[i] = seg[2 * i + 1];
  }
  xs[k] = seg[0];
  ys[k] = seg[1];
  const x = linspace(0, k, n);
  const xp = Float64Array.from({ length: k + 1 }, (_, i) => i);
  const rx = interp(x, xp, xs);
  const ry = interp(x, xp, ys);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[2 * i] = rx[i];
    out[2 * i + 1] = ry[i];
  }
  return out;
}

/** scale_boxes with ratio_pad, in float32: remove the padding, divide by the gain, clip. */
export function scaleBoxesToOriginal(boxes: Float32Array, g: ValGeometry): Float32Array {
  const out = new Float32Array(boxes.length);
  const padX = f32(g.dw);
  const padY = f32(g.dh);
  const gain = f32(g.gain);
  for (let i = 0; i < boxes.length; i += 4) {
    const x1 = f32(f32(boxes[i] - padX) / gain);
    const y1 = f32(f32(boxes[i + 1] - padY) / gain);
    const x2 = f32(f32(boxes[i + 2] - padX) / gain);
    const y2 = f32(f32(boxes[i + 3] - padY) / gain);
    out[i] = Math.min(Math.max(x1, 0), g.origW);
    out[i + 1] = Math.min(Math.max(y1, 0), g.origH);
    out[i + 2] = Math.min(Math.max(x2, 0), g.origW);
    out[i + 3] = Math.min(Math.max(y2, 0), g.origH);
  }
  return out;
}

/** The label boxes' trip: normalised xywh -> letterbox xyxy -> Format's normalised xywh -> tensor xyxy. */
function labelBoxesInTensor(boxes: Float32Array, g: ValGeometry): Float32Array {
  const out = new Float32Array(boxes.length);
  const r = f32(g.r);
  const [padX, padY] = [f32(g.dw), f32(g.dh)];
  const [invW, invH] = [f32(1 / g.inputW), f32(1 / g.inputH)];
  for (let i = 0; i < boxes.length; i += 4) {
    const [cx, cy, w, h] = boxes.subarray(i, i + 4);
    // LetterBox: xywh -> xyxy, denormalise by the loaded image, scale by r, add the half padding.
    const x1 = f32(f32(f32(f32(cx - f32(w / 2)) * g.resizedW) * r) + padX);
    const y1 = f32(f32(f32(f32(cy - f32(h / 2)) * g.resizedH) * r) + padY);
    const x2 = f32(f32(f32(f32(cx + f32(w / 2)) * g.resizedW) * r) + padX);
    const y2 = f32(f32(f32(f32(cy + f32(h / 2)) * g.resizedH) * r) + padY);
    // Format: xyxy -> xywh, normalise by the tensor size.
    const ncx = f32(f32(f32(x1 + x2) / 2) * invW);
    const ncy = f32(f32(f32(y1 + y2) / 2) * invH);
    const nw = f32(f32(x2 - x1) * invW);
    const nh = f32(f32(y2 - y1) * invH);
    // Validator: xywh -> xyxy, times the tensor size.
    out[i] = f32(f32(ncx - f32(nw / 2)) * g.inputW);
    out[i + 1] = f32(f32(ncy - f32(nh / 2)) * g.inputH);
    out[i + 2] = f32(f32(ncx + f32(nw / 2)) * g.inputW);
    out[i + 3] = f32(f32(ncy + f32(nh / 2)) * g.inputH);
  }
  return out;
}

/** polygon2mask: one polygon (tensor pixels) filled at full size, then shrunk by mask_ratio. */
function polygonMask(seg: Float32Array, g: ValGeometry): Uint8Array {
  const full = new Uint8Array(g.inputW * g.inputH);
  const n = seg.length / 2;
  const xs = new Int32Array(n);
  const ys = new Int32Array(n);
  const r = f32(g.r);
  const [padX, padY] = [f32(g.dw), f32(g.dh)];
  for (let i = 0; i < n; i++) {
    // Float32 as the reference's arrays, truncated toward zero by astype(int32).
    xs[i] = Math.trunc(f32(f32(f32(seg[2 * i] * g.resizedW) * r) + padX));
    ys[i] = Math.trunc(f32(f32(f32(seg[2 * i + 1] * g.resizedH) * r) + padY));
  }
  fillPoly(full, g.inputW, g.inputH, xs, ys);
  const small = resizeLinear(
    { data: full, width: g.inputW, height: g.inputH, channels: 1 },
    Math.floor(g.inputW / MASK_RATIO),
    Math.floor(g.inputH / MASK_RATIO),
  );
  return small.data;
}

/** Ground truth for one image. */
export function groundTruth(labels: ImageLabels, g: ValGeometry): GroundTruth {
  const n = labels.cls.length;
  const maskH = Math.floor(g.inputH / MASK_RATIO);
  const maskW = Math.floor(g.inputW / MASK_RATIO);
  const masks = labels.segments.map((s) => polygonMask(resampleSegment(s), g));
  const area = masks.map((m) => m.reduce((s, v) => s + v, 0));
  // np.argsort(-areas) on unsigned sums: -0 stays 0, so empty masks come first, then largest first.
  const order = argsortNumpy(area.map((a) => (a === 0 ? 0 : 2 ** 53 - a)));
  // Each mask in turn adds i + 1 and clips to i + 1, so smaller objects end on top (uint8 sums wrap).
  const wide = masks.length > 255;
  const indexMap = wide ? new Int32Array(maskH * maskW) : new Uint8Array(maskH * maskW);
  order.forEach((src, i) => {
    const m = masks[src];
    for (let p = 0; p < m.length; p++) {
      if (!m[p]) continue;
      const sum = indexMap[p] + i + 1;
      indexMap[p] = Math.min(wide ? sum : sum & 255, i + 1);
    }
  });
  const areas = new Uint32Array(order.length);
  for (let p = 0; p < indexMap.length; p++) if (indexMap[p]) areas[indexMap[p] - 1]++;
  const tensorBoxes = labelBoxesInTensor(labels.boxes, g);
  const rows = masks.length ? order : Array.from({ length: n }, (_, i) => i);
  const sortedBoxes = new Float32Array(rows.length * 4);
  rows.forEach((src, i) => sortedBoxes.set(tensorBoxes.subarray(src * 4, src * 4 + 4), i * 4));
  return {
    cls: Float32Array.from(rows, (i) => labels.cls[i]),
    boxes: scaleBoxesToOriginal(sortedBoxes, g),
    indexMap,
    maskH,
    maskW,
    areas,
  };
}
