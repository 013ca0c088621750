/**
 * The validator's non_max_suppression (reference ops.py): every class score above conf becomes a
 * candidate (multi_label, when the model has more than one class), the top 30000 by score go through
 * greedy NMS in float32 on boxes offset by class (unless agnostic), and at most max_det survive.
 */

const f32 = Math.fround;
const MAX_NMS = 30000;
const MAX_WH = 7680;

export interface ValNmsOptions {
  conf: number;
  iou: number;
  agnostic: boolean;
  maxDet: number;
}

export interface ValDetections {
  /** n x 4 xyxy in tensor (letterbox) pixels. */
  boxes: Float32Array;
  conf: Float32Array;
  cls: Float32Array;
  /** n x nm mask coefficients. */
  coef: Float32Array;
}

/**
 * @param output0 one image's [4 + nc + nm, anchors] output, row-major
 */
export function valNms(output0: Float32Array, rows: number, anchors: number, nm: number, options: ValNmsOptions): ValDetections {
  const nc = rows - 4 - nm;
  const thr = f32(options.conf); // torch compares float32 scores with the float32 threshold
  const at = (row: number, a: number) => output0[row * anchors + a];
  const cand: Array<{ a: number; c: number; s: number }> = [];
  for (let a = 0; a < anchors; a++) {
    if (nc > 1) {
      for (let c = 0; c < nc; c++) {
        const s = at(4 + c, a);
        if (s > thr) cand.push({ a, c, s });
      }
    } else {
      const s = at(4, a);
      if (s > thr) cand.push({ a, c: 0, s });
    }
  }
  // Descending score (stable for ties), then at most max_nms candidates.
  cand.sort((x, y) => y.s - x.s);
  if (cand.length > MAX_NMS) cand.length = MAX_NMS;

  const kept: Array<{ a: number; c: number; s: number; box: number[]; nmsBox: number[]; area: number }> = [];
  for (const k of cand) {
    if (kept.length >= options.maxDet) break;
    const cx = at(0, k.a);
    const cy = at(1, k.a);
    const hw = f32(at(2, k.a) / 2);
    const hh = f32(at(3, k.a) / 2);
    const box = [f32(cx - hw), f32(cy - hh), f32(cx + hw), f32(cy + hh)];
    const off = options.agnostic ? 0 : k.c * MAX_WH;
    const nmsBox = box.map((v) => f32(v + off));
    const area = f32(f32(nmsBox[2] - nmsBox[0]) * f32(nmsBox[3] - nmsBox[1]));
    // Greedy NMS: kept unless it overlaps an already kept (higher-scoring) box by more than iou.
    const suppressed = kept.some((q) => {
      const w = Math.max(0, f32(Math.min(q.nmsBox[2], nmsBox[2]) - Math.max(q.nmsBox[0], nmsBox[0])));
      const h = Math.max(0, f32(Math.min(q.nmsBox[3], nmsBox[3]) - Math.max(q.nmsBox[1], nmsBox[1])));
      const inter = f32(w * h);
      return f32(inter / f32(f32(q.area + area) - inter)) > options.iou;
    });
    if (!suppressed) kept.push({ ...k, box, nmsBox, area });
  }

  const n = kept.length;
  const out: ValDetections = {
    boxes: new Float32Array(n * 4),
    conf: new Float32Array(n),
    cls: new Float32Array(n),
    coef: new Float32Array(n * nm),
  };
  kept.forEach((k, i) => {
    out.boxes.set(k.box, i * 4);
    out.conf[i] = k.s;
    out.cls[i] = k.c;
    for (let m = 0; m < nm; m++) out.coef[i * nm + m] = at(4 + nc + m, k.a);
  });
  return out;
}
