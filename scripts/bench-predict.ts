/**
 * predict() against its baselines, side by side in one process on one machine:
 *   - bare ONNX Runtime session.run of the same model on a ready tensor (budget: predict <= 1.15x),
 *   - predict with lazy masks,
 *   - predict plus every mask materialised as COCO RLE,
 *   - the reference's own wall time for the same call, from the golden JSON (budget: >= 10x faster).
 *
 *   npm run bench:predict -- [--runs 7] [--json] [--model PATH] [--threads N]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as ort from 'onnxruntime-node';
import { FastSAM } from '../lib/pipeline/fastsam';
import { arg, machineDescription, median } from './bench-utils';

const shared = path.resolve(__dirname, '../../shared');

interface Case {
  name: string;
  image: string;
  conf: number;
  iou: number;
  retina: boolean;
  referenceSeconds: number;
}

async function time(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function loadCases(): Case[] {
  const dir = path.join(shared, 'golden/fastsam-s-random');
  return ['bus-640-retina', 'dogs-640-retina', 'dogs-640-letterbox'].map((name) => {
    const golden = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(dir, `${name}.json.gz`))).toString());
    return {
      name,
      image: path.join(shared, golden.image),
      conf: golden.conf,
      iou: golden.iou,
      retina: golden.retina,
      referenceSeconds: golden.seconds,
    };
  });
}

async function main(): Promise<void> {
  const runs = Number(arg('runs') ?? 7);
  const threads = arg('threads') ? Number(arg('threads')) : undefined;
  const modelPath = arg('model') ?? path.join(shared, 'models/FastSAM-s-random-640.onnx');
  if (!fs.existsSync(modelPath)) {
    console.error(`no model at ${modelPath}: pass --model PATH (the shared FastSAM-s export is the default)`);
    process.exit(2);
  }
  const model = await FastSAM.load(modelPath, { threads });
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    ...(threads ? { intraOpNumThreads: threads } : {}),
  });
  const [h, w] = model.contract.fixedSize ?? model.contract.imgsz;
  const tensor = new ort.Tensor('float32', new Float32Array(3 * h * w).fill(0.5), [1, 3, h, w]);

  const rows = [];
  for (const c of loadCases()) {
    const options = { conf: c.conf, iou: c.iou, retinaMasks: c.retina };
    const bare = await time(runs, () => session.run({ [session.inputNames[0]]: tensor }));
    const lazy = await time(runs, () => model.predict(c.image, options));
    let masks = 0;
    const withRle = await time(runs, async () => {
      const [result] = await model.predict(c.image, options);
      masks = (await result.masks.toRLE()).length;
    });
    rows.push({
      case: c.name,
      masks,
      bareRunMs: bare,
      predictLazyMs: lazy,
      lazyOverBare: lazy / bare,
      predictRleMs: withRle,
      referenceMs: c.referenceSeconds * 1000,
      speedupVsReference: (c.referenceSeconds * 1000) / withRle,
    });
  }
  await model.dispose();
  await session.release();

  const machine = machineDescription();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ machine, runs, rows }));
    return;
  }
  console.log(`Machine: ${machine}; median of ${runs} runs after one warm-up; model ${path.basename(modelPath)}\n`);
  console.log('| case | masks | session.run | predict (lazy) | lazy / bare | predict + RLE | reference | speed-up |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const ms = (v: number) => `${v.toFixed(0)} ms`;
    console.log(
      `| ${r.case} | ${r.masks} | ${ms(r.bareRunMs)} | ${ms(r.predictLazyMs)} | ${r.lazyOverBare.toFixed(2)}x | ${ms(r.predictRleMs)} | ${ms(r.referenceMs)} | ${r.speedupVsReference.toFixed(1)}x |`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
