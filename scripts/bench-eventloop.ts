/**
 * How free the event loop stays while the model predicts continuously on the CPU: a 5 ms timer in the
 * same process records how late each tick fires. Side by side in one process:
 *   - baseline: a bare ONNX Runtime session on the main thread (what predict did before inference moved
 *     to worker threads: onnxruntime-node's run() is synchronous on the calling thread),
 *   - sequential predict() calls and a stream(), with the default threading (no spin-waiting),
 *   - the same predict() loop with ONNX Runtime's spin-waiting on, with one intra-op thread, and with the
 *     inference threads at the event loop's own priority (nice: 0).
 * Budget (DESIGN.md): p99 <= 30 ms and max <= 100 ms on the 2-core machine.
 *
 *   npm run bench:eventloop -- [--images 12] [--model PATH] [--image PATH] [--json]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeImage } from '../lib/io/image';
import { letterboxBatch } from '../lib/backends/cpu/letterbox-batch';
import type { LoadOptions } from '../lib/options/load-options';
import { FastSAM } from '../lib/pipeline/fastsam';
import { arg, machineDescription } from './bench-utils';

const shared = path.resolve(__dirname, '../../shared');
const TICK_MS = 5;

interface Row {
  scenario: string;
  images: number;
  seconds: number;
  imagesPerSecond: number;
  p50: number;
  p99: number;
  max: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `work` while a 5 ms interval timer records how late each of its ticks is. */
async function measure(scenario: string, images: number, work: () => Promise<void>): Promise<Row> {
  const lateness: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lateness.push(Math.max(0, now - last - TICK_MS));
    last = now;
  }, TICK_MS);
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  lateness.sort((a, b) => a - b);
  return {
    scenario,
    images,
    seconds,
    imagesPerSecond: images / seconds,
    p50: percentile(lateness, 50),
    p99: percentile(lateness, 99),
    max: lateness[lateness.length - 1] ?? 0,
  };
}

async function predictLoop(modelPath: string, image: string, images: number, options: LoadOptions): Promise<() => Promise<void>> {
  const model = await FastSAM.load(modelPath, options);
  await model.predict(image); // warm-up
  return async () => {
    for (let i = 0; i < images; i++) await model.predict(image);
    await model.dispose();
  };
}

async function main(): Promise<void> {
  const images = Number(arg('images') ?? 12);
  const modelPath = arg('model') ?? path.join(shared, 'models/FastSAM-s-random-640.onnx');
  const image = arg('image') ?? path.join(shared, 'data/images/bus.jpg');
  for (const file of [modelPath, image]) {
    if (!fs.existsSync(file)) {
      console.error(`missing ${file}: pass --model PATH and --image PATH`);
      process.exit(2);
    }
  }
  const rows: Row[] = [];

  // Baseline: the session on the main thread, fed the same letterboxed tensor.
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  const decoded = await decodeImage(image);
  const dims = session.inputMetadata[0]?.isTensor ? session.inputMetadata[0].shape : [];
  const size: [number, number] = [Number(dims[2]) || 640, Number(dims[3]) || 640];
  const { tensor } = await letterboxBatch([decoded], size, 32);
  const input = new ort.Tensor('float32', tensor.data, tensor.dims);
  await session.run({ [session.inputNames[0]]: input });
  rows.push(
    await measure('baseline: bare session.run on the main thread (ORT defaults)', images, async () => {
      for (let i = 0; i < images; i++) await session.run({ [session.inputNames[0]]: input });
    }),
  );
  await session.release();

  rows.push(
    await measure('predict() in a loop (defaults: worker thread, no spinning)', images, await predictLoop(modelPath, image, images, {})),
  );

  const model = await FastSAM.load(modelPath);
  await model.predict(image);
  rows.push(
    await measure('stream() (defaults)', images, async () => {
      for await (const item of model.stream(Array.from({ length: images }, () => image))) if (item.error) throw item.error;
    }),
  );
  await model.dispose();

  rows.push(await measure('predict() with spinning: true', images, await predictLoop(modelPath, image, images, { spinning: true })));
  rows.push(await measure('predict() with threads: 1', images, await predictLoop(modelPath, image, images, { threads: 1 })));
  rows.push(
    await measure(
      'predict() with nice: 0 (inference at the event loop priority)',
      images,
      await predictLoop(modelPath, image, images, { nice: 0 }),
    ),
  );

  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ machine: machineDescription(), tickMs: TICK_MS, rows }, null, 2));
    return;
  }
  console.log(
    `Machine: ${machineDescription()}; model ${path.basename(modelPath)}, image ${path.basename(image)}; a ${TICK_MS} ms timer\n`,
  );
  console.log('| scenario | images/s | timer lateness p50 | p99 | max |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.scenario} | ${r.imagesPerSecond.toFixed(2)} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.max.toFixed(1)} ms |`,
    );
  }
}

void main();
