/**
 * MobileSAM's image encoder, TinyViT-5M at 1024: a conv stem and a stage of MBConv blocks at 1/4
 * resolution, then three stages of TinyViT blocks (windowed attention with learned per-offset biases,
 * a depthwise "local" conv, an MLP), joined by PatchMerging (MobileSAM keeps stride 1 into the last
 * stage, so the map ends at 64x64), then SAM's neck. Conv2d_BN pairs are folded into one conv with a
 * bias, as any inference export does.
 */
import type { SamGraph, Value } from './graph';
import { attend, conv2d, gelu, layerNorm, linear } from './layers';
import { neck } from './neck';
import * as op from './ops';
import { partition, unpartition } from './windows';

export interface TinyVitConfig {
  imgSize: number;
  embedDims: readonly number[];
  depths: readonly number[];
  heads: readonly number[];
  windowSizes: readonly number[];
  mlpRatio: number;
  mbconvExpandRatio: number;
  outChans: number;
}

const EPS = 1e-5; // nn.LayerNorm default, which TinyViT uses

const toNchw = (g: SamGraph, scope: string, x: Value) => op.transpose(g, scope, x, [0, 3, 1, 2]);
const toNhwc = (g: SamGraph, scope: string, x: Value) => op.transpose(g, scope, x, [0, 2, 3, 1]);

function mbconv(g: SamGraph, scope: string, x: Value, expand: number): Value {
  const c = x.dims[1];
  let y = gelu(g, `${scope}.act1`, conv2d(g, `${scope}.conv1`, x, c * expand, 1));
  y = gelu(g, `${scope}.act2`, conv2d(g, `${scope}.conv2`, y, c * expand, 3, { padding: 1, groups: c * expand }));
  y = conv2d(g, `${scope}.conv3`, y, c, 1);
  return gelu(g, `${scope}.act3`, op.add(g, scope, y, x));
}

/** PatchMerging on NCHW: 1x1 up, depthwise 3x3 (stride 2, or 1 into MobileSAM's last stage), 1x1. */
function patchMerging(g: SamGraph, scope: string, x: Value, outDim: number): Value {
  const stride = [320, 448, 576].includes(outDim) ? 1 : 2;
  let y = gelu(g, `${scope}.act1`, conv2d(g, `${scope}.conv1`, x, outDim, 1));
  y = gelu(g, `${scope}.act2`, conv2d(g, `${scope}.conv2`, y, outDim, 3, { stride, padding: 1, groups: outDim }));
  return conv2d(g, `${scope}.conv3`, y, outDim, 1);
}

/** TinyViT's attention bias: a table [heads, ws * ws] over |dy|, |dx| offsets, gathered to [heads, N, N]. */
function attentionBias(g: SamGraph, scope: string, heads: number, ws: number): Value {
  const table = g.weight(`${scope}.attention_biases`, [heads, ws * ws], { kind: 'normal', std: 0.02 });
  const n = ws * ws;
  const index: number[] = [];
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) index.push(Math.abs(Math.floor(a / ws) - Math.floor(b / ws)) * ws + Math.abs((a % ws) - (b % ws)));
  }
  return op.reshape(g, scope, op.gather(g, scope, table, g.int64s(scope, index, [n * n]), 1), [heads, n, n]);
}

/** Attention on windows [nW, ws, ws, C]: LayerNorm, qkv (per head q|k|v), biased softmax, proj. */
function attention(g: SamGraph, scope: string, x: Value, heads: number): Value {
  const [, ws, , dim] = x.dims;
  const keyDim = dim / heads;
  const n = ws * ws;
  const tokens = op.reshape(g, scope, x, [-1, n, dim]);
  const qkv = op.reshape(g, scope, linear(g, `${scope}.qkv`, layerNorm(g, `${scope}.norm`, tokens, EPS), heads * 3 * keyDim), [
    0,
    0,
    heads,
    3 * keyDim,
  ]);
  const part = (i: number) => op.slice(g, scope, qkv, [3], [i * keyDim], [(i + 1) * keyDim]);
  const q = op.transpose(g, scope, part(0), [0, 2, 1, 3]);
  const kT = op.transpose(g, scope, part(1), [0, 2, 3, 1]);
  const v = op.transpose(g, scope, part(2), [0, 2, 1, 3]);
  const bias = attentionBias(g, scope, heads, ws);
  const out = attend(g, scope, q, kT, v, keyDim, (logits) => op.add(g, scope, logits, bias));
  const merged = op.reshape(g, scope, op.transpose(g, scope, out, [0, 2, 1, 3]), [0, 0, dim]);
  return op.reshape(g, scope, linear(g, `${scope}.proj`, merged, dim), [-1, ws, ws, dim]);
}

/** TinyViTBlock on NHWC maps. */
function block(g: SamGraph, scope: string, x: Value, heads: number, ws: number, mlpRatio: number): Value {
  const dim = x.dims[3];
  const { windows, layout } = partition(g, `${scope}.window`, x, ws);
  let h = op.add(g, scope, x, unpartition(g, `${scope}.window`, attention(g, `${scope}.attn`, windows, heads), layout));
  h = toNhwc(g, scope, conv2d(g, `${scope}.local_conv`, toNchw(g, scope, h), dim, 3, { padding: 1, groups: dim }));
  let m = layerNorm(g, `${scope}.mlp.norm`, h, EPS);
  m = linear(g, `${scope}.mlp.fc2`, gelu(g, `${scope}.mlp.act`, linear(g, `${scope}.mlp.fc1`, m, dim * mlpRatio)), dim);
  return op.add(g, scope, h, m);
}

/** pixel_values [1, 3, S, S] -> embeddings [1, outChans, S/16, S/16]. */
export function tinyVitEncoder(g: SamGraph, cfg: TinyVitConfig, pixels: Value): Value {
  const [d0] = cfg.embedDims;
  const stem = 'image_encoder.patch_embed.seq';
  let x = gelu(g, `${stem}.1`, conv2d(g, `${stem}.0`, pixels, d0 / 2, 3, { stride: 2, padding: 1 }));
  x = conv2d(g, `${stem}.2`, x, d0, 3, { stride: 2, padding: 1 });
  for (let i = 0; i < cfg.depths[0]; i++) x = mbconv(g, `image_encoder.layers.0.blocks.${i}`, x, cfg.mbconvExpandRatio);
  x = toNhwc(g, 'image_encoder.layers.0', patchMerging(g, 'image_encoder.layers.0.downsample', x, cfg.embedDims[1]));
  for (let s = 1; s < cfg.depths.length; s++) {
    const scope = `image_encoder.layers.${s}`;
    for (let i = 0; i < cfg.depths[s]; i++) x = block(g, `${scope}.blocks.${i}`, x, cfg.heads[s], cfg.windowSizes[s], cfg.mlpRatio);
    if (s < cfg.depths.length - 1) x = toNhwc(g, scope, patchMerging(g, `${scope}.downsample`, toNchw(g, scope, x), cfg.embedDims[s + 1]));
  }
  return neck(g, toNchw(g, 'image_encoder.neck', x), cfg.outChans);
}
