/**
 * Throughput of model.stream() on a folder of real images: images/s and CPU utilisation at several batch
 * sizes, and a soak run checking that RSS stays flat over thousands of images.
 *
 *   npx tsx scripts/bench-throughput.ts [--model PATH] [--images DIR] [--batches 1,4,8] [--n 64] [--soak 2000]
 *     [--spinning true|false] [--threads N] [--workers N]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FastSAM } from '../lib/pipeline/fastsam';
import { machineDescription } from './bench-utils';

const shared = path.resolve(__dirname, '../../shared');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};

function* cycle(files: string[], n: number): Generator<string> {
  for (let i = 0; i < n; i++) yield files[i % files.length];
}

async function run(model: FastSAM, files: string[], n: number, batch: number, withMasks: boolean) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let done = 0;
  for await (const item of model.stream(cycle(files, n), { batch, concurrency: 2 })) {
    if (item.error) throw item.error;
    if (withMasks) await item.result.masks.toRLE();
    done++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { imagesPerSecond: done / seconds, cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds / os.cpus().length) * 100 };
}

async function main(): Promise<void> {
  const modelPath = arg('model', path.join(shared, 'data/onnx/yolov8n-seg_int8_320.onnx'));
  const dir = arg('images', path.join(shared, 'data/coco8-seg/images/train'));
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .map((f) => path.join(dir, f));
  const n = Number(arg('n', '64'));
  const soak = Number(arg('soak', '2000'));
  const model = await FastSAM.load(modelPath, {
    ...(process.argv.includes('--spinning') ? { spinning: arg('spinning', 'false') === 'true' } : {}),
    ...(process.argv.includes('--threads') ? { threads: Number(arg('threads', '1')) } : {}),
    ...(process.argv.includes('--workers') ? { workers: Number(arg('workers', '1')) } : {}),
  });
  const batches = arg('batches', '1,4,8').split(',').map(Number);
  console.log(`Machine: ${machineDescription()}; threading ${JSON.stringify(model.threading ?? {})}`);
  console.log(
    `Model ${path.basename(modelPath)} (batch axis ${model.contract.fixedBatch ?? 'dynamic'}), ${files.length} images cycled, ${n} per run\n`,
  );
  console.log('| batch | images/s (lazy masks) | CPU | images/s (+ all masks as RLE) | CPU |\n|---:|---:|---:|---:|---:|');
  for (const requested of batches) {
    const batch = Math.min(requested, model.contract.fixedBatch ?? requested);
    const lazy = await run(model, files, n, batch, false);
    const rle = await run(model, files, n, batch, true);
    const note = batch !== requested ? ` (static export: ${batch})` : '';
    console.log(
      `| ${requested}${note} | ${lazy.imagesPerSecond.toFixed(1)} | ${lazy.cpuPercent.toFixed(0)} % | ${rle.imagesPerSecond.toFixed(1)} | ${rle.cpuPercent.toFixed(0)} % |`,
    );
  }
  if (soak > 0) {
    const samples: number[] = [];
    let done = 0;
    for await (const item of model.stream(cycle(files, soak), { concurrency: 2 })) {
      if (item.error) throw item.error;
      await item.result.masks.toRLE();
      if (++done % Math.max(1, Math.floor(soak / 10)) === 0) samples.push(process.memoryUsage().rss / 2 ** 20);
    }
    console.log(`\nSoak: ${soak} images, RSS every ${Math.floor(soak / 10)} images (MiB): ${samples.map((s) => s.toFixed(0)).join(', ')}`);
  }
  await model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
