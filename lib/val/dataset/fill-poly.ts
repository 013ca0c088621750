/**
 * cv2.fillPoly(mask, [points], 1) for one polygon with integer vertices (LINE_8, shift 0), bit for bit
 * with OpenCV 4.6: every edge is drawn as an 8-connected Bresenham line (clipped as cv::clipLine clips
 * it), then the interior is filled scanline by scanline from an active edge list in 16.16 fixed point
 * (even-odd pairs, spans from ceil(left) to floor(right)), as FillEdgeCollection does. The reference
 * rasterises ground-truth polygons this way.
 */

const XY_SHIFT = 16;
const XY_ONE = 2 ** XY_SHIFT;

interface Edge {
  y0: number;
  y1: number;
  /** Fixed-point x at the current scanline, and its step per scanline (C integer division). */
  x: number;
  dx: number;
  next: number;
}

/** cv::clipLine for a w x h image: the clipped end points, or null when nothing is inside. */
function clipLine(w: number, h: number, p1: [number, number], p2: [number, number]): [number, number, number, number] | null {
  let [x1, y1] = p1;
  let [x2, y2] = p2;
  const right = w - 1;
  const bottom = h - 1;
  const code = (x: number, y: number) => (x < 0 ? 1 : 0) + (x > right ? 2 : 0) + (y < 0 ? 4 : 0) + (y > bottom ? 8 : 0);
  let c1 = code(x1, y1);
  let c2 = code(x2, y2);
  if ((c1 & c2) === 0 && (c1 | c2) !== 0) {
    if (c1 & 12) {
      const a = c1 < 8 ? 0 : bottom;
      x1 += Math.trunc(((a - y1) * (x2 - x1)) / (y2 - y1));
      y1 = a;
      c1 = (x1 < 0 ? 1 : 0) + (x1 > right ? 2 : 0);
    }
    if (c2 & 12) {
      const a = c2 < 8 ? 0 : bottom;
      x2 += Math.trunc(((a - y2) * (x2 - x1)) / (y2 - y1));
      y2 = a;
      c2 = (x2 < 0 ? 1 : 0) + (x2 > right ? 2 : 0);
    }
    if ((c1 & c2) === 0 && (c1 | c2) !== 0) {
      if (c1) {
        const a = c1 === 1 ? 0 : right;
        y1 += Math.trunc(((a - x1) * (y2 - y1)) / (x2 - x1));
        x1 = a;
        c1 = 0;
      }
      if (c2) {
        const a = c2 === 1 ? 0 : right;
        y2 += Math.trunc(((a - x2) * (y2 - y1)) / (x2 - x1));
        x2 = a;
        c2 = 0;
      }
    }
  }
  return (c1 | c2) === 0 ? [x1, y1, x2, y2] : null;
}

/** An 8-connected line drawn left to right (cv::LineIterator with leftToRight). */
function drawLine(mask: Uint8Array, w: number, h: number, p1: [number, number], p2: [number, number]): void {
  const clipped = clipLine(w, h, p1, p2);
  if (!clipped) return;
  let [x, y, x2, y2] = clipped;
  if (x2 < x) [x, y, x2, y2] = [x2, y2, x, y];
  let dx = x2 - x;
  let dy = y2 - y;
  const sy = dy < 0 ? -1 : 1;
  dy = Math.abs(dy);
  const vertical = dy > dx;
  if (vertical) [dx, dy] = [dy, dx];
  // Bresenham along the major axis: the minor coordinate moves when the error went negative.
  let err = dx - 2 * dy;
  for (let i = 0; i <= dx; i++) {
    mask[y * w + x] = 1;
    const step = err < 0;
    err += -2 * dy + (step ? 2 * dx : 0);
    if (vertical) {
      y += sy;
      if (step) x += 1;
    } else {
      x += 1;
      if (step) y += sy;
    }
  }
}

