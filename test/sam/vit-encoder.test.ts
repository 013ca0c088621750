/**
 * SAM's ViT image encoder builder: a tiny configuration runs in ONNX Runtime with every tracked dim
 * matching the runtime's, and the full-size graphs cost what SAM's encoders are published to cost.
 */
import * as ort from 'onnxruntime-node';
import { buildDecoderGraph, buildEncoderGraph } from '../../scripts/sam/build';
import { ARCHITECTURES } from '../../scripts/sam/configs';
import { countMacs } from '../../scripts/sam/flops';
import type { VitConfig } from '../../scripts/sam/vit-encoder';
import { TINY_VIT, floats, probe, run } from './helpers';

/** SAM ViT MACs from the architecture alone, written out independently of the graph builder. */
function analyticVitMacs(c: VitConfig): number {
  const g = c.imgSize / c.patchSize;
  const tokens = g * g;
  const dim = c.embedDim;
  let macs = tokens * dim * 3 * c.patchSize ** 2; // patch embedding
  for (let i = 0; i < c.depth; i++) {
    const side = c.globalAttnIndexes.includes(i) ? g : c.windowSize;
    const padded = Math.ceil(g / side) * side;
    const windows = (padded / side) ** 2;
    const n = side * side;
    const attnTokens = windows * n; // windowed blocks attend over the padded map
    macs += attnTokens * dim * 3 * dim; // qkv
    macs += 2 * windows * n * n * dim; // q k^T and attn v, all heads
    macs += 2 * windows * n * side * dim; // decomposed relative positions (rel_h, rel_w)
    macs += attnTokens * dim * dim; // proj
    macs += 2 * tokens * dim * dim * c.mlpRatio; // MLP
  }
  return macs + tokens * c.outChans * dim + tokens * c.outChans * c.outChans * 9; // neck
}

describe('SAM ViT encoder graph', () => {
  it('runs a tiny configuration in ONNX Runtime, every tracked dim as the runtime computes it', async () => {
    const g = buildEncoderGraph(TINY_VIT, 3);
    const pixels = new ort.Tensor(
      'float32',
      floats(3 * 128 * 128, (i) => Math.sin(i)),
      [1, 3, 128, 128],
    );
    const { outputs, mismatches, checked } = await probe(g, { pixel_values: pixels });
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(150);
    expect(outputs.image_embeddings.dims).toEqual([1, 32, 8, 8]);
    expect(outputs.image_positional_embeddings.dims).toEqual([1, 32, 8, 8]);
    expect(Array.from(outputs.image_embeddings.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('gives the same embeddings optimised as unoptimised (no op is misread by the runtime)', async () => {
    const g = buildEncoderGraph(TINY_VIT, 4);
    const pixels = new ort.Tensor(
      'float32',
      floats(3 * 128 * 128, (i) => Math.cos(i / 7)),
      [1, 3, 128, 128],
    );
    const optimised = (await run(g, { pixel_values: pixels })).image_embeddings.data as Float32Array;
    const plain = (await probe(g, { pixel_values: pixels })).outputs.image_embeddings.data as Float32Array;
    optimised.forEach((v, i) => expect(v).toBeCloseTo(plain[i], 3));
  });

  it('is deterministic in its seed', () => {
    const a = buildEncoderGraph(TINY_VIT, 5).initializers;
    const b = buildEncoderGraph(TINY_VIT, 5).initializers;
    expect(a.map((i) => Array.from(i.data).slice(0, 4))).toEqual(b.map((i) => Array.from(i.data).slice(0, 4)));
  });

  it('counts the MACs of the architecture, matching an independent formula', () => {
    for (const variant of ['vit-b', 'vit-l', 'vit-h'] as const) {
      const arch = ARCHITECTURES[variant];
      if (arch.encoder.kind !== 'vit') throw new Error('expected a ViT');
      expect(countMacs(buildEncoderGraph(arch, null)).total).toBe(analyticVitMacs(arch.encoder.config));
    }
  });

  it("costs what SAM's encoders are published to cost at 1024x1024", () => {
    const gmacs = (variant: 'vit-b' | 'vit-h') => countMacs(buildEncoderGraph(ARCHITECTURES[variant], null)).total / 1e9;
    // ~488 G for ViT-B (efficient-SAM literature); 2973 GMACs for ViT-H (EfficientViT-SAM, arXiv:2402.05008).
    expect(gmacs('vit-b')).toBeGreaterThan(488 * 0.99);
    expect(gmacs('vit-b')).toBeLessThan(488 * 1.01);
    expect(gmacs('vit-h')).toBeGreaterThan(2973 * 0.99);
    expect(gmacs('vit-h')).toBeLessThan(2973 * 1.01);
  });

  it("has SAM's parameter counts (ViT-B 93.7 M, ViT-H 641 M with the prompt encoder and mask decoder)", () => {
    const decoder = buildDecoderGraph(ARCHITECTURES['vit-b'], null).parameters;
    const total = (variant: 'vit-b' | 'vit-h') => (buildEncoderGraph(ARCHITECTURES[variant], null).parameters + decoder) / 1e6;
    expect(total('vit-b')).toBeCloseTo(93.7, 0);
    expect(Math.abs(total('vit-h') - 641) / 641).toBeLessThan(0.005);
  });
});
