/**
 * The queue against in-process work, in one run, on one machine:
 * - images/s through 1, 2 and 4 `fastsam worker` processes fed by FastSAMQueue.submitMany(), against
 *   in-process stream() plus the same answer JSON for every image (like for like: a worker encodes every
 *   answer, services-notes §8); each worker gets cores / workers ONNX Runtime threads;
 * - queue overhead per job: one job at a time through one worker, end to end, minus in-process
 *   predict + encode of the same images one at a time (medians);
 * - Redis memory per 1,000 answers: used_memory with N answers stored and unread, minus before, scaled.
 * Starts its own redis-server (Debian's) on a free port, and the workers from dist/ (npm run build).
 *
 *   npm run bench:queue -- [--model PATH] [--images DIR] [--n 120] [--workers 1,2,4] [--latency 20]
 *                          [--memory 200] [--upload] [--quick] [--json]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { toSegmentJSON } from '../lib/formats/segment-json';
import { FastSAM } from '../lib/pipeline/fastsam';
import { FastSAMQueue } from '../lib/queue';
import { arg, machineDescription, median } from './bench-utils';
import { hasRedisServer, startRedisServer } from './fixtures/redis-server';

const shared = path.resolve(__dirname, '../../shared');
const CLI = path.resolve(__dirname, '../dist/cli/index.js');
const quick = process.argv.includes('--quick');
const asJson = process.argv.includes('--json');
const upload = process.argv.includes('--upload');
const log = (line: string) => (asJson ? console.error(line) : console.log(line));

function* cycle(files: string[], n: number): Generator<string> {
  for (let i = 0; i < n; i++) yield files[i % files.length];
}

interface Worker {
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** Workers still running when this process ends (an error, Ctrl-C) are killed by pid. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts `count` workers on `queue`, resolved once each prints `worker ready`. */
async function startWorkers(count: number, options: { model: string; redis: string; queue: string; threads: number }): Promise<Worker[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const child = spawn(
        process.execPath,
        [
          CLI,
          'worker',
          `model=${options.model}`,
          `redis=${options.redis}`,
          `queue=${options.queue}`,
          `threads=${options.threads}`,
          'concurrency=4',
          `name=bench-${i}`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      running.add(child);
      const exited = new Promise<number | null>((resolve) =>
        child.once('exit', (code) => {
          running.delete(child);
          resolve(code);
        }),
      );
      return new Promise<Worker>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('worker ready')) resolve({ child, exited });
        });
        void exited.then((code) => reject(new Error(`a worker exited (${code}) before it was ready:\n${out}`)));
      });
    }),
  );
}

async function stopWorkers(workers: Worker[]): Promise<void> {
  for (const worker of workers) worker.child.kill('SIGTERM');
  await Promise.all(workers.map((worker) => worker.exited));
}

/** In-process stream() with every answer encoded as the workers encode it. */
async function inProcess(model: FastSAM, files: string[], n: number): Promise<number> {
  const started = performance.now();
  let done = 0;
  for await (const item of model.stream(cycle(files, n), { retinaMasks: true, concurrency: 2 })) {
    if (item.error) throw item.error;
    JSON.stringify(await toSegmentJSON(item.result));
    done++;
  }
  return done / ((performance.now() - started) / 1000);
}

async function throughQueue(redis: string, queueName: string, files: string[], n: number): Promise<number> {
  const queue = new FastSAMQueue({ redis, queue: queueName });
  await queue.ready();
  const sources = upload ? [...cycle(files, n)].map((file) => fs.readFileSync(file)) : [...cycle(files, n)];
  const started = performance.now();
  let done = 0;
  for await (const outcome of queue.submitMany(sources, { maxInFlight: 64 })) {
    if (outcome.error) throw outcome.error;
    done++;
  }
  const seconds = (performance.now() - started) / 1000;
  await queue.close();
  return done / seconds;
}

/**
 * One job at a time through one worker: the end-to-end time, and what the queue adds to the worker's
 * own work (end to end minus the stages the answer reports: decode, network, masks, prompt, encode);
 * in-process predict + encode of the same images, for scale. Medians.
 */
async function overhead(model: FastSAM, redis: string, queueName: string, files: string[], n: number) {
  const queue = new FastSAMQueue({ redis, queue: queueName });
  await queue.ready();
  const endToEnd: number[] = [];
  const added: number[] = [];
  const local: number[] = [];
  for (const file of cycle(files, n)) {
    let started = performance.now();
    const answer = await (await queue.submit(upload ? fs.readFileSync(file) : file)).result();
    const ms = performance.now() - started;
    endToEnd.push(ms);
    added.push(ms - Object.values(answer.speed).reduce((sum, stage) => sum + stage, 0));
    started = performance.now();
    const [result] = await model.predict(file, { retinaMasks: true });
    JSON.stringify(await toSegmentJSON(result));
    local.push(performance.now() - started);
  }
  await queue.close();
  return { endToEndMs: median(endToEnd), overheadMs: median(added), inProcessMs: median(local) };
}

