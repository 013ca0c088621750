/**
 * COCO run-length encoding exactly as pycocotools' maskApi.c defines it: runs over the mask in column-major
 * order starting with a run of zeros; the compact string form; polygons rasterised the way rleFrPoly does
 * (edges walked on a 5x finer grid, then sampled at pixel centres); merge, area, bounding box and IoU with
 * crowd semantics. Counts are unsigned 32-bit, as in C.
 */

import { invalid, is } from '../../options/check';

export interface Rle {
  h: number;
  w: number;
  counts: Uint32Array;
}

/** Decodes the compact string form ("LEB128-like": 5 bits a char, offset 48, deltas from the 4th count). */
export function rleFromString(s: string, h: number, w: number): Rle {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      const c = s.charCodeAt(p) - 48;
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= 2 ** (5 * k); // sign-extend
    }
    if (counts.length > 2) x += counts[counts.length - 2];
    counts.push(x >>> 0);
  }
  return { h, w, counts: Uint32Array.from(counts) };
}

/** Encodes counts to the compact string form. */
export function rleToString(rle: Rle): string {
  const chars: number[] = [];
  const { counts } = rle;
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i] - (i > 2 ? counts[i - 2] : 0);
    let more = true;
    while (more) {
      let c = ((x % 32) + 32) % 32;
      x = Math.floor(x / 32);
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      chars.push(c + 48);
    }
  }
  // In slices: spreading a whole large mask's characters into one call overflows the argument limit.
  let out = '';
  for (let i = 0; i < chars.length; i += 8192) out += String.fromCharCode(...chars.slice(i, i + 8192));
  return out;
}

/** Encodes a column-major 0/1 mask of h x w. */
export function rleEncode(mask: Uint8Array, h: number, w: number): Rle {
  const counts: number[] = [];
  let value = 0;
  let run = 0;
  for (let i = 0; i < h * w; i++) {
    const v = mask[i] ? 1 : 0;
    if (v !== value) {
      counts.push(run);
      run = 0;
      value = v;
    }
    run++;
  }
  counts.push(run);
  return { h, w, counts: Uint32Array.from(counts) };
}

/** Decodes to a column-major 0/1 mask of h x w. */
export function rleDecode(rle: Rle): Uint8Array {
  const out = new Uint8Array(rle.h * rle.w);
  let at = 0;
  let value = 0;
  for (const run of rle.counts) {
    if (value) out.fill(1, at, Math.min(at + run, out.length));
    at += run;
    value ^= 1;
  }
  return out;
}

/**
 * How far outside the image a polygon vertex may lie before the polygon is clipped: 16 image sizes. Inside
 * that box rasterising is pycocotools' exactly; beyond it pycocotools would walk every fine-grid point of
 * the edge (a coordinate of 2e8 is a billion points and aborted the process), so the polygon is clipped to
 * the box first. The pixels of such an annotation can then differ where a clipped edge re-enters the image.
 */
const CLIP_MARGIN_IMAGES = 16;
/** Most fine-grid boundary points one polygon may walk (about a second); real COCO ones walk thousands. */
export const MAX_POLYGON_STEPS = 1 << 27;

type Point = [number, number];

/** Sutherland-Hodgman: the polygon clipped to [x0, x1] x [y0, y1]. */
function clipToBox(points: Point[], x0: number, y0: number, x1: number, y1: number): Point[] {
  const edges: Array<{ inside: (p: Point) => boolean; cross: (a: Point, b: Point) => Point }> = [
    { inside: (p) => p[0] >= x0, cross: (a, b) => [x0, a[1] + ((b[1] - a[1]) * (x0 - a[0])) / (b[0] - a[0])] },
    { inside: (p) => p[0] <= x1, cross: (a, b) => [x1, a[1] + ((b[1] - a[1]) * (x1 - a[0])) / (b[0] - a[0])] },
    { inside: (p) => p[1] >= y0, cross: (a, b) => [a[0] + ((b[0] - a[0]) * (y0 - a[1])) / (b[1] - a[1]), y0] },
    { inside: (p) => p[1] <= y1, cross: (a, b) => [a[0] + ((b[0] - a[0]) * (y1 - a[1])) / (b[1] - a[1]), y1] },
  ];
  let out = points;
  for (const { inside, cross } of edges) {
    const input = out;
    out = [];
    for (let i = 0; i < input.length; i++) {
      const current = input[i];
      const previous = input[(i + input.length - 1) % input.length];
      if (inside(current)) {
        if (!inside(previous)) out.push(cross(previous, current));
        out.push(current);
      } else if (inside(previous)) {
        out.push(cross(previous, current));
      }
    }
  }
  return out;
}

