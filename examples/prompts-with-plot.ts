/**
 * Box and point prompts on one image: segment everything once, then pick the mask of a box and the mask
 * under some points, and save each answer plotted as FastSAM draws it (PNG).
 *
 *   npx tsx prompts-with-plot.ts [IMAGE] [--box x1,y1,x2,y2] [--point x,y ...] [--background x,y ...]
 *                                [--out-dir DIR] [--model FastSAM-s.onnx]
 *
 * Defaults: IMAGE image.jpg; the box is the middle half of the image and the point its centre; the plots
 * go to box.png and point.png in --out-dir (the current folder; made if missing); --model $FASTSAM_MODEL or
 * FastSAM-s.onnx.
 * Prompts are in image pixels. --background points (label 0) take their region away from the answer.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { FastSAM, FastSAMPrompt, isFastSAMError, type BoxPrompt, type PointPrompt, type Result } from 'fastsam-node';

function numbers(text: string, count: number, what: string): number[] {
  const values = text.split(',').map(Number);
  if (values.length !== count || !values.every(Number.isFinite))
    throw new Error(`${what} must be ${count} numbers separated by commas, got ${text}`);
  return values;
}

function describe(answer: Result): string {
  const boxes = Array.from({ length: answer.length }, (_, i) => {
    const [x1, y1, x2, y2] = Array.from(answer.boxes.xyxy.subarray(i * 4, i * 4 + 4), Math.round);
    return `[${x1}, ${y1}, ${x2}, ${y2}]`;
  });
  return `${answer.length} mask${answer.length === 1 ? '' : 's'}${boxes.length ? ` (box ${boxes.join(', ')})` : ''}`;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string', default: process.env.FASTSAM_MODEL ?? 'FastSAM-s.onnx' },
      box: { type: 'string' },
      point: { type: 'string', multiple: true },
      background: { type: 'string', multiple: true },
      'out-dir': { type: 'string', default: '.' },
    },
  });
  const [image = 'image.jpg'] = positionals;
  await fs.mkdir(values['out-dir'], { recursive: true });

  const model = await FastSAM.load(values.model);
  try {
    const [result] = await model.predict(image);
    const [height, width] = result.origShape;
    const prompt = new FastSAMPrompt(image, result);

    const box = (
      values.box ? numbers(values.box, 4, '--box') : [width / 4, height / 4, (3 * width) / 4, (3 * height) / 4].map(Math.round)
    ) as BoxPrompt;
    const boxAnswer = await prompt.box(box);
    const boxPlot = path.join(values['out-dir'], 'box.png');
    await prompt.plot(boxAnswer, { output: boxPlot, boxes: [box] });
    console.log(`box [${box.join(', ')}]: ${describe(boxAnswer)} -> ${boxPlot}`);

    const foreground = (values.point ?? [`${Math.round(width / 2)},${Math.round(height / 2)}`]).map((p) => numbers(p, 2, '--point'));
    const background = (values.background ?? []).map((p) => numbers(p, 2, '--background'));
    const points = [...foreground, ...background] as PointPrompt[];
    const labels = [...foreground.map(() => 1), ...background.map(() => 0)];
    const pointAnswer = await prompt.point(points, labels);
    const pointPlot = path.join(values['out-dir'], 'point.png');
    await prompt.plot(pointAnswer, { output: pointPlot, points, labels });
    console.log(`points ${JSON.stringify(points)} (labels ${labels.join(',')}): ${describe(pointAnswer)} -> ${pointPlot}`);
  } finally {
    await model.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(isFastSAMError(error) ? `${error.message} [${error.code}]` : error);
  process.exitCode = 1;
});
