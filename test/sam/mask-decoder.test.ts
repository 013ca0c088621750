/**
 * SAM's prompt encoder + mask decoder builder (transformers.js SamModel I/O): tiny configurations run
 * in ONNX Runtime with dynamic prompt batches, prompts decoded together do not see each other, label -1
 * points are ignored as SAM ignores them, and the full decoder costs what its architecture implies.
 */
import * as ort from 'onnxruntime-node';
import { buildDecoderGraph, buildEncoderGraph } from '../../scripts/sam/build';
import { ARCHITECTURES, type SamArchitecture } from '../../scripts/sam/configs';
import { countMacs } from '../../scripts/sam/flops';
import type { MaskDecoderConfig } from '../../scripts/sam/mask-decoder';
import { gaussianMatrix } from '../../scripts/sam/positional';
import { TINY_VIT, floats, probe, run } from './helpers';

const C = 32;
const E = 8;

function feeds(points: number[][][], labels: number[][]): Record<string, ort.Tensor> {
  const p = points.length;
  const n = points[0].length;
  return {
    image_embeddings: new ort.Tensor(
      'float32',
      floats(C * E * E, (i) => Math.sin(i / 5)),
      [1, C, E, E],
    ),
    image_positional_embeddings: new ort.Tensor(
      'float32',
      floats(C * E * E, (i) => Math.cos(i / 3)),
      [1, C, E, E],
    ),
    input_points: new ort.Tensor('float32', Float32Array.from(points.flat(2)), [1, p, n, 2]),
    input_labels: new ort.Tensor('int64', BigInt64Array.from(labels.flat().map(BigInt)), [1, p, n]),
  };
}

const data = (t: ort.Tensor) => Array.from(t.data as Float32Array);

/** SAM decoder MACs for one prompt of `n` points, from the architecture alone. */
function analyticDecoderMacs(cfg: MaskDecoderConfig, n: number): number {
  const c = cfg.transformer.dim;
  const x = c / cfg.transformer.downsample;
  const hw = cfg.embedSize ** 2;
  const t = cfg.numMultimaskOutputs + 1 + 1 + n + 1; // iou token, mask tokens, points, padding point
  const selfAttn = 4 * t * c * c + 2 * t * t * c;
  const tokenToImage = t * c * x + 2 * hw * c * x + 2 * t * hw * x + t * x * c;
  const imageToToken = hw * c * x + 2 * t * c * x + 2 * hw * t * x + hw * x * c;
  const mlp = 2 * t * c * cfg.transformer.mlpDim;
  const transformer = cfg.transformer.depth * (selfAttn + tokenToImage + mlp + imageToToken) + tokenToImage;
  const masks = cfg.numMultimaskOutputs + 1;
  const upscaling = hw * c * (c / 4) * 4 + 4 * hw * (c / 4) * (c / 8) * 4;
  const heads = masks * (2 * c * c + c * (c / 8)) + (c * cfg.iouHeadHidden + cfg.iouHeadHidden ** 2 + cfg.iouHeadHidden * masks);
  const maskProduct = masks * (c / 8) * 16 * hw;
  const pointEncoding = n * 2 * (c / 2);
  return transformer + upscaling + heads + maskProduct + pointEncoding;
}

