/**
 * ByteTrack's Kalman filter over boxes in xyah form: centre x, centre y, aspect ratio (w / h), height,
 * and their velocities (8 states, constant-velocity model). Process and measurement noise scale with
 * the box height, with Ultralytics' (and the ByteTrack paper's) weights: 1/20 for positions, 1/160 for
 * velocities, and small fixed noise on the aspect ratio.
 */

/** 8 state means and the 8 x 8 covariance (row-major), updated in place. */
export interface KalmanState {
  mean: Float64Array;
  covariance: Float64Array;
}

const STD_POSITION = 1 / 20;
const STD_VELOCITY = 1 / 160;

function diagonal(std: number[]): Float64Array {
  const out = new Float64Array(64);
  std.forEach((s, i) => (out[i * 9] = s * s));
  return out;
}

/** A new track's state from its first measurement: velocities 0, wide uncertainty on them. */
export function initiate(xyah: ArrayLike<number>): KalmanState {
  const h = xyah[3];
  const mean = new Float64Array(8);
  for (let i = 0; i < 4; i++) mean[i] = xyah[i];
  const p = 2 * STD_POSITION * h;
  const v = 10 * STD_VELOCITY * h;
  return { mean, covariance: diagonal([p, p, 1e-2, p, v, v, 1e-5, v]) };
}

/** One step of constant-velocity motion: mean = F mean, P = F P F' + Q (F adds each velocity to its value). */
export function predict(state: KalmanState): void {
  const { mean, covariance: P } = state;
  const h = mean[3];
  const p = STD_POSITION * h;
  const v = STD_VELOCITY * h;
  const q = [p, p, 1e-2, p, v, v, 1e-5, v];
  for (let i = 0; i < 4; i++) mean[i] += mean[i + 4];
  // F P F' with F = [[I, I], [0, I]]: rows i < 4 gain row i + 4, then columns j < 4 gain column j + 4.
  for (let i = 0; i < 4; i++) for (let j = 0; j < 8; j++) P[i * 8 + j] += P[(i + 4) * 8 + j];
  for (let i = 0; i < 8; i++) for (let j = 0; j < 4; j++) P[i * 8 + j] += P[i * 8 + j + 4];
  for (let i = 0; i < 8; i++) P[i * 9] += q[i] * q[i];
}

/** Cholesky factor L (4 x 4, lower) of a symmetric positive-definite S. */
function cholesky4(S: Float64Array): Float64Array {
  const L = new Float64Array(16);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = S[i * 4 + j];
      for (let k = 0; k < j; k++) sum -= L[i * 4 + k] * L[j * 4 + k];
      L[i * 4 + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / L[j * 4 + j];
    }
  }
  return L;
}

/** Solves S x = b in place (b of length 4) given S = L L'. */
function choleskySolve(L: Float64Array, b: Float64Array): void {
  for (let i = 0; i < 4; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= L[i * 4 + k] * b[k];
    b[i] = sum / L[i * 4 + i];
  }
  for (let i = 3; i >= 0; i--) {
    let sum = b[i];
    for (let k = i + 1; k < 4; k++) sum -= L[k * 4 + i] * b[k];
    b[i] = sum / L[i * 4 + i];
  }
}

/**
 * The correction step with a measured box (xyah): project the state to measurement space (H takes the
 * first four states; measurement noise R), gain K = P H' S^-1 with S = H P H' + R, then
 * mean += K (z - H mean) and P -= K S K'.
 */
export function update(state: KalmanState, xyah: ArrayLike<number>): void {
  const { mean, covariance: P } = state;
  const h = mean[3];
  const r = [STD_POSITION * h, STD_POSITION * h, 1e-1, STD_POSITION * h];
  const S = new Float64Array(16);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) S[i * 4 + j] = P[i * 8 + j] + (i === j ? r[i] * r[i] : 0);
  const L = cholesky4(S);
  // K' = S^-1 (H P): solve one 4-vector per state column. K is 8 x 4.
  const K = new Float64Array(32);
  const column = new Float64Array(4);
  for (let s = 0; s < 8; s++) {
    for (let i = 0; i < 4; i++) column[i] = P[i * 8 + s];
    choleskySolve(L, column);
    for (let i = 0; i < 4; i++) K[s * 4 + i] = column[i];
  }
  const innovation = [0, 1, 2, 3].map((i) => xyah[i] - mean[i]);
  for (let s = 0; s < 8; s++) {
    let sum = 0;
    for (let i = 0; i < 4; i++) sum += K[s * 4 + i] * innovation[i];
    mean[s] += sum;
  }
  // K S K' = K (H P) since K S = P H': P -= K (H P).
  const HP = P.slice(0, 32); // the first four rows of P, before it changes
  for (let a = 0; a < 8; a++) {
    for (let b = 0; b < 8; b++) {
      let sum = 0;
      for (let i = 0; i < 4; i++) sum += K[a * 4 + i] * HP[i * 8 + b];
      P[a * 8 + b] -= sum;
    }
  }
}
