/**
 * Box and point prompts against the reference's own prompt outputs (golden retina cases). The masks come
 * from postprocess() on the reference's raw outputs, so they carry the same <= 0.01 % boundary slack as
 * the postprocess parity test; the prompt must pick the same mask (box) or merge the same masks (point).
 */
import type { RLE } from '../../lib/masks/masks';
import { postprocess } from '../../lib/pipeline/postprocess';
import { FastSAMPrompt } from '../../lib/prompts/prompt';
import { area, countDifferences, decodeRle } from '../helpers/rle';
import { describeWithShared, readGzipJson, readNpyFloat32, sharedPath } from '../helpers/shared';

interface PromptCase {
  bbox?: [number, number, number, number];
  points?: [number, number][];
  labels?: number[];
  masks: RLE[];
}

interface GoldenCase {
  image: string;
  conf: number;
  iou: number;
  retina: boolean;
  orig_shape: [number, number];
  input_shape: number[];
  prompts: Record<string, PromptCase>;
}

const SLACK = 0.0005;

async function load(name: string) {
  const golden = readGzipJson<GoldenCase>(sharedPath('golden/fastsam-s-random', `${name}.json.gz`));
  const dir = sharedPath('golden/fastsam-s-random');
  const [result] = await postprocess(
    { output0: readNpyFloat32(`${dir}/${name}.output0.npy`), output1: readNpyFloat32(`${dir}/${name}.output1.npy`) },
    { inputShape: golden.input_shape, origShape: golden.orig_shape, conf: golden.conf, iou: golden.iou, retinaMasks: golden.retina },
  );
  return { golden, prompt: new FastSAMPrompt(sharedPath(golden.image), result) };
}

function expectSameMask(ours: RLE, theirs: RLE): void {
  const a = decodeRle(ours);
  const b = decodeRle(theirs);
  expect(countDifferences(a, b) / Math.max(1, area(b))).toBeLessThanOrEqual(SLACK);
}

describeWithShared('golden/fastsam-s-random/index.json', 'prompts vs the reference', () => {
  test.each(['dogs-640-retina', 'bus-640-retina'])('%s', async (name) => {
    const { golden, prompt } = await load(name);
    const cases = Object.entries(golden.prompts);
    expect(cases.length).toBeGreaterThan(0);
    for (const [key, c] of cases) {
      const result = c.bbox ? await prompt.box(c.bbox) : await prompt.point(c.points!, c.labels);
      const rles = await result.masks.toRLE();
      expect([key, rles.length]).toEqual([key, c.masks.length]);
      rles.forEach((rle, i) => expectSameMask(rle, c.masks[i]));
    }
  });
});
