/**
 * SAM's TwoWayTransformer: prompt tokens and image tokens attend to each other. Each block: token
 * self-attention, tokens -> image cross-attention, token MLP, image -> tokens cross-attention (the
 * cross-attentions work at half width); a final tokens -> image attention closes it. Positional
 * encodings are re-added to queries and keys at every attention, as SAM does.
 */
import type { SamGraph, Value } from './graph';
import { attend, layerNorm, linear, relu } from './layers';
import * as op from './ops';

export interface TwoWayConfig {
  dim: number;
  depth: number;
  heads: number;
  mlpDim: number;
  /** Cross-attention width divisor (2). */
  downsample: number;
}

const EPS = 1e-5;

/** SAM's Attention: project q/k/v to `internal`, split heads, attend, recombine, project back. */
function attention(g: SamGraph, scope: string, q: Value, k: Value, v: Value, heads: number, internal: number): Value {
  const c = internal / heads;
  const heads4 = (x: Value) => op.reshape(g, scope, x, [0, 0, heads, c]);
  const qh = op.transpose(g, scope, heads4(linear(g, `${scope}.q_proj`, q, internal)), [0, 2, 1, 3]);
  const kT = op.transpose(g, scope, heads4(linear(g, `${scope}.k_proj`, k, internal)), [0, 2, 3, 1]);
  const vh = op.transpose(g, scope, heads4(linear(g, `${scope}.v_proj`, v, internal)), [0, 2, 1, 3]);
  const out = attend(g, scope, qh, kT, vh, c);
  const merged = op.reshape(g, scope, op.transpose(g, scope, out, [0, 2, 1, 3]), [0, 0, internal]);
  return linear(g, `${scope}.out_proj`, merged, q.dims[2]);
}

interface Streams {
  queries: Value;
  keys: Value;
}

function block(g: SamGraph, cfg: TwoWayConfig, index: number, s: Streams, queryPe: Value, keyPe: Value): Streams {
  const scope = `mask_decoder.transformer.layers.${index}`;
  const cross = cfg.dim / cfg.downsample;
  let queries: Value;
  if (index === 0) {
    queries = attention(g, `${scope}.self_attn`, s.queries, s.queries, s.queries, cfg.heads, cfg.dim); // skip_first_layer_pe
  } else {
    const q = op.add(g, scope, s.queries, queryPe);
    queries = op.add(g, scope, s.queries, attention(g, `${scope}.self_attn`, q, q, s.queries, cfg.heads, cfg.dim));
  }
  queries = layerNorm(g, `${scope}.norm1`, queries, EPS);
  let q = op.add(g, scope, queries, queryPe);
  let k = op.add(g, scope, s.keys, keyPe);
  queries = layerNorm(
    g,
    `${scope}.norm2`,
    op.add(g, scope, queries, attention(g, `${scope}.cross_attn_token_to_image`, q, k, s.keys, cfg.heads, cross)),
    EPS,
  );
  const mlpOut = linear(g, `${scope}.mlp.lin2`, relu(g, `${scope}.mlp`, linear(g, `${scope}.mlp.lin1`, queries, cfg.mlpDim)), cfg.dim);
  queries = layerNorm(g, `${scope}.norm3`, op.add(g, scope, queries, mlpOut), EPS);
  q = op.add(g, scope, queries, queryPe);
  k = op.add(g, scope, s.keys, keyPe);
  const keys = layerNorm(
    g,
    `${scope}.norm4`,
    op.add(g, scope, s.keys, attention(g, `${scope}.cross_attn_image_to_token`, k, q, queries, cfg.heads, cross)),
    EPS,
  );
  return { queries, keys };
}

/** tokens [P, T, C], image [P, HW, C], imagePe [P, HW, C] -> updated tokens and image tokens. */
export function twoWayTransformer(g: SamGraph, cfg: TwoWayConfig, tokens: Value, image: Value, imagePe: Value): Streams {
  let s: Streams = { queries: tokens, keys: image };
  for (let i = 0; i < cfg.depth; i++) s = block(g, cfg, i, s, tokens, imagePe);
  const scope = 'mask_decoder.transformer';
  const q = op.add(g, scope, s.queries, tokens);
  const k = op.add(g, scope, s.keys, imagePe);
  const attn = attention(g, `${scope}.final_attn_token_to_image`, q, k, s.keys, cfg.heads, cfg.dim / cfg.downsample);
  return { queries: layerNorm(g, `${scope}.norm_final_attn`, op.add(g, scope, s.queries, attn), EPS), keys: s.keys };
}
