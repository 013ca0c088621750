/**
 * SAM's image encoder (ImageEncoderViT): 16x16 patch embedding, absolute position embedding, ViT
 * blocks whose attention is windowed (14x14, maps padded 64 -> 70) except at a few global blocks, with
 * decomposed relative positions in every block, then the neck. Channels-last inside, as SAM does.
 */
import type { SamGraph, Value } from './graph';
import { attend, conv2d, gelu, layerNorm, linear } from './layers';
import { neck } from './neck';
import * as op from './ops';
import { partition, unpartition } from './windows';

export interface VitConfig {
  imgSize: number;
  patchSize: number;
  embedDim: number;
  depth: number;
  heads: number;
  mlpRatio: number;
  windowSize: number;
  /** Blocks with global attention (SAM ViT-B: 2, 5, 8, 11). */
  globalAttnIndexes: readonly number[];
  /** Embedding width after the neck (256). */
  outChans: number;
}

const EPS = 1e-6;

/** rel_pos table [2 * size - 1, headDim] gathered to [size, size, headDim] by (q - k + size - 1). */
function relativeTable(g: SamGraph, scope: string, name: string, size: number, headDim: number): Value {
  const table = g.weight(`${scope}.${name}`, [2 * size - 1, headDim], { kind: 'normal', std: 0.02 });
  const index: number[] = [];
  for (let q = 0; q < size; q++) for (let k = 0; k < size; k++) index.push(q - k + size - 1);
  return op.gather(g, scope, table, g.int64s(scope, index, [size, size]), 0);
}

/** rel_h / rel_w: einsum('bhwc,hkc->bhwk') and einsum('bhwc,wkc->bhwk') as batched matmuls. */
function decomposedRelPos(g: SamGraph, scope: string, q: Value, size: number, headDim: number): { relH: Value; relW: Value } {
  const rq = op.reshape(g, scope, q, [-1, size, size, headDim]); // [Bh, H, W, c]
  const rh = op.transpose(g, scope, relativeTable(g, scope, 'rel_pos_h', size, headDim), [0, 2, 1]); // [H, c, kH]
  const rw = op.transpose(g, scope, relativeTable(g, scope, 'rel_pos_w', size, headDim), [0, 2, 1]); // [W, c, kW]
  const byRow = op.reshape(g, scope, op.transpose(g, scope, rq, [1, 0, 2, 3]), [size, -1, headDim]);
  const relH = op.transpose(g, scope, op.reshape(g, scope, op.matmul(g, scope, byRow, rh), [size, -1, size, size]), [1, 0, 2, 3]);
  const byCol = op.reshape(g, scope, op.transpose(g, scope, rq, [2, 0, 1, 3]), [size, -1, headDim]);
  const relW = op.transpose(g, scope, op.reshape(g, scope, op.matmul(g, scope, byCol, rw), [size, -1, size, size]), [1, 2, 0, 3]);
  return { relH, relW };
}

/** Multi-head attention with relative positions on [B_, S, S, C] (S the window or the full map). */
function attention(g: SamGraph, scope: string, x: Value, heads: number): Value {
  const [, size, , dim] = x.dims;
  const headDim = dim / heads;
  const tokens = size * size;
  const qkv = linear(g, `${scope}.qkv`, x, 3 * dim);
  const split = op.transpose(g, scope, op.reshape(g, scope, qkv, [-1, tokens, 3, heads, headDim]), [2, 0, 3, 1, 4]);
  const stacked = op.reshape(g, scope, split, [3, -1, tokens, headDim]); // [3, B_ * heads, N, c]
  const pick = (i: number) => op.gather(g, scope, stacked, g.int64s(scope, [i], []), 0);
  const [q, k, v] = [pick(0), pick(1), pick(2)];
  const kT = op.transpose(g, scope, k, [0, 2, 1]);
  const out = attend(g, scope, q, kT, v, headDim, (logits) => {
    const { relH, relW } = decomposedRelPos(g, scope, q, size, headDim);
    const grid = op.reshape(g, scope, logits, [-1, size, size, size, size]);
    const biased = op.add(g, scope, op.add(g, scope, grid, op.unsqueeze(g, scope, relH, [4])), op.unsqueeze(g, scope, relW, [3]));
    return op.reshape(g, scope, biased, [-1, tokens, tokens]);
  });
  const merged = op.transpose(g, scope, op.reshape(g, scope, out, [-1, heads, size, size, headDim]), [0, 2, 3, 1, 4]);
  return linear(g, `${scope}.proj`, op.reshape(g, scope, merged, [-1, size, size, dim]), dim);
}

function block(g: SamGraph, cfg: VitConfig, index: number, x: Value): Value {
  const scope = `image_encoder.blocks.${index}`;
  const windowed = !cfg.globalAttnIndexes.includes(index);
  let y = layerNorm(g, `${scope}.norm1`, x, EPS);
  if (windowed) {
    const { windows, layout } = partition(g, `${scope}.window`, y, cfg.windowSize);
    y = unpartition(g, `${scope}.window`, attention(g, `${scope}.attn`, windows, cfg.heads), layout);
  } else {
    y = attention(g, `${scope}.attn`, y, cfg.heads);
  }
  const h = op.add(g, scope, x, y);
  let m = layerNorm(g, `${scope}.norm2`, h, EPS);
  m = linear(g, `${scope}.mlp.lin1`, m, cfg.embedDim * cfg.mlpRatio);
  m = linear(g, `${scope}.mlp.lin2`, gelu(g, `${scope}.mlp.act`, m), cfg.embedDim);
  return op.add(g, scope, h, m);
}

/** pixel_values [1, 3, S, S] -> embeddings [1, outChans, S/16, S/16]. */
export function vitEncoder(g: SamGraph, cfg: VitConfig, pixels: Value): Value {
  const grid = cfg.imgSize / cfg.patchSize;
  const patches = conv2d(g, 'image_encoder.patch_embed.proj', pixels, cfg.embedDim, cfg.patchSize, { stride: cfg.patchSize });
  let x = op.transpose(g, 'image_encoder.patch_embed', patches, [0, 2, 3, 1]);
  const posEmbed = g.weight('image_encoder.pos_embed', [1, grid, grid, cfg.embedDim], { kind: 'normal', std: 0.02 });
  x = op.add(g, 'image_encoder', x, posEmbed);
  for (let i = 0; i < cfg.depth; i++) x = block(g, cfg, i, x);
  return neck(g, op.transpose(g, 'image_encoder.neck', x, [0, 3, 1, 2]), cfg.outChans);
}