/** Sets to 1 the pixels of a w x h row-major mask that cv2.fillPoly would set for this polygon. */
export function fillPoly(mask: Uint8Array, w: number, h: number, xs: ArrayLike<number>, ys: ArrayLike<number>): void {
  const n = xs.length;
  const edges: Edge[] = [];
  let x0 = xs[n - 1];
  let y0 = ys[n - 1];
  for (let i = 0; i < n; i++) {
    const x1 = xs[i];
    const y1 = ys[i];
    drawLine(mask, w, h, [x0, y0], [x1, y1]);
    if (y0 !== y1) {
      // OpenCV 4.6 starts each edge at its upper vertex, unclipped (4.8+ re-anchors edges that leave the
      // image on the clipped line, which moves a few border pixels).
      const dx = Math.trunc(((x1 - x0) * XY_ONE) / (y1 - y0));
      edges.push(y0 < y1 ? { y0, y1, x: x0 * XY_ONE, dx, next: -1 } : { y0: y1, y1: y0, x: x1 * XY_ONE, dx, next: -1 });
    }
    x0 = x1;
    y0 = y1;
  }
  fillEdges(mask, w, h, edges);
}

function fillEdges(mask: Uint8Array, w: number, h: number, edges: Edge[]): void {
  const total = edges.length;
  if (total < 2) return;
  let yMin = Infinity;
  let yMax = -Infinity;
  let xMin = Infinity;
  let xMax = -Infinity;
  for (const e of edges) {
    const xEnd = e.x + (e.y1 - e.y0) * e.dx;
    yMin = Math.min(yMin, e.y0);
    yMax = Math.max(yMax, e.y1);
    xMin = Math.min(xMin, e.x, xEnd);
    xMax = Math.max(xMax, e.x, xEnd);
  }
  if (yMax < 0 || yMin >= h || xMax < 0 || xMin >= w * XY_ONE) return;
  edges.sort((a, b) => a.y0 - b.y0 || a.x - b.x || a.dx - b.dx);
  // Node `total` is the end sentinel (y0 = +inf), node `total + 1` the head of the active list.
  const SENTINEL = total;
  const HEAD = total + 1;
  const nodes: Edge[] = [...edges, { y0: Infinity, y1: 0, x: 0, dx: 0, next: -1 }, { y0: Infinity, y1: 0, x: 0, dx: 0, next: -1 }];
  let i = 0;
  let e = 0;
  yMax = Math.min(yMax, h);
  for (let y = nodes[e].y0; y < yMax; y++) {
    let draw = false;
    const clip = y < 0;
    let prelast = HEAD;
    let last = nodes[HEAD].next;
    while (last !== -1 || nodes[e].y0 === y) {
      if (last !== -1 && nodes[last].y1 === y) {
        // The edge ends on this scanline: drop it from the active list.
        nodes[prelast].next = nodes[last].next;
        last = nodes[last].next;
        continue;
      }
      const keepPrelast = prelast;
      if (last !== -1 && (nodes[e].y0 > y || nodes[last].x < nodes[e].x)) {
        prelast = last;
        last = nodes[last].next;
      } else if (i < total) {
        // An edge starts on this scanline: insert it here.
        nodes[prelast].next = e;
        nodes[e].next = last;
        prelast = e;
        e = ++i < total ? i : SENTINEL;
      } else break;
      if (draw) {
        const a = nodes[keepPrelast];
        const b = nodes[prelast];
        if (!clip) {
          // Pixels whose left edge is inside the span: ceil of the left x, floor of the right x.
          const [left, right] = a.x > b.x ? [b.x, a.x] : [a.x, b.x];
          const xa = Math.floor((left + XY_ONE - 1) / XY_ONE);
          const xb = Math.floor(right / XY_ONE);
          if (xa < w && xb >= 0) {
            mask.fill(1, y * w + Math.max(xa, 0), y * w + Math.min(xb, w - 1) + 1);
          }
        }
        a.x += a.dx;
        b.x += b.dx;
      }
      draw = !draw;
    }
    sortActive(nodes, HEAD);
  }
}

/** OpenCV's bubble sort of the active edge list by x. */
function sortActive(nodes: Edge[], HEAD: number): void {
  let keepPrelast = -1;
  for (;;) {
    let prelast = HEAD;
    let last = nodes[HEAD].next;
    let lastExchange = -1;
    while (last !== keepPrelast && last !== -1 && nodes[last].next !== -1) {
      const te = nodes[last].next;
      if (nodes[last].x > nodes[te].x) {
        nodes[prelast].next = te;
        nodes[last].next = nodes[te].next;
        nodes[te].next = last;
        prelast = te;
        lastExchange = prelast;
      } else {
        prelast = last;
        last = te;
      }
    }
    if (lastExchange === -1) break;
    keepPrelast = lastExchange;
    if (keepPrelast === nodes[HEAD].next || keepPrelast === HEAD) break;
  }
}