describe('SAM prompt encoder + mask decoder graph', () => {
  it('runs with every tracked dim as the runtime computes it', async () => {
    const g = buildDecoderGraph(TINY_VIT, 7, { prompts: 3, points: 2 });
    const points = [
      [
        [10, 20],
        [30, 40],
      ],
      [
        [50, 60],
        [70, 80],
      ],
      [
        [5, 5],
        [120, 100],
      ],
    ];
    const { outputs, mismatches, checked } = await probe(
      g,
      feeds(points, [
        [1, 0],
        [2, 3],
        [1, -1],
      ]),
    );
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(200);
    expect(outputs.iou_scores.dims).toEqual([1, 3, 3]);
    expect(outputs.pred_masks.dims).toEqual([1, 3, 3, 4 * E, 4 * E]);
  });

  it('takes any number of prompts and points per prompt (dynamic axes)', async () => {
    const g = buildDecoderGraph(TINY_VIT, 7);
    const one = await run(g, feeds([[[64, 64]]], [[1]]));
    expect(one.pred_masks.dims).toEqual([1, 1, 3, 32, 32]);
    const many = await run(
      g,
      feeds(
        [
          [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
          [
            [7, 8],
            [9, 10],
            [11, 12],
          ],
        ],
        [
          [1, 1, 0],
          [1, 0, 0],
        ],
      ),
    );
    expect(many.pred_masks.dims).toEqual([1, 2, 3, 32, 32]);
    expect(many.iou_scores.dims).toEqual([1, 2, 3]);
  });

  it('decodes prompts batched together exactly as one by one', async () => {
    const g = buildDecoderGraph(TINY_VIT, 8);
    const prompts = [[[10, 100]], [[64, 64]], [[120, 3]]];
    const batched = await run(g, feeds(prompts, [[1], [1], [0]]));
    const masks = data(batched.pred_masks);
    const per = 3 * 32 * 32;
    for (let i = 0; i < prompts.length; i++) {
      const single = await run(g, feeds([prompts[i]], [[i === 2 ? 0 : 1]]));
      data(single.pred_masks).forEach((v, j) => expect(masks[i * per + j]).toBeCloseTo(v, 4));
    }
  });

  it('ignores where a label -1 ("not a point") point is, as SAM does', async () => {
    const g = buildDecoderGraph(TINY_VIT, 9);
    const a = await run(
      g,
      feeds(
        [
          [
            [40, 40],
            [0, 0],
          ],
        ],
        [[1, -1]],
      ),
    );
    const b = await run(
      g,
      feeds(
        [
          [
            [40, 40],
            [99, 7],
          ],
        ],
        [[1, -1]],
      ),
    );
    const c = await run(
      g,
      feeds(
        [
          [
            [40, 40],
            [99, 7],
          ],
        ],
        [[1, 0]],
      ),
    );
    expect(data(b.pred_masks)).toEqual(data(a.pred_masks));
    expect(data(c.pred_masks)).not.toEqual(data(a.pred_masks));
  });

  it('encodes the image grid with the same random Fourier matrix the prompts use', async () => {
    const seed = 11;
    const arch: SamArchitecture = TINY_VIT;
    const pe = (
      await run(buildEncoderGraph(arch, seed), {
        pixel_values: new ort.Tensor('float32', new Float32Array(3 * 128 * 128), [1, 3, 128, 128]),
      })
    ).image_positional_embeddings;
    const f = C / 2;
    const gauss = gaussianMatrix(seed, f);
    const [y, x, k] = [2, 5, 3]; // one pixel, one feature: sin(2π (2c - 1) G)
    const cx = 2 * ((x + 0.5) / E) - 1;
    const cy = 2 * ((y + 0.5) / E) - 1;
    const angle = 2 * Math.PI * (cx * gauss[k] + cy * gauss[f + k]);
    const values = pe.data as Float32Array;
    expect(values[k * E * E + y * E + x]).toBeCloseTo(Math.sin(angle), 4);
    expect(values[(f + k) * E * E + y * E + x]).toBeCloseTo(Math.cos(angle), 4);
  });

  it("costs what SAM's decoder architecture implies per prompt (~1.8 GMACs), with ~4.06 M parameters", () => {
    const arch = ARCHITECTURES['vit-b'];
    for (const points of [1, 2]) {
      const g = buildDecoderGraph(arch, null, { prompts: 1, points });
      expect(countMacs(g).total).toBe(analyticDecoderMacs(arch.decoder, points));
    }
    const g = buildDecoderGraph(arch, null);
    expect(countMacs(g).total / 1e9).toBeCloseTo(1.81, 2);
    // MobileSAM's README lists the mask decoder as "3.876M", i.e. ~4.06e6 counted in units of 2^20.
    expect(g.parameters / 2 ** 20).toBeCloseTo(3.87, 1);
  });
});
