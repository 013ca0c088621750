/**
 * The reference's retrieval math (CASIA `retrieve`): L2-normalised features, logits = 100 * cosine, and a
 * softmax over the candidate crops for each text. float32 results, float64 sums.
 */

/** Unit-length copy of each `dim`-wide row of `data` (a zero row stays zero instead of becoming NaN). */
export function normaliseRows(data: Float32Array, count: number, dim: number): Float32Array[] {
  return Array.from({ length: count }, (_, r) => {
    const row = data.subarray(r * dim, (r + 1) * dim);
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += row[i] * row[i];
    const norm = Math.sqrt(sum);
    return norm > 0 ? row.map((v) => v / norm) : Float32Array.from(row);
  });
}

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** softmax(scale * <image_i, text>) over the images i: the probability that each crop is the text. */
export function softmaxScores(images: readonly Float32Array[], text: Float32Array, scale = 100): Float32Array {
  const logits = images.map((image) => scale * dot(image, text));
  const max = logits.reduce((a, b) => Math.max(a, b), -Infinity);
  const exps = logits.map((l) => Math.exp(l - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return Float32Array.from(exps, (e) => e / total);
}

/** Index of the first maximum (-1 for none). */
export function argmax(values: ArrayLike<number>): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) if (best < 0 || values[i] > values[best]) best = i;
  return best;
}
