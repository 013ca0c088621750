/**
 * Memory of one predict with 300 retina masks on a 12 MP photo, against the model's own memory (DESIGN
 * budget: peak <= 2x the model's). Run it in a fresh process: the peak is the process's max RSS.
 *
 *   npx tsx scripts/bench-memory.ts [--model PATH] [--rle]
 */
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { FastSAM } from '../lib/pipeline/fastsam';

const shared = path.resolve(__dirname, '../../shared');
const mib = (bytes: number) => bytes / 2 ** 20;
const rss = () => mib(process.memoryUsage().rss);
const peak = () => process.resourceUsage().maxRSS / 1024; // KiB -> MiB

async function main(): Promise<void> {
  const i = process.argv.indexOf('--model');
  const modelPath = i >= 0 ? process.argv[i + 1] : path.join(shared, 'models/FastSAM-s-random-640.onnx');
  const photo = await sharp(path.join(shared, 'data/images/bus.jpg')).resize(3000, 4000, { fit: 'fill' }).jpeg().toBuffer();
  const beforeModel = rss();
  const model = await FastSAM.load(modelPath);
  // One warm-up run so the runtime's own arenas count as the model's memory, not the predict's.
  await model.predict(photo, { conf: 0.01, maxDet: 300 });
  const modelMemory = rss() - beforeModel;
  const beforePredict = rss();
  const peakBefore = peak();
  const [result] = await model.predict(photo, { conf: 0.01, iou: 0.9, maxDet: 300, retinaMasks: true });
  let rleCounts = 0;
  if (process.argv.includes('--rle')) rleCounts = (await result.masks.toRLE()).reduce((n, r) => n + r.counts.length, 0);
  const predictPeak = Math.max(peak(), peakBefore) - beforePredict;
  console.log(`Machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}`);
  console.log(`12 MP photo (3000x4000), ${result.length} retina masks${rleCounts ? `, all as RLE (${rleCounts} runs)` : ', lazy'}`);
  console.log(`model memory (RSS after load + warm-up): ${modelMemory.toFixed(0)} MiB`);
  console.log(
    `peak RSS above the loaded model during predict: ${predictPeak.toFixed(0)} MiB = ${(predictPeak / modelMemory).toFixed(2)}x the model`,
  );
  console.log(`(a dense stack of these masks would be ${((result.length * 12e6) / 2 ** 30).toFixed(1)} GiB)`);
  await model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
