/**
 * The Kalman filter against a plain dense-matrix statement of the same equations (matrix products and
 * an explicit inverse), and its constant-velocity behaviour.
 */
import { initiate, predict, update } from '../../lib/video/tracker/kalman';

type M = number[][];
const mul = (a: M, b: M): M => a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const T = (a: M): M => a[0].map((_, j) => a.map((row) => row[j]));
const add = (a: M, b: M): M => a.map((row, i) => row.map((v, j) => v + b[i][j]));
const sub = (a: M, b: M): M => a.map((row, i) => row.map((v, j) => v - b[i][j]));
const diag = (v: number[]): M => v.map((x, i) => v.map((_, j) => (i === j ? x : 0)));
const eye = (n: number): M => diag(new Array(n).fill(1));
function inverse(a: M): M {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...eye(n)[i]]);
  for (let c = 0; c < n; c++) {
    const p = m.reduce((best, row, r) => (r >= c && Math.abs(row[c]) > Math.abs(m[best][c]) ? r : best), c);
    [m[c], m[p]] = [m[p], m[c]];
    const pivot = m[c][c];
    m[c] = m[c].map((v) => v / pivot);
    for (let r = 0; r < n; r++) if (r !== c) m[r] = m[r].map((v, j) => v - m[r][c] * m[c][j]);
  }
  return m.map((row) => row.slice(n));
}
const toM = (flat: Float64Array, n: number): M =>
  Array.from({ length: flat.length / n }, (_, i) => Array.from(flat.slice(i * n, i * n + n)));

const F = add(
  eye(8),
  [...Array(8)].map((_, i) => [...Array(8)].map((__, j) => (j === i + 4 ? 1 : 0))),
);
const H = eye(8).slice(0, 4);

function referencePredict(mean: number[], P: M): [number[], M] {
  const h = mean[3];
  const Q = diag([h / 20, h / 20, 1e-2, h / 20, h / 160, h / 160, 1e-5, h / 160].map((s) => s * s));
  return [T(mul(F, T([mean])))[0], add(mul(mul(F, P), T(F)), Q)];
}

function referenceUpdate(mean: number[], P: M, z: number[]): [number[], M] {
  const h = mean[3];
  const R = diag([h / 20, h / 20, 1e-1, h / 20].map((s) => s * s));
  const S = add(mul(mul(H, P), T(H)), R);
  const K = mul(mul(P, T(H)), inverse(S));
  const innovation = z.map((v, i) => v - mean[i]);
  return [mean.map((v, i) => v + K[i].reduce((s, k, j) => s + k * innovation[j], 0)), sub(P, mul(mul(K, S), T(K)))];
}

describe('Kalman filter (xyah, constant velocity)', () => {
  test('initiate, predict and update agree with the dense equations', () => {
    const state = initiate([100, 80, 0.5, 40]);
    let mean = Array.from(state.mean);
    let P = toM(state.covariance, 8);
    expect(P[0][0]).toBeCloseTo(16, 12); // (2 * h / 20)^2
    const measurements = [
      [103, 81, 0.52, 41],
      [106.5, 82, 0.5, 40.5],
      [110, 83.2, 0.49, 41.2],
    ];
    for (const z of measurements) {
      predict(state);
      [mean, P] = referencePredict(mean, P);
      update(state, z);
      [mean, P] = referenceUpdate(mean, P, z);
      Array.from(state.mean).forEach((v, i) => expect(v).toBeCloseTo(mean[i], 9));
      toM(state.covariance, 8).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(P[i][j], 9)));
    }
  });

  test('learns a constant velocity and predicts the next position', () => {
    const state = initiate([0, 0, 1, 50]);
    for (let t = 1; t <= 20; t++) {
      predict(state);
      update(state, [5 * t, -2 * t, 1, 50]);
    }
    predict(state);
    expect(state.mean[0]).toBeCloseTo(105, 0);
    expect(state.mean[1]).toBeCloseTo(-42, 0);
    expect(state.mean[4]).toBeCloseTo(5, 0);
    expect(state.mean[5]).toBeCloseTo(-2, 0);
  });
});
