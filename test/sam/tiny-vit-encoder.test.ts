/** MobileSAM's TinyViT encoder builder: a tiny configuration runs; the full one costs what is published. */
import * as ort from 'onnxruntime-node';
import { buildEncoderGraph } from '../../scripts/sam/build';
import { ARCHITECTURES } from '../../scripts/sam/configs';
import { countMacs } from '../../scripts/sam/flops';
import { TINY_MOBILE, floats, probe } from './helpers';

describe('MobileSAM TinyViT encoder graph', () => {
  it('runs a tiny configuration in ONNX Runtime, every tracked dim as the runtime computes it', async () => {
    const g = buildEncoderGraph(TINY_MOBILE, 3);
    const pixels = new ort.Tensor(
      'float32',
      floats(3 * 128 * 128, (i) => Math.sin(i / 3)),
      [1, 3, 128, 128],
    );
    const { outputs, mismatches, checked } = await probe(g, { pixel_values: pixels });
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(200);
    expect(outputs.image_embeddings.dims).toEqual([1, 32, 8, 8]);
    expect(Array.from(outputs.image_embeddings.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('ends at 64x64 like SAM (stride 1 into the last stage) with ~5.7 M parameters', () => {
    const g = buildEncoderGraph(ARCHITECTURES.mobile, null);
    expect(g.dims.get('image_embeddings')).toEqual([1, 256, 64, 64]);
    // TinyViT-5M as MobileSAM uses it; BatchNorm folded into the convs, so a little under the ~5.8 M published.
    expect(g.parameters / 1e6).toBeGreaterThan(5.6);
    expect(g.parameters / 1e6).toBeLessThan(5.8);
  });

  it("costs about the ~38 G MACs published for MobileSAM's encoder at 1024x1024", () => {
    const gmacs = countMacs(buildEncoderGraph(ARCHITECTURES.mobile, null)).total / 1e9;
    expect(gmacs).toBeGreaterThan(38 * 0.97);
    expect(gmacs).toBeLessThan(38 * 1.05);
  });
});
