/**
 * Anchor points and strides of the detect head (Ultralytics make_anchors): per level, cell centres
 * (x + 0.5, y + 0.5) row-major, levels in stride order. A static export bakes them in as constants; a
 * dynamic one computes them in the graph from each level's feature-map shape.
 */
import { type Graph, int } from './graph';

export interface Level {
  /** The level's feature map (any tensor shaped [B, C, h, w]). */
  feature: string;
  stride: number;
}

export interface Anchors {
  /** [1, 2, N]: x centres then y centres, in cells. */
  points: string;
  /** [1, N]: each anchor's stride. */
  strides: string;
}

/** Constants for a fixed input size [H, W]. */
export function staticAnchors(g: Graph, scope: string, levels: Level[], size: [number, number]): Anchors {
  const cells = levels.map(({ stride }) => [size[0] / stride, size[1] / stride] as const);
  const total = cells.reduce((n, [h, w]) => n + h * w, 0);
  const points = new Float32Array(2 * total);
  const strides = new Float32Array(total);
  let at = 0;
  levels.forEach(({ stride }, i) => {
    const [h, w] = cells[i];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++, at++) {
        points[at] = x + 0.5;
        points[total + at] = y + 0.5;
        strides[at] = stride;
      }
    }
  });
  return { points: g.constant(scope, [1, 2, total], points), strides: g.constant(scope, [1, total], strides) };
}

/** Graph ops that derive the same values from the feature maps' runtime shapes. */
export function dynamicAnchors(g: Graph, scope: string, levels: Level[]): Anchors {
  const pointParts: string[] = [];
  const strideParts: string[] = [];
  const half = g.constant(scope, [], Float32Array.of(0.5));
  const zero = g.constant(scope, [], Float32Array.of(0));
  const one = g.constant(scope, [], Float32Array.of(1));
  const row = g.int64s(scope, [1, -1]);
  const column = g.int64s(scope, [-1, 1]);
  const flat = g.int64s(scope, [1, 1, -1]);
  for (const { feature, stride } of levels) {
    const shape = g.op('Shape', scope, [feature]);
    const hw = g.op('Slice', scope, [shape, g.int64s(scope, [2]), g.int64s(scope, [4]), g.int64s(scope, [0])]);
    const size = (axis: number): string => {
      const dim = g.op('Gather', scope, [shape, g.int64s(scope, [axis])], { axis: int(0) });
      return g.op('Cast', scope, [g.op('Reshape', scope, [dim, g.int64s(scope, [])])], { to: int(1) });
    };
    // 0.5, 1.5, ... along each axis: Range over the cell count, shifted by a half.
    const xs = g.op('Add', scope, [g.op('Range', scope, [zero, size(3), one]), half]);
    const ys = g.op('Add', scope, [g.op('Range', scope, [zero, size(2), one]), half]);
    const gx = g.op('Expand', scope, [g.op('Reshape', scope, [xs, row]), hw]);
    const gy = g.op('Expand', scope, [g.op('Reshape', scope, [ys, column]), hw]);
    const cellsX = g.op('Reshape', scope, [gx, flat]);
    pointParts.push(g.op('Concat', scope, [cellsX, g.op('Reshape', scope, [gy, flat])], { axis: int(1) }));
    const strideValue = g.constant(scope, [1, 1, 1], Float32Array.of(stride));
    strideParts.push(g.op('Expand', scope, [strideValue, g.op('Shape', scope, [cellsX])]));
  }
  const points = g.op('Concat', scope, pointParts, { axis: int(2) });
  const strides = g.op('Reshape', scope, [g.op('Concat', scope, strideParts, { axis: int(2) }), row]);
  return { points, strides };
}
