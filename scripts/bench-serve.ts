/**
 * `fastsam serve` under load against the same work in process, in one run:
 * - baseline: model.stream() over the images, each answer built as the server builds it (every mask as
 *   compressed RLE, JSON): images/s;
 * - the server (a `fastsam serve` child process, dynamic batching on) hit by autocannon with the same
 *   images as raw bodies at several concurrencies: requests/s, ratio to the baseline, p50/p99 latency,
 *   errors;
 * - meanwhile a separate prober process (it parses no big answers on its own event loop) polls
 *   /v2/health/live: its p99 and max while the server is saturated.
 *
 *   npm run bench:serve -- [--model PATH] [--images a.jpg,b.jpg] [--concurrency 1,4,8] [--requests 24] [--quick]
 *
 * Numbers for the README come from a quiet machine (see the README's serving section).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { FastSAM, toSegmentJSON } from '../lib/index';
import { arg, machineDescription } from './bench-utils';

const shared = path.resolve(__dirname, '../../shared');
const bin = path.resolve(__dirname, '../dist/cli/index.js');
const quick = process.argv.includes('--quick');

function defaultModel(): string {
  const fastsam = path.join(shared, 'models/FastSAM-s-random-640.onnx');
  return !quick && fs.existsSync(fastsam) ? fastsam : path.join(shared, 'data/onnx/yolov8n-seg_int8_320.onnx');
}

const modelPath = arg('model') ?? defaultModel();
const imagePaths = (arg('images') ?? ['bus.jpg', 'zidane.jpg', 'dogs.jpg'].map((f) => path.join(shared, 'data/images', f)).join(',')).split(
  ',',
);
const concurrencies = (arg('concurrency') ?? (quick ? '2' : '1,4,8')).split(',').map(Number);
const requests = Number(arg('requests') ?? (quick ? '4' : '24'));

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** Images per second of stream() plus the server's answer building, on the same images. */
async function baseline(images: Buffer[], n: number): Promise<number> {
  const model = await FastSAM.load(modelPath);
  try {
    const sources = Array.from({ length: n }, (_, i) => images[i % images.length]);
    await model.predict(images[0]); // warm-up
    const started = performance.now();
    for await (const item of model.stream(sources, { retinaMasks: true })) {
      if (item.error) throw item.error;
      JSON.stringify(await toSegmentJSON(item.result));
    }
    return n / ((performance.now() - started) / 1000);
  } finally {
    await model.dispose();
  }
}

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  if (!fs.existsSync(bin)) throw new Error(`${bin} is not built: run npm run build first`);
  const child = spawn(process.execPath, [bin, 'serve', `model=${modelPath}`, 'port=0', 'log_level=warn', 'max_queue=1024'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`fastsam serve exited with ${code}`)));
  });
}

/** A separate process polling /v2/health/live every 20 ms; resolves with its latencies when stopped. */
function startProber(url: string): { stop: () => Promise<number[]> } {
  const script = `
    const latencies = [];
    let running = true;
    process.stdin.on('data', () => { running = false; });
    (async () => {
      while (running) {
        const t = performance.now();
        try { const r = await fetch(${JSON.stringify(`${url}/v2/health/live`)}); await r.arrayBuffer(); latencies.push(performance.now() - t); }
        catch { latencies.push(Infinity); }
        await new Promise((r) => setTimeout(r, 20));
      }
      process.stdout.write(JSON.stringify(latencies));
    })();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return {
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve(JSON.parse(out || '[]') as number[]));
        child.stdin.end('stop\n'); // EOF too, so the prober's stdin lets it exit
      }),
  };
}

async function load(url: string, images: Buffer[], connections: number, amount: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/v1/segment`,
    connections,
    amount,
    timeout: 120,
    requests: images.map((body) => ({ method: 'POST' as const, body, headers: { 'content-type': 'image/jpeg' } })),
  });
}

async function main(): Promise<void> {
  const images = imagePaths.map((p) => fs.readFileSync(p));
  console.log(`Machine: ${machineDescription()}`);
  console.log(
    `Model ${path.basename(modelPath)}, images ${imagePaths.map((p) => path.basename(p)).join(', ')}, ${requests} requests per row\n`,
  );
  const inProcess = await baseline(images, requests);
  console.log(`in-process stream() + answer JSON: ${inProcess.toFixed(2)} images/s\n`);

  const { child, url } = await startServer();
  try {
    while (
      (await fetch(`${url}/v2/health/ready`).then(
        (r) => r.status,
        () => 0,
      )) !== 200
    )
      await new Promise((r) => setTimeout(r, 100));
    await load(url, images.slice(0, 1), 1, 1); // warm-up
    console.log('| concurrency | requests/s | × in-process | p50 ms | p99 ms | errors | /v2/health/live p99 ms | max ms |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const connections of concurrencies) {
      const prober = startProber(url);
      const result = await load(url, images, connections, requests);
      const health = (await prober.stop()).sort((a, b) => a - b);
      const rps = result.requests.total / (result.duration || 1);
      const errors = result.errors + result.timeouts + result.non2xx;
      console.log(
        `| ${connections} | ${rps.toFixed(2)} | ${(rps / inProcess).toFixed(2)} | ${result.latency.p50} | ${result.latency.p99} | ${errors} | ` +
          `${percentile(health, 99).toFixed(1)} | ${(health.at(-1) ?? NaN).toFixed(1)} |`,
      );
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
