/**
 * The text prompt end to end: a designed segmentation model (scripts/fixtures/clip-scene.ts) finds the
 * coloured rectangles of a drawn image, the designed CLIP encoders score the crops, and "a red object"
 * must pick the red rectangle, with retina masks and with letterboxed ones, whichever crop is used.
 */
import * as path from 'node:path';
import { FastSAM } from '../../lib/pipeline/fastsam';
import type { Result } from '../../lib/masks/result';
import { ClipScorer } from '../../lib/clip/scorer';
import { referenceWindow } from '../../lib/clip/crops';
import { selectByText } from '../../lib/clip/select';
import { colouredShapesScene, type Scene, type SceneShape } from '../../scripts/fixtures/clip-scene';
import { colourImageEncoder, colourTextEncoder } from '../../scripts/fixtures/clip-models';
import { describeWithShared, sharedPath } from '../helpers/shared';
import { expectError, fixtureDir, removeTempDirs, tempDir, write } from './helpers';

const RED: [number, number, number] = [230, 20, 30];
const GREEN: [number, number, number] = [20, 200, 40];
const BLUE: [number, number, number] = [30, 40, 220];

// Detections come back by confidence: blue, two 8 x 8 specks (64 px <= 100: skipped), red, green. Red is
// the second candidate; the reference's `max_idx += sum(filter_id <= max_idx)` would map it to 2, a speck.
const SQUARE_SHAPES: SceneShape[] = [
  { colour: BLUE, box: [24, 24, 48, 48], score: 0.95 },
  { colour: [255, 255, 255], box: [60, 26, 68, 34], score: 0.93 },
  { colour: [250, 250, 0], box: [76, 26, 84, 34], score: 0.92 },
  { colour: RED, box: [24, 64, 48, 88], score: 0.9 },
  { colour: GREEN, box: [64, 64, 88, 88], score: 0.85 },
];

// A 256 x 128 image in a 128 input: gain 0.5, 32 px of letterbox padding above and below.
const WIDE_SHAPES: SceneShape[] = [
  { colour: BLUE, box: [48, 48, 96, 96], score: 0.9 },
  { colour: RED, box: [112, 48, 160, 96], score: 0.8 },
  { colour: GREEN, box: [176, 48, 208, 96], score: 0.7 },
];

async function segment(scene: Scene, retinaMasks: boolean): Promise<Result> {
  const model = await FastSAM.load(scene.model);
  const { rgb, width, height } = scene.image;
  const [result] = await model.predict({ data: rgb, width, height, channels: 3 }, { retinaMasks });
  await model.dispose();
  return result;
}

let clip: ClipScorer;
let squares: Scene;
let squaresResult: Result;

beforeAll(async () => {
  clip = await ClipScorer.load(fixtureDir('hf'));
  squares = colouredShapesScene({ width: 128, height: 128, size: 128, shapes: SQUARE_SHAPES });
  squaresResult = await segment(squares, true);
});

afterAll(async () => {
  await clip.dispose();
  removeTempDirs();
});

