/**
 * Running SAM files of either supported layout: our own (transformers.js SamModel I/O) end to end on an
 * image, and a stand-in with the segment-anything repository's decoder I/O, whose declared names, ranks
 * and types ONNX Runtime checks against what SamSession feeds.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildOnnxModel } from '../../lib/onnx/builder';
import { ONNX_ELEM_TYPE, readOnnxModelInfo } from '../../lib/onnx/model-info';
import { buildDecoderGraph, buildEncoderGraph, writeGraph } from '../../scripts/sam/build';
import { SamGraph } from '../../scripts/sam/graph';
import { decoderLayout, encoderLayout } from '../../scripts/sam/layouts';
import * as op from '../../scripts/sam/ops';
import { pointGrid, preprocessForSam } from '../../scripts/sam/preprocess';
import { type SamPrompt, SamSession } from '../../scripts/sam/sam-session';
import { TINY_VIT } from './helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sam-session-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const image = { data: Uint8Array.from({ length: 200 * 150 * 3 }, (_, i) => (i * 7) % 256), width: 200, height: 150, channels: 3 as const };

/** A decoder with the segment-anything export's inputs and outputs (its arithmetic is a stand-in). */
function segmentAnythingStandIn(): Uint8Array {
  const g = new SamGraph(1);
  const emb = g.input('image_embeddings', [1, 32, 8, 8]);
  const coords = g.input('point_coords', [1, 2, 2], { symbolic: [null, 'num_points', null] });
  const labels = g.input('point_labels', [1, 2], { symbolic: [null, 'num_points'] });
  const maskInput = g.input('mask_input', [1, 1, 32, 32]);
  const hasMask = g.input('has_mask_input', [1]);
  const size = g.input('orig_im_size', [2]);
  const low = op.add(g, 'd', maskInput, hasMask);
  const score = op.add(g, 'd', op.reduceMean(g, 'd', coords, [1, 2]), op.unsqueeze(g, 'd', op.reduceMean(g, 'd', labels, [1]), [2]));
  g.output(op.mul(g, 'd', low, op.reduceMean(g, 'd', emb, [1, 2, 3])), 'masks');
  g.output(op.add(g, 'd', score, op.reduceMean(g, 'd', size, [0])), 'iou_predictions');
  g.output(op.offset(g, 'd', low, 0), 'low_res_masks');
  return buildOnnxModel(g.toModel('segment_anything_stand_in'));
}

describe('SamSession', () => {
  const encoder = path.join(dir, 'vision_encoder.onnx');
  const decoder = path.join(dir, 'prompt_encoder_mask_decoder.onnx');
  beforeAll(() => {
    writeGraph(buildEncoderGraph(TINY_VIT, 1), encoder, 'enc', {});
    writeGraph(buildDecoderGraph(TINY_VIT, 1), decoder, 'dec', {});
    fs.writeFileSync(path.join(dir, 'sa_decoder.onnx'), segmentAnythingStandIn());
  });

  it('reads the transformers.js layout from the files', () => {
    const enc = encoderLayout(readOnnxModelInfo(fs.readFileSync(encoder)), 'enc');
    expect(enc).toEqual({
      input: 'pixel_values',
      size: 128,
      embeddings: 'image_embeddings',
      embeddingDims: [1, 32, 8, 8],
      positional: 'image_positional_embeddings',
    });
    const dec = decoderLayout(readOnnxModelInfo(fs.readFileSync(decoder)), 'dec');
    expect(dec).toMatchObject({
      kind: 'transformers',
      points: 'input_points',
      labels: { name: 'input_labels', elemType: ONNX_ELEM_TYPE.INT64 },
      fixedPromptBatch: null,
    });
  });

  it('encodes an image and decodes a point, a box and a grid in batches', async () => {
    const sam = await SamSession.load(encoder, decoder);
    try {
      const input = await preprocessForSam(image, sam.inputSize);
      expect(input.scale).toBeCloseTo(128 / 200);
      expect(input.pixels[127 * 128 + 5]).toBe(0); // bottom rows are padding (150 * 0.64 = 96 rows of image)
      const encoding = await sam.encode(input);
      expect(encoding.embeddings.dims).toEqual([1, 32, 8, 8]);
      expect(await sam.decode(encoding, [{ kind: 'points', points: [[60, 40]], labels: [1] }])).toBe(1);
      expect(await sam.decode(encoding, [{ kind: 'box', box: [10, 10, 90, 70] }])).toBe(1);
      const grid: SamPrompt[] = pointGrid(4, 200, 150).map(([x, y]) => ({
        kind: 'points',
        points: [[x * input.scale, y * input.scale]],
        labels: [1],
      }));
      expect(sam.promptsPerRun(5)).toBe(5);
      expect(await sam.decode(encoding, grid.slice(0, 5))).toBe(1);
      expect(await sam.decode(sam.blankEncoding(input), grid)).toBe(1);
    } finally {
      await sam.dispose();
    }
  });

  it("feeds the segment-anything export's inputs, one prompt per run", async () => {
    const sam = await SamSession.load(encoder, path.join(dir, 'sa_decoder.onnx'));
    try {
      expect(sam.decoderLayout.kind).toBe('segment-anything');
      expect(sam.promptsPerRun(64)).toBe(1);
      const encoding = await sam.encode(await preprocessForSam(image, sam.inputSize));
      const prompts: SamPrompt[] = [
        { kind: 'points', points: [[5, 5]], labels: [1] },
        { kind: 'box', box: [1, 2, 30, 40] },
        {
          kind: 'points',
          points: [
            [9, 9],
            [20, 20],
          ],
          labels: [1, 0],
        },
      ];
      expect(await sam.decode(encoding, prompts)).toBe(3);
    } finally {
      await sam.dispose();
    }
  });

  it('says which inputs it found when a decoder has an unknown layout', () => {
    const info = readOnnxModelInfo(fs.readFileSync(encoder));
    expect(() => decoderLayout(info, 'enc.onnx')).toThrow(/unknown SAM decoder layout; inputs pixel_values\[1,3,128,128\]/);
  });

  it('lays the grid out as the automatic mask generator does', () => {
    const grid = pointGrid(32, 640, 480);
    expect(grid).toHaveLength(1024);
    expect(grid[0]).toEqual([10, 7.5]);
    expect(grid[1023]).toEqual([630, 472.5]);
  });
});
