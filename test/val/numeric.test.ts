/** The NumPy semantics the reference metrics depend on; expected values printed by NumPy 1.24. */
import { argsortNumpy } from '../../lib/val/metrics/numpy-argsort';
import { interp, linspace, pairwiseSum, trapz } from '../../lib/val/metrics/numeric';

describe('NumPy routines', () => {
  it('np.argsort (quicksort) leaves ties in NumPy order, not input order', () => {
    const v = Float32Array.from([3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 0, 2, 1, 3, 2, 1, 0, 3, 2, 1, 2, 3]);
    expect(argsortNumpy(v)).toEqual([10, 16, 1, 19, 4, 7, 12, 15, 2, 5, 18, 8, 20, 11, 14, 17, 0, 9, 6, 3, 13, 21]);
  });

  it('np.argsort of short arrays is an insertion sort (stable)', () => {
    expect(argsortNumpy([2, 1, 2, 1, 0])).toEqual([4, 1, 3, 0, 2]);
    expect(argsortNumpy([])).toEqual([]);
  });

  it('np.argsort falls back to heapsort without losing elements', () => {
    // An organ-pipe input drives median-of-3 quicksort deep; whatever path it takes the result is sorted.
    const n = 5000;
    const v = Array.from({ length: n }, (_, i) => (i < n / 2 ? i : n - i));
    const order = argsortNumpy(v);
    expect(new Set(order).size).toBe(n);
    for (let i = 1; i < n; i++) expect(v[order[i - 1]] <= v[order[i]]).toBe(true);
  });

  it('np.interp picks the last of repeated x values and clamps outside', () => {
    const got = interp([0.5, 1.0, 1.5, 2.0, 2.5, -1, 9], [0, 1, 1, 2, 2, 3], [0, 10, 20, 30, 40, 50]);
    expect(Array.from(got)).toEqual([5, 20, 25, 40, 45, 0, 50]);
    expect(Array.from(interp([-1, 4], [0, 3], [1, 2], 7, 8))).toEqual([7, 8]);
  });

  it('np.linspace and np.trapz agree with NumPy to the last bit', () => {
    const x = linspace(0, 1, 101);
    expect(x[7]).toBe(0.07);
    expect(x[100]).toBe(1);
    expect(
      trapz(
        x.map((v) => v * v),
        x,
      ),
    ).toBe(0.33335000000000004);
  });

  it('pairwise summation sums blocks of 8 like np.add.reduce', () => {
    const a = Float64Array.from({ length: 300 }, (_, i) => 1 / (i + 1));
    const expected = a.reduce((s, v) => s + v, 0);
    expect(pairwiseSum(a)).toBeCloseTo(expected, 12);
    expect(pairwiseSum([1, 2, 3])).toBe(6);
  });
});
