/**
 * NumPy's default np.argsort (kind='quicksort', its portable introsort: median-of-3 quicksort, insertion
 * sort for runs of up to 16, heapsort past a depth limit). It is not stable, and the reference leans on it
 * where confidences or IoUs tie, so the order of equal values is reproduced, not just the sort. (NumPy
 * builds that dispatch argsort to AVX-512 code order ties differently again; this is the portable one.)
 */

const SMALL_QUICKSORT = 15;

/** NumPy's float less-than: NaNs sort last. */
function less(a: number, b: number): boolean {
  return a < b || (b !== b && a === a);
}

function heapsort(v: ArrayLike<number>, idx: number[], start: number, n: number): void {
  // 1-based heap over idx[start .. start + n - 1].
  const a = (k: number) => idx[start + k - 1];
  const set = (k: number, value: number) => {
    idx[start + k - 1] = value;
  };
  const siftDown = (tmp: number, from: number, size: number) => {
    let i = from;
    let j = from << 1;
    while (j <= size) {
      if (j < size && less(v[a(j)], v[a(j + 1)])) j += 1;
      if (!less(v[tmp], v[a(j)])) break;
      set(i, a(j));
      i = j;
      j += j;
    }
    set(i, tmp);
  };
  for (let l = n >> 1; l > 0; --l) siftDown(a(l), l, n);
  for (let size = n; size > 1;) {
    const tmp = a(size);
    set(size, a(1));
    size -= 1;
    siftDown(tmp, 1, size);
  }
}

/** Indices that sort `v` ascending, tie order as NumPy's quicksort leaves it. */
export function argsortNumpy(v: ArrayLike<number>): number[] {
  const num = v.length;
  const idx = Array.from({ length: num }, (_, i) => i);
  if (num < 2) return idx;
  const swap = (i: number, j: number) => {
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  };
  const stack: number[] = [];
  const depths: number[] = [];
  let pl = 0;
  let pr = num - 1;
  let cdepth = 2 * Math.floor(Math.log2(num));
  for (;;) {
    if (cdepth < 0) {
      heapsort(v, idx, pl, pr - pl + 1);
    } else {
      while (pr - pl > SMALL_QUICKSORT) {
        const pm = pl + ((pr - pl) >> 1);
        if (less(v[idx[pm]], v[idx[pl]])) swap(pm, pl);
        if (less(v[idx[pr]], v[idx[pm]])) swap(pr, pm);
        if (less(v[idx[pm]], v[idx[pl]])) swap(pm, pl);
        const vp = v[idx[pm]];
        let pi = pl;
        let pj = pr - 1;
        swap(pm, pj);
        for (;;) {
          do ++pi;
          while (less(v[idx[pi]], vp));
          do --pj;
          while (less(vp, v[idx[pj]]));
          if (pi >= pj) break;
          swap(pi, pj);
        }
        swap(pi, pr - 1);
        // Continue with the smaller partition; push the larger one.
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depths.push(--cdepth);
      }
      for (let pi = pl + 1; pi <= pr; ++pi) {
        const vi = idx[pi];
        const vpi = v[vi];
        let pj = pi;
        while (pj > pl && less(vpi, v[idx[pj - 1]])) {
          idx[pj] = idx[pj - 1];
          pj--;
        }
        idx[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    pr = stack.pop() as number;
    pl = stack.pop() as number;
    cdepth = depths.pop() as number;
  }
  return idx;
}
