/**
 * Linear assignment with a cost limit, as ByteTrack calls lap.lapjv(cost, extend_cost=True,
 * cost_limit=thresh): a pair (i, j) may only be matched when cost < thresh, and among such matchings the
 * one with the least total of (cost - thresh) wins, i.e. the most pairs, then the cheapest. Pairs at or
 * above the limit split the problem into independent blocks (most tracks overlap few detections), each
 * solved exactly by the Hungarian method (shortest augmenting paths with potentials).
 */

export interface Assignment {
  /** [row, column] pairs, in ascending row order. */
  matches: Array<[number, number]>;
  unmatchedRows: number[];
  unmatchedCols: number[];
}

/** Minimum-cost perfect assignment of an n x n matrix; returns the column of each row. */
export function hungarian(cost: Float64Array, n: number): Int32Array {
  // 1-based potentials u (rows), v (columns); way[] records the augmenting path (e-maxx formulation).
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const rowOf = new Int32Array(n + 1); // column j (1-based) -> row (1-based), 0 = free
  const way = new Int32Array(n + 1);
  const minv = new Float64Array(n + 1);
  const used = new Uint8Array(n + 1);
  for (let i = 1; i <= n; i++) {
    rowOf[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = rowOf[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const reduced = cost[(i0 - 1) * n + (j - 1)] - u[i0] - v[j];
        if (reduced < minv[j]) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[rowOf[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (rowOf[j0] !== 0);
    do {
      const j1 = way[j0];
      rowOf[j0] = rowOf[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const colOf = new Int32Array(n);
  for (let j = 1; j <= n; j++) if (rowOf[j] > 0) colOf[rowOf[j] - 1] = j - 1;
  return colOf;
}

/** Blocks of rows and columns connected by pairs under the limit (union-find over rows + columns). */
function blocks(cost: Float64Array, rows: number, cols: number, thresh: number): Array<{ rows: number[]; cols: number[] }> {
  const parent = Int32Array.from({ length: rows + cols }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  const linked = new Uint8Array(rows + cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (!(cost[i * cols + j] < thresh)) continue;
      linked[i] = linked[rows + j] = 1;
      parent[find(i)] = find(rows + j);
    }
  }
  const byRoot = new Map<number, { rows: number[]; cols: number[] }>();
  for (let k = 0; k < rows + cols; k++) {
    if (!linked[k]) continue;
    const root = find(k);
    let block = byRoot.get(root);
    if (!block) byRoot.set(root, (block = { rows: [], cols: [] }));
    if (k < rows) block.rows.push(k);
    else block.cols.push(k - rows);
  }
  return [...byRoot.values()];
}

/** `cost` is rows x cols, row-major. */
export function linearAssignment(cost: Float64Array, rows: number, cols: number, thresh: number): Assignment {
  const colOfRow = new Int32Array(rows).fill(-1);
  const rowOfCol = new Int32Array(cols).fill(-1);
  for (const block of blocks(cost, rows, cols, thresh)) {
    // Square, padded with 0 (= unmatched): a pair under the limit costs cost - thresh < 0.
    const n = Math.max(block.rows.length, block.cols.length);
    const square = new Float64Array(n * n);
    block.rows.forEach((i, a) =>
      block.cols.forEach((j, b) => {
        const c = cost[i * cols + j];
        square[a * n + b] = c < thresh ? c - thresh : 0;
      }),
    );
    const assigned = hungarian(square, n);
    block.rows.forEach((i, a) => {
      const b = assigned[a];
      if (b >= block.cols.length) return;
      const j = block.cols[b];
      if (!(cost[i * cols + j] < thresh)) return;
      colOfRow[i] = j;
      rowOfCol[j] = i;
    });
  }
  const matches: Array<[number, number]> = [];
  const unmatchedRows: number[] = [];
  const unmatchedCols: number[] = [];
  colOfRow.forEach((j, i) => (j >= 0 ? matches.push([i, j]) : unmatchedRows.push(i)));
  rowOfCol.forEach((i, j) => {
    if (i < 0) unmatchedCols.push(j);
  });
  return { matches, unmatchedRows, unmatchedCols };
}