/** Bytes Redis holds for these keys (MEMORY USAGE: value, key and allocator overhead). */
async function memoryOf(client: Redis, pattern: string): Promise<{ keys: number; bytes: number }> {
  let bytes = 0;
  let keys = 0;
  for await (const batch of client.scanStream({ match: pattern, count: 1000 }) as AsyncIterable<string[]>) {
    for (const key of batch) {
      keys++;
      bytes += Number(await client.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    }
  }
  return { keys, bytes };
}

/** Redis memory per 1,000 answers stored and unread, from `n` of them; and what is left once they are read. */
async function memoryPer1000(redis: string, queueName: string, files: string[], n: number) {
  const client = new Redis(redis);
  const queue = new FastSAMQueue({ redis, queue: queueName, resultTtlMs: 10 * 60_000 });
  await queue.ready();
  let completed = 0;
  const allDone = new Promise<void>((resolve) =>
    queue.on('completed', () => {
      if (++completed === n) resolve();
    }),
  );
  const jobs = [];
  for (const file of cycle(files, n)) jobs.push(await queue.submit(upload ? fs.readFileSync(file) : file));
  await allDone;
  const pattern = `bull:${queueName}:fastsam:*`;
  const stored = await memoryOf(client, pattern);
  let answerBytes = 0;
  for (const job of jobs) answerBytes += JSON.stringify(await job.result()).length;
  const left = await memoryOf(client, pattern);
  const events = Number(await client.call('MEMORY', 'USAGE', `bull:${queueName}:events`));
  await queue.close();
  client.disconnect();
  return {
    bytesPer1000: (stored.bytes / n) * 1000,
    answerJsonBytesPer1000: (answerBytes / n) * 1000,
    keysLeftAfterReading: left.keys,
    eventStreamBytes: events,
  };
}

async function main(): Promise<void> {
  if (!hasRedisServer()) throw new Error('bench:queue needs redis-server (Debian: apt-get install redis-server)');
  if (!fs.existsSync(CLI)) throw new Error('bench:queue runs the workers from dist/: npm run build first');
  const modelPath = arg('model') ?? path.join(shared, 'data/onnx/yolov8n-seg_int8_320.onnx');
  const dir = arg('images') ?? path.join(shared, 'data/coco8-seg/images/train');
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
    .map((f) => path.resolve(dir, f));
  const n = Number(arg('n') ?? (quick ? 8 : 120));
  const counts = (arg('workers') ?? (quick ? '1,2' : '1,2,4')).split(',').map(Number);
  const latencyJobs = Number(arg('latency') ?? (quick ? 4 : 20));
  const memoryJobs = Number(arg('memory') ?? (quick ? 10 : 200));
  const cores = os.cpus().length;

  const server = await startRedisServer();
  const model = await FastSAM.load(modelPath);
  const rows: { setup: string; imagesPerSecond: number; vsInProcess: number }[] = [];
  try {
    log(
      `Machine: ${machineDescription()}; load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    log(`Model ${path.basename(modelPath)}, ${files.length} images cycled, ${n} per run, sources as ${upload ? 'uploads' : 'paths'}\n`);
    await inProcess(model, files, Math.min(n, 4)); // warm-up
    const baseline = await inProcess(model, files, n);
    rows.push({ setup: 'in-process stream() + answer JSON', imagesPerSecond: baseline, vsInProcess: 1 });
    for (const count of counts) {
      const threads = Math.max(1, Math.floor(cores / count));
      const queueName = `bench-${count}`;
      const workers = await startWorkers(count, { model: modelPath, redis: server.url, queue: queueName, threads });
      try {
        await throughQueue(server.url, queueName, files, Math.min(n, 4 * count)); // warm-up
        const rate = await throughQueue(server.url, queueName, files, n);
        rows.push({
          setup: `${count} worker${count > 1 ? 's' : ''} (${threads} thread${threads > 1 ? 's' : ''} each)`,
          imagesPerSecond: rate,
          vsInProcess: rate / baseline,
        });
      } finally {
        await stopWorkers(workers);
      }
    }
    const single = await startWorkers(1, { model: modelPath, redis: server.url, queue: 'bench-single', threads: cores });
    let latency: Awaited<ReturnType<typeof overhead>>;
    let memory: Awaited<ReturnType<typeof memoryPer1000>>;
    try {
      latency = await overhead(model, server.url, 'bench-single', files, latencyJobs);
      memory = await memoryPer1000(server.url, 'bench-single', files, memoryJobs);
    } finally {
      await stopWorkers(single);
    }
    if (asJson) {
      console.log(JSON.stringify({ machine: machineDescription(), n, upload, throughput: rows, latency, memory }));
      return;
    }
    console.log('| setup | images/s | vs in-process |');
    console.log('|---|---|---|');
    for (const row of rows) console.log(`| ${row.setup} | ${row.imagesPerSecond.toFixed(1)} | ${row.vsInProcess.toFixed(2)}x |`);
    console.log(
      `\nQueue overhead per job (one at a time, ${latencyJobs} jobs, medians): ${latency.overheadMs.toFixed(1)} ms ` +
        `(end to end ${latency.endToEndMs.toFixed(1)} ms minus the stages the answer reports; in-process predict + encode ` +
        `${latency.inProcessMs.toFixed(1)} ms)`,
    );
    console.log(
      `Redis memory per 1,000 unread answers (MEMORY USAGE, from ${memoryJobs}): ${(memory.bytesPer1000 / 2 ** 20).toFixed(2)} MiB ` +
        `(answer JSON ${(memory.answerJsonBytesPer1000 / 2 ** 20).toFixed(2)} MiB); keys left once read: ${memory.keysLeftAfterReading}; ` +
        `the queue's event stream (capped at 10,000 events): ${(memory.eventStreamBytes / 2 ** 20).toFixed(2)} MiB`,
    );
  } finally {
    await model.dispose();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
