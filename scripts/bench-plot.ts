/**
 * Plot speed on a 12 MP photo with 300 masks (the random-weight FastSAM-s gives large, noisy masks: a
 * worst case), side by side with the predict that produced them.
 *
 *   npx tsx scripts/bench-plot.ts [--runs 3] [--image PATH] [--model PATH]
 */
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { FastSAM } from '../lib/pipeline/fastsam';
import '../lib/plot/result-plot'; // Result.plot()
import { FastSAMPrompt } from '../lib/prompts/prompt';

const shared = path.resolve(__dirname, '../../shared');
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

async function time(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

async function main(): Promise<void> {
  const runs = Number(arg('runs') ?? 3);
  const model = await FastSAM.load(arg('model') ?? path.join(shared, 'models/FastSAM-s-random-640.onnx'));
  // A 12 MP photo: the bus upscaled to 4000 x 3000 (JPEG, as a camera would give it).
  const photo = await sharp(arg('image') ?? path.join(shared, 'data/images/bus.jpg'))
    .resize(3000, 4000, { fit: 'fill' })
    .jpeg({ quality: 90 })
    .toBuffer();
  const options = { conf: 0.01, iou: 0.9, maxDet: 300, retinaMasks: true };
  const [result] = await model.predict(photo, options);
  const prompt = new FastSAMPrompt(photo, result);
  await prompt.decodedImage();
  const masks = await result.masks.all();
  const maskPixels = masks.reduce((n, m) => n + m.width * m.height, 0);

  const predict = await time(runs, () => model.predict(photo, options));
  const out = path.join(os.tmpdir(), 'fastsam-bench-plot');
  const plotPlain = await time(runs, () => prompt.plot(result, { withContours: false, betterQuality: false }));
  const plotJpeg = await time(runs, () => prompt.plot(result, { withContours: false, betterQuality: false, output: `${out}.jpg` }));
  const plotFull = await time(runs, () => prompt.plot(result, { withContours: true, betterQuality: true }));
  const plotResult = await time(runs, () => result.plot());
  await model.dispose();

  console.log(`Machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}; median of ${runs}`);
  console.log(`Image 3000x4000, ${result.length} retina masks, ${(maskPixels / 1e6).toFixed(0)} M pixels inside their boxes\n`);
  console.log('| step | ms |\n|---|---:|');
  console.log(`| predict (lazy masks) | ${predict.toFixed(0)} |`);
  console.log(`| prompt.plot, masks only, PNG | ${plotPlain.toFixed(0)} |`);
  console.log(`| prompt.plot, masks only, written as JPEG | ${plotJpeg.toFixed(0)} |`);
  console.log(`| prompt.plot, contours + clean-up (reference defaults) | ${plotFull.toFixed(0)} |`);
  console.log(`| result.plot (Ultralytics style) | ${plotResult.toFixed(0)} |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
