/**
 * SAM's prompt encoder + mask decoder as one graph, with the transformers / transformers.js SamModel
 * I/O: image_embeddings and image_positional_embeddings [1, C, E, E], input_points [1, P, N, 2]
 * (encoder-input pixels), input_labels [1, P, N] (int64) -> iou_scores [1, P, 3], pred_masks
 * [1, P, 3, 4E, 4E] (multimask output, as the automatic mask generator asks for). P (prompts decoded
 * together) and N (points per prompt) are dynamic.
 */
import type { SamGraph, Value } from './graph';
import { gelu, layerNorm2d, mlp } from './layers';
import { ONNX_ELEM_TYPE } from '../../lib/onnx/model-info';
import * as op from './ops';
import { type PromptEncoderConfig, denseEmbedding, sparseEmbeddings } from './prompt-encoder';
import { type TwoWayConfig, twoWayTransformer } from './two-way-transformer';

export interface MaskDecoderConfig {
  prompt: PromptEncoderConfig;
  transformer: TwoWayConfig;
  /** Side of the image embedding (64). */
  embedSize: number;
  numMultimaskOutputs: number;
  iouHeadHidden: number;
}

/** Nominal prompt batch and points per prompt, for dims tracking only (the graph takes any). */
export interface DecoderNominal {
  prompts: number;
  points: number;
}

/** [1, C, E, E] -> [P, E * E, C], repeated once per prompt (SAM's repeat_interleave). */
function perPrompt(g: SamGraph, scope: string, x: Value, like: Value): Value {
  const [, c, h, w] = x.dims;
  const tokens = op.transpose(g, scope, op.reshape(g, scope, x, [1, c, h * w]), [0, 2, 1]);
  return op.expandLeading(g, scope, tokens, like, 0);
}

/** Upscales the image tokens 4x: two stride-2 transposed convs with LayerNorm2d and GELU. */
function upscale(g: SamGraph, keys: Value, c: number, size: number): Value {
  const scope = 'mask_decoder.output_upscaling';
  const map = op.reshape(g, scope, op.transpose(g, scope, keys, [0, 2, 1]), [0, c, size, size]);
  const up = (x: Value, i: number, out: number) => {
    const w = g.weight(`${scope}.${i}.weight`, [x.dims[1], out, 2, 2], { kind: 'fanIn', fanIn: out * 4 });
    const b = g.weight(`${scope}.${i}.bias`, [out], { kind: 'fanIn', fanIn: out * 4 });
    return op.convTranspose(g, `${scope}.${i}`, x, w, b, 2);
  };
  const first = gelu(g, `${scope}.2`, layerNorm2d(g, `${scope}.1`, up(map, 0, c / 4)));
  return gelu(g, `${scope}.4`, up(first, 3, c / 8));
}

export function maskDecoder(g: SamGraph, cfg: MaskDecoderConfig, seed: number, nominal: DecoderNominal): void {
  const c = cfg.transformer.dim;
  const e = cfg.embedSize;
  const masks = cfg.numMultimaskOutputs + 1;
  const image = g.input('image_embeddings', [1, c, e, e]);
  const imagePe = g.input('image_positional_embeddings', [1, c, e, e]);
  const dynamic = [null, 'point_batch_size', 'nb_points_per_image'];
  const points = g.input('input_points', [1, nominal.prompts, nominal.points, 2], { symbolic: dynamic });
  const labels = g.input('input_labels', [1, nominal.prompts, nominal.points], { symbolic: dynamic, elemType: ONNX_ELEM_TYPE.INT64 });

  const scope = 'mask_decoder';
  const pts = op.squeeze(g, scope, points, [0]);
  const sparse = sparseEmbeddings(g, cfg.prompt, seed, pts, op.squeeze(g, scope, labels, [0]));
  const iouToken = g.weight(`${scope}.iou_token.weight`, [1, c], { kind: 'normal', std: 1 });
  const maskTokens = g.weight(`${scope}.mask_tokens.weight`, [masks, c], { kind: 'normal', std: 1 });
  const outputTokens = op.expandLeading(g, scope, op.unsqueeze(g, scope, op.concat(g, scope, [iouToken, maskTokens], 0), [0]), pts, 0);
  const tokens = op.concat(g, scope, [outputTokens, sparse], 1);
  const src = perPrompt(g, scope, op.add(g, scope, image, denseEmbedding(g, cfg.prompt)), pts);
  const pos = perPrompt(g, scope, imagePe, pts);

  const { queries, keys } = twoWayTransformer(g, cfg.transformer, tokens, src, pos);
  const upscaled = upscale(g, keys, c, e); // [P, C/8, 4E, 4E]
  const hyper = Array.from({ length: masks }, (_, i) => {
    const token = op.gather(g, scope, queries, g.int64s(scope, [1 + i], []), 1);
    return op.unsqueeze(g, scope, mlp(g, `${scope}.output_hypernetworks_mlps.${i}`, token, [c, c, c / 8]), [1]);
  });
  const flat = op.reshape(g, scope, upscaled, [0, c / 8, -1]);
  const side = 4 * e;
  const allMasks = op.reshape(g, scope, op.matmul(g, scope, op.concat(g, scope, hyper, 1), flat), [0, masks, side, side]);
  const iouToken0 = op.gather(g, scope, queries, g.int64s(scope, [0], []), 1);
  const iou = mlp(g, `${scope}.iou_prediction_head`, iouToken0, [cfg.iouHeadHidden, cfg.iouHeadHidden, masks]);

  // Multimask output: masks 1..3 (mask 0 is the single-mask answer).
  const pickedMasks = op.slice(g, scope, allMasks, [1], [1], [masks]);
  const pickedIou = op.slice(g, scope, iou, [1], [1], [masks]);
  g.output(op.unsqueeze(g, scope, pickedIou, [0]), 'iou_scores', [null, 'point_batch_size', null]);
  g.output(op.unsqueeze(g, scope, pickedMasks, [0]), 'pred_masks', [null, 'point_batch_size', null, null, null]);
}