/** The polygon's vertices, clipped when one lies beyond the margin; refused when not finite numbers. */
function polygonVertices(xy: ArrayLike<number>, h: number, w: number): Point[] {
  const k = Math.floor(xy.length / 2);
  const points: Point[] = [];
  for (let j = 0; j < k; j++) {
    const x = xy[j * 2];
    const y = xy[j * 2 + 1];
    if (!is.finite(x) || !is.finite(y)) invalid('polygon coordinates', 'finite numbers', [x, y]);
    points.push([x, y]);
  }
  const margin = CLIP_MARGIN_IMAGES * Math.max(h, w);
  const [x0, y0, x1, y1] = [-margin, -margin, w + margin, h + margin];
  const outside = points.some(([x, y]) => x < x0 || x > x1 || y < y0 || y > y1);
  return outside ? clipToBox(points, x0, y0, x1, y1) : points;
}

/** rleFrPoly: one polygon [x0, y0, x1, y1, ...] in pixel coordinates to an RLE of h x w. */
export function rleFromPolygon(xy: ArrayLike<number>, h: number, w: number): Rle {
  const scale = 5;
  const vertices = polygonVertices(xy, h, w);
  const k = vertices.length;
  const x = new Int32Array(k + 1);
  const y = new Int32Array(k + 1);
  for (let j = 0; j < k; j++) x[j] = Math.trunc(scale * vertices[j][0] + 0.5);
  for (let j = 0; j < k; j++) y[j] = Math.trunc(scale * vertices[j][1] + 0.5);
  x[k] = x[0];
  y[k] = y[0];
  let steps = 0;
  for (let j = 0; j < k; j++) steps += Math.max(Math.abs(x[j + 1] - x[j]), Math.abs(y[j + 1] - y[j])) + 1;
  if (steps > MAX_POLYGON_STEPS)
    invalid('a polygon', `at most ${MAX_POLYGON_STEPS} boundary points on the 5x grid`, `${k} vertices and ${steps} points`);
  // Dense boundary points (u, v) on the fine grid, walked edge by edge as rleFrPoly lays them out (a
  // degenerate edge yields one point whose v is never read). Where the boundary crosses a pixel-centre
  // column, the first pixel row below it is recorded; points are not stored, only these crossings.
  const starts: number[] = [];
  let pu = 0;
  let pv = 0;
  let first = true;
  const visit = (u: number, v: number): void => {
    if (first) {
      first = false;
    } else if (u !== pu) {
      let xd = u < pu ? u : u - 1;
      xd = (xd + 0.5) / scale - 0.5;
      if (Math.floor(xd) === xd && xd >= 0 && xd <= w - 1) {
        let yd = v < pv ? v : pv;
        yd = (yd + 0.5) / scale - 0.5;
        if (yd < 0) yd = 0;
        else if (yd > h) yd = h;
        yd = Math.ceil(yd);
        starts.push((xd * h + yd) >>> 0);
      }
    }
    pu = u;
    pv = v;
  };
  for (let j = 0; j < k; j++) {
    let xs = x[j];
    let xe = x[j + 1];
    let ys = y[j];
    let ye = y[j + 1];
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      [xs, xe] = [xe, xs];
      [ys, ye] = [ye, ys];
    }
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        visit(t + xs, Math.trunc(ys + s * t + 0.5));
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        visit(Math.trunc(xs + s * t + 0.5), t + ys);
      }
    }
  }
  starts.push((h * w) >>> 0);
  const a = Uint32Array.from(starts).sort();
  // Differences of sorted crossings are the runs; zero-length runs are folded into their neighbours.
  let prev = 0;
  for (let j = 0; j < a.length; j++) {
    const t = a[j];
    a[j] -= prev;
    prev = t;
  }
  const b: number[] = [];
  let j = 0;
  b.push(a[j++]);
  while (j < a.length) {
    if (a[j] > 0) b.push(a[j++]);
    else {
      j++;
      if (j < a.length) b[b.length - 1] += a[j++];
    }
  }
  return { h, w, counts: Uint32Array.from(b) };
}

