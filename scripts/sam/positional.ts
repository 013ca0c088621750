/**
 * SAM's random Fourier positional encoding (PositionEmbeddingRandom): coordinates in [0, 1] map to
 * [sin(2π(2c-1)G), cos(2π(2c-1)G)] with a fixed Gaussian matrix G [2, F]. The same G encodes the prompt
 * points (prompt encoder) and the image grid (the image-wide positional embedding), so both graphs draw
 * it from one seed.
 */
import type { SamGraph, Value } from './graph';
import * as op from './ops';
import { Random } from './random';

/** G for a model built from `seed`: N(0, 1), as SAM initialises it (scale 1). */
export function gaussianMatrix(seed: number, features: number): Float32Array {
  return new Random((seed ^ 0x5eed) >>> 0).normal(2 * features);
}

/** Encodes coords [..., 2] (x, y in [0, 1]) to [..., 2F]. */
export function encodeCoords(g: SamGraph, scope: string, coords: Value, gaussian: Value): Value {
  const centered = op.offset(g, scope, op.scale(g, scope, coords, 2), -1);
  const projected = op.scale(g, scope, op.matmul(g, scope, centered, gaussian), 2 * Math.PI);
  return op.concat(g, scope, [op.unary(g, 'Sin', scope, projected), op.unary(g, 'Cos', scope, projected)], -1);
}

/** The matrix as a weight of `g` (HF calls it shared_image_embedding.positional_embedding). */
export function gaussianWeight(g: SamGraph, seed: number, features: number): Value {
  return g.weight('shared_image_embedding.positional_embedding', [2, features], gaussianMatrix(seed, features));
}

/** The image-wide positional embedding [1, 2F, size, size]: pixel centres of the embedding grid. */
export function imagePositionalEmbedding(g: SamGraph, seed: number, size: number, features: number): Value {
  const scope = 'image_positional_embeddings';
  const grid = new Float32Array(size * size * 2);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      grid[(y * size + x) * 2] = (x + 0.5) / size;
      grid[(y * size + x) * 2 + 1] = (y + 0.5) / size;
    }
  }
  const encoded = encodeCoords(g, scope, g.floats(scope, [size, size, 2], grid), gaussianWeight(g, seed, features));
  return op.unsqueeze(g, scope, op.transpose(g, scope, encoded, [2, 0, 1]), [0]);
}
