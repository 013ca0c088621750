/**
 * SAM's prompt encoder, for points and boxes (a box is its two corners with labels 2 and 3, as SAM's
 * own ONNX export takes it). Each point becomes PE(coords) plus its label's embedding; label -1 (not a
 * point) drops the PE. A padding point (label -1) is appended, as SAM and transformers do when no box
 * tensor is given. With no mask prompt the dense embedding is the learned no_mask_embed everywhere.
 */
import type { SamGraph, Value } from './graph';
import * as op from './ops';
import { encodeCoords, gaussianWeight } from './positional';

export interface PromptEncoderConfig {
  embedDim: number;
  /** The encoder's input size the point coordinates refer to (1024). */
  inputImageSize: number;
}

/** points [P, N, 2] (input-frame pixels), labels [P, N] int64 in -1..3 -> sparse embeddings [P, N + 1, C]. */
export function sparseEmbeddings(g: SamGraph, cfg: PromptEncoderConfig, seed: number, points: Value, labels: Value): Value {
  const scope = 'prompt_encoder';
  const c = cfg.embedDim;
  const coords = op.scale(g, scope, op.offset(g, scope, points, 0.5), 1 / cfg.inputImageSize); // pixel centres, in [0, 1]
  const pe = encodeCoords(g, scope, coords, gaussianWeight(g, seed, c / 2));
  const notAPoint = g.weight(`${scope}.not_a_point_embed.weight`, [1, c], { kind: 'normal', std: 1 });
  const perLabel = [0, 1, 2, 3].map((i) => g.weight(`${scope}.point_embeddings.${i}.weight`, [1, c], { kind: 'normal', std: 1 }));
  const table = op.concat(g, scope, [notAPoint, ...perLabel], 0); // row = label + 1
  const row = g.node('Add', scope, [labels, g.int64s(scope, [1], [])], labels.dims);
  const keep = op.gather(g, scope, g.floats(scope, [5, 1], Float32Array.of(0, 1, 1, 1, 1)), row, 0); // [P, N, 1]
  const sparse = op.add(g, scope, op.mul(g, scope, pe, keep), op.gather(g, scope, table, row, 0));
  const padding = op.expandLeading(g, scope, op.unsqueeze(g, scope, notAPoint, [0]), points, 0); // [P, 1, C]
  return op.concat(g, scope, [sparse, padding], 1);
}

/** no_mask_embed as [1, C, 1, 1], broadcast over the embedding map. */
export function denseEmbedding(g: SamGraph, cfg: PromptEncoderConfig): Value {
  return g.weight('prompt_encoder.no_mask_embed.weight', [1, cfg.embedDim, 1, 1], { kind: 'normal', std: 1 });
}
