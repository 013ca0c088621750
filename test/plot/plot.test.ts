/** Plots: the drawn pixels are where and what they should be (mask colour inside, contour on the border). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { FastSAMError } from '../../lib/errors';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { FastSAMPrompt } from '../../lib/prompts/prompt';
import type { Result } from '../../lib/masks/result';
import '../../lib/plot/result-plot'; // Result.plot()
import { MASK_COEFS, tinySegmentModel } from '../../scripts/fixtures/tiny-models';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-plot-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const GREY = 100;
const image = { data: new Uint8Array(64 * 64 * 3).fill(GREY), width: 64, height: 64, channels: 3 as const };
const blend = (under: number, over: number, alpha: number) => Math.round(under * (1 - alpha) + over * alpha);

async function pixels(png: Buffer): Promise<{ at: (x: number, y: number) => number[]; width: number; height: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    at: (x, y) => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)),
  };
}

let model: FastSAM;
let result: Result;

beforeAll(async () => {
  // One mask: input (= image) pixels x 24..47, y 24..43 minus the four corners (see tiny-model.test.ts).
  const protos = new Float32Array(MASK_COEFS * 256).fill(-1);
  for (let y = 6; y < 11; y++) for (let x = 6; x < 12; x++) protos[y * 16 + x] = 1;
  model = await FastSAM.load(
    tinySegmentModel({ size: 64, boxes: [{ cx: 34, cy: 33, w: 28, h: 26, score: 0.8, coef: [1, ...new Array(31).fill(0)] }], protos }),
  );
  [result] = await model.predict(image);
});
afterAll(() => model.dispose());

describe('FastSAMPrompt.plot', () => {
  test('mask in FastSAM blue at alpha 0.6 inside, blue contour at 0.8 on its border, image elsewhere', async () => {
    const prompt = new FastSAMPrompt(image, result);
    const png = await prompt.plot(prompt.everything(), { randomColor: false, betterQuality: false, withContours: true });
    const p = await pixels(png);
    expect([p.width, p.height]).toEqual([64, 64]);
    expect(p.at(35, 33)).toEqual([blend(GREY, 30, 0.6), blend(GREY, 144, 0.6), blend(GREY, 255, 0.6)]);
    expect(p.at(5, 5)).toEqual([GREY, GREY, GREY]);
    const maskBlue = [blend(GREY, 30, 0.6), blend(GREY, 144, 0.6), blend(GREY, 255, 0.6)];
    const onContour = [blend(maskBlue[0], 0, 0.8), blend(maskBlue[1], 0, 0.8), blend(maskBlue[2], 255, 0.8)];
    expect(p.at(30, 24)).toEqual(onContour); // top edge of the mask
    expect(p.at(24, 30)).toEqual(onContour); // left edge
    const noContours = await pixels(
      await prompt.plot(prompt.everything(), { randomColor: false, betterQuality: false, withContours: false }),
    );
    expect(noContours.at(30, 24)).toEqual(maskBlue);
  });

  test('random colours are seedable, and the clean-up keeps a solid rectangle', async () => {
    const prompt = new FastSAMPrompt(image, result);
    const a = await prompt.plot(prompt.everything(), { seed: 7, withContours: false });
    const b = await prompt.plot(prompt.everything(), { seed: 7, withContours: false });
    const c = await prompt.plot(prompt.everything(), { seed: 8, withContours: false });
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    const p = await pixels(a);
    expect(p.at(35, 33)).not.toEqual([GREY, GREY, GREY]);
  });

  test('boxes and points are drawn in their colours; output by extension', async () => {
    const prompt = new FastSAMPrompt(image, result);
    const file = path.join(tmp, 'out', 'plot.png');
    await prompt.plot(prompt.everything(), {
      randomColor: false,
      withContours: false,
      boxes: [[2, 2, 20, 20]],
      points: [
        [55, 10],
        [55, 55],
      ],
      labels: [1, 0],
      output: file,
    });
    const p = await pixels(fs.readFileSync(file));
    // The box's 1 px blue top edge lands on row 1, 2 or 3 depending on the rasteriser's snapping.
    const edge = [1, 2, 3].map((y) => p.at(10, y)).find(([r, , b]) => b > 200 && r < GREY);
    expect(edge).toBeDefined();
    expect(p.at(10, 10)).toEqual([GREY, GREY, GREY]); // inside the box: not filled
    expect(p.at(55, 10)).toEqual([191, 191, 0]); // matplotlib 'y'
    expect(p.at(55, 55)).toEqual([191, 0, 191]); // matplotlib 'm'
    const jpeg = path.join(tmp, 'plot.jpg');
    await prompt.plot(prompt.everything(), { output: jpeg });
    expect((await sharp(jpeg).metadata()).format).toBe('jpeg');
    await expect(prompt.plot(prompt.everything(), { output: path.join(tmp, 'plot.gif') })).rejects.toThrow(FastSAMError);
  });
});

describe('Result.plot (Ultralytics style)', () => {
  test('class colour blended at 0.5 inside the mask, a box and a label', async () => {
    const p = await pixels(await result.plot());
    const red = [0xff, 0x38, 0x38]; // palette colour of class 0
    expect(p.at(35, 33)).toEqual(red.map((c) => blend(GREY, c, 0.5)));
    expect(p.at(1, 60)).toEqual([GREY, GREY, GREY]);
  });

  test('results of postprocess() need the image', async () => {
    const bare = result.select([0]);
    expect(bare.source).toBeDefined();
    const { Result: ResultClass } = await import('../../lib/masks/result');
    const orphan = new ResultClass(bare.origShape, bare.names, bare.boxes, bare.masks, bare.speed);
    await expect(orphan.plot()).rejects.toThrow(/needs the image/);
    expect((await pixels(await orphan.plot({ source: image }))).width).toBe(64);
  });
});