describe('selectByText end to end', () => {
  test('the segmentation is the designed one: five boxes, masks = boxes', async () => {
    expect(Array.from(squaresResult.boxes.xyxy)).toEqual(SQUARE_SHAPES.flatMap((s) => s.box));
    expect((await squaresResult.masks.all()).map((m) => m.area)).toEqual([576, 64, 64, 576, 576]);
  });

  test.each(['reference', 'masked'] as const)('"%s" crops: each colour picks its rectangle; specks are skipped', async (crop) => {
    const picked = await selectByText(squares.image, squaresResult, ['a red object', 'green', 'a blue object'], clip, { crop });
    expect(picked.candidateIndices).toEqual([0, 3, 4]);
    expect(picked.index).toBe(3);
    expect(picked.indices).toEqual([3, 4, 0]);
    expect(picked.scores).toHaveLength(3);
    picked.scores.forEach((s, t) => {
      expect(s).toHaveLength(3);
      expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(s[[1, 2, 0][t]]).toBeGreaterThan(0.99); // 100 x cosine: a clear winner
    });
  });

  test('one string, and any batch size, give the same answer and scores', async () => {
    const reference = await selectByText(squares.image, squaresResult, 'a red object', clip);
    expect(reference.indices).toEqual([3]);
    for (const batchSize of [1, 2]) {
      const again = await selectByText(squares.image, squaresResult, 'a red object', clip, { batchSize });
      expect(again.index).toBe(3);
      again.scores[0].forEach((s, i) => expect(s).toBeCloseTo(reference.scores[0][i], 6));
    }
  });

  test('letterboxed masks (retina off): mapped to the image through the padding, red is still red', async () => {
    const wide = colouredShapesScene({ width: 256, height: 128, size: 128, shapes: WIDE_SHAPES });
    const result = await segment(wide, false);
    expect(result.masks.shape).toEqual([128, 128]);
    expect(Array.from(result.boxes.xyxy)).toEqual(WIDE_SHAPES.flatMap((s) => s.box));
    // Letterbox masks leak 2 px past the box ([56, 56, 80, 80] -> [54, 54, 82, 82]); mapped back that is
    // [108, 44, 164, 100] in the image, where resizing the image to the mask (the reference) gives y 54..82.
    expect(referenceWindow(await result.masks.get(1), result.masks.frame)).toEqual([108, 44, 164, 100]);
    for (const crop of ['reference', 'masked'] as const) {
      const picked = await selectByText(wide.image, result, ['red', 'green', 'blue'], clip, { crop });
      expect(picked.indices).toEqual([1, 2, 0]);
    }
  });

  test('minArea decides the candidates; none left gives -1 and empty scores', async () => {
    const all = await selectByText(squares.image, squaresResult, 'red', clip, { minArea: 0 });
    expect(all.candidateIndices).toEqual([0, 1, 2, 3, 4]);
    expect(all.index).toBe(3);
    const none = await selectByText(squares.image, squaresResult, ['red', 'blue'], clip, { minArea: 576 });
    expect(none).toEqual({ index: -1, indices: [-1, -1], scores: [new Float32Array(0), new Float32Array(0)], candidateIndices: [] });
  });

  test('a result with no detections gives -1', async () => {
    const empty = await selectByText(squares.image, squaresResult.select([]), 'red', clip);
    expect(empty.index).toBe(-1);
  });

  test('bad input: E_BAD_SOURCE, E_BAD_PROMPT, E_BAD_OPTION', async () => {
    const other = { rgb: new Uint8Array(64 * 64 * 3), width: 64, height: 64 };
    await expectError(selectByText(other, squaresResult, 'red', clip), 'E_BAD_SOURCE', '64x64', '128x128');
    await expectError(selectByText(squares.image, squaresResult, [], clip), 'E_BAD_PROMPT');
    await expectError(selectByText(squares.image, squaresResult, [3 as unknown as string], clip), 'E_BAD_PROMPT');
    await expectError(selectByText(squares.image, squaresResult, 'red', clip, { crop: 'tight' as 'masked' }), 'E_BAD_OPTION', 'crop');
    await expectError(selectByText(squares.image, squaresResult, 'red', clip, { batchSize: 0 }), 'E_BAD_OPTION', 'batchSize');
    await expectError(selectByText(squares.image, squaresResult, 'red', clip, { minArea: -1 }), 'E_BAD_OPTION', 'minArea');
  });

  test('a combined model.onnx chooses the same', async () => {
    const combined = await ClipScorer.load(fixtureDir('combined'));
    const picked = await selectByText(squares.image, squaresResult, ['a red object', 'green'], combined);
    expect(picked.indices).toEqual([3, 4]);
    await combined.dispose();
  });
});

describeWithShared('data/clip/bpe_simple_vocab_16e6.txt.gz', 'selectByText with the real CLIP vocabulary', () => {
  test('OpenAI vocabulary and OpenAI-style encoders: "a photo of a red object" picks red', async () => {
    const vocab = sharedPath('data/clip/bpe_simple_vocab_16e6.txt.gz');
    // Single tokens in the real vocabulary: red</w> 736, green</w> 1901, blue</w> 1746.
    const colourIds = { red: 736, green: 1901, blue: 1746 };
    const dir = tempDir();
    const scorer = await ClipScorer.load({
      vision: write(dir, 'visual.onnx', colourImageEncoder({ colourIds }, 'openai')),
      text: write(dir, 'textual.onnx', colourTextEncoder({ colourIds }, 'openai')),
      vocab,
    });
    expect(scorer.tokenizer.encode('red green blue').slice(1, 4)).toEqual([736, 1901, 1746]);
    expect(path.basename(scorer.files.vocab)).toBe('bpe_simple_vocab_16e6.txt.gz');
    const picked = await selectByText(squares.image, squaresResult, ['a photo of a red object', 'something green'], scorer);
    expect(picked.indices).toEqual([3, 4]);
    await scorer.dispose();
  });
});

describe('FastSAMPrompt.text', () => {
  test('returns the chosen detections as a Result, one per text, in text order', async () => {
    const { FastSAMPrompt } = await import('../../lib/prompts/prompt');
    const { rgb, width, height } = squares.image;
    const prompt = new FastSAMPrompt({ data: rgb, width, height, channels: 3 }, squaresResult);
    const red = await prompt.text('a red object', { clip });
    expect(red.length).toBe(1);
    expect(Array.from(red.boxes.xyxy)).toEqual([24, 64, 48, 88]);
    const both = await prompt.text(['a green object', 'a red object'], { clip });
    expect(Array.from(both.boxes.xyxy)).toEqual([64, 64, 88, 88, 24, 64, 48, 88]);
    await expect(prompt.text('', { clip })).rejects.toMatchObject({ code: 'E_BAD_PROMPT' });
    await expect(prompt.text('red', {} as { clip: ClipScorer })).rejects.toMatchObject({ code: 'E_BAD_PROMPT' });
  });
});