/** rleMerge: union (or intersection) of masks of the same size. */
export function rleMerge(rles: Rle[], intersect = false): Rle {
  if (rles.length === 0) return { h: 0, w: 0, counts: new Uint32Array(0) };
  if (rles.length === 1) return { h: rles[0].h, w: rles[0].w, counts: rles[0].counts.slice() };
  const { h, w } = rles[0];
  let cnts = Array.from(rles[0].counts);
  for (let i = 1; i < rles.length; i++) {
    const B = rles[i].counts;
    if (rles[i].h !== h || rles[i].w !== w) return { h: 0, w: 0, counts: new Uint32Array(0) };
    const A = cnts;
    const out: number[] = [];
    let ca = A[0];
    let cb = B[0];
    let va = false;
    let vb = false;
    let v = false;
    let a = 1;
    let bi = 1;
    let cc = 0;
    let ct = 1;
    while (ct > 0) {
      const c = Math.min(ca, cb);
      cc += c;
      ct = 0;
      ca -= c;
      if (!ca && a < A.length) {
        ca = A[a++];
        va = !va;
      }
      ct += ca;
      cb -= c;
      if (!cb && bi < B.length) {
        cb = B[bi++];
        vb = !vb;
      }
      ct += cb;
      const vp: boolean = v;
      v = intersect ? va && vb : va || vb;
      if (v !== vp || ct === 0) {
        out.push(cc);
        cc = 0;
      }
    }
    cnts = out;
  }
  return { h, w, counts: Uint32Array.from(cnts) };
}

export function rleArea(rle: Rle): number {
  let area = 0;
  for (let i = 1; i < rle.counts.length; i += 2) area += rle.counts[i];
  return area;
}

/** rleToBbox: [x, y, w, h] of the set pixels (a mask spanning two columns covers every row, as in C). */
export function rleToBbox(rle: Rle): [number, number, number, number] {
  const { h, w } = rle;
  const m = Math.floor(rle.counts.length / 2) * 2;
  if (m === 0) return [0, 0, 0, 0];
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  let xp = 0;
  for (let j = 0; j < m; j++) {
    cc += rle.counts[j];
    const t = cc - (j % 2);
    const y = t % h;
    const x = (t - y) / h;
    if (j % 2 === 0) xp = x;
    else if (xp < x) {
      ys = 0;
      ye = h - 1;
    }
    xs = Math.min(xs, x);
    xe = Math.max(xe, x);
    ys = Math.min(ys, y);
    ye = Math.max(ye, y);
  }
  return [xs, ys, xe - xs + 1, ye - ys + 1];
}

export type Box = ArrayLike<number>;

/** bbIou: IoU of [x, y, w, h] boxes, out[d * n + g]; against a crowd box the union is the detection alone. */
export function bboxIou(dt: Box[], gt: Box[], iscrowd: ArrayLike<number | boolean>): Float64Array {
  const m = dt.length;
  const n = gt.length;
  const out = new Float64Array(m * n);
  for (let g = 0; g < n; g++) {
    const G = gt[g];
    const ga = G[2] * G[3];
    const crowd = Boolean(iscrowd[g]);
    for (let d = 0; d < m; d++) {
      const D = dt[d];
      const da = D[2] * D[3];
      const w = Math.min(D[2] + D[0], G[2] + G[0]) - Math.max(D[0], G[0]);
      if (w <= 0) continue;
      const h = Math.min(D[3] + D[1], G[3] + G[1]) - Math.max(D[1], G[1]);
      if (h <= 0) continue;
      const i = w * h;
      const u = crowd ? da : da + ga - i;
      out[d * n + g] = i / u;
    }
  }
  return out;
}

/** rleIou: mask IoU, out[d * n + g]; -1 where the sizes differ; crowd semantics as bboxIou. */
export function rleIou(dt: Rle[], gt: Rle[], iscrowd: ArrayLike<number | boolean>): Float64Array {
  const m = dt.length;
  const n = gt.length;
  // A zero box IoU means no overlap: only the rest need the run walk.
  const out = bboxIou(dt.map(rleToBbox), gt.map(rleToBbox), iscrowd);
  for (let g = 0; g < n; g++) {
    for (let d = 0; d < m; d++) {
      if (!(out[d * n + g] > 0)) continue;
      const D = dt[d];
      const G = gt[g];
      if (D.h !== G.h || D.w !== G.w) {
        out[d * n + g] = -1;
        continue;
      }
      let ca = D.counts[0];
      let cb = G.counts[0];
      let va = false;
      let vb = false;
      let a = 1;
      let b = 1;
      let inter = 0;
      let union = 0;
      let ct = 1;
      while (ct > 0) {
        const c = Math.min(ca, cb);
        if (va || vb) {
          union += c;
          if (va && vb) inter += c;
        }
        ct = 0;
        ca -= c;
        if (!ca && a < D.counts.length) {
          ca = D.counts[a++];
          va = !va;
        }
        ct += ca;
        cb -= c;
        if (!cb && b < G.counts.length) {
          cb = G.counts[b++];
          vb = !vb;
        }
        ct += cb;
      }
      if (inter === 0) union = 1;
      else if (iscrowd[g]) union = rleArea(D);
      out[d * n + g] = inter / union;
    }
  }
  return out;
}
