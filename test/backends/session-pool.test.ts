/**
 * ONNX Runtime on worker threads (lib/backends/cpu/session-pool.ts): the same answers as a session on the
 * main thread, buffers handed over or copied as asked, a dying worker replaced, dispose ending every
 * thread, and idle workers never keeping a process alive.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { WireTensors } from '../../lib/backends/cpu/session-messages';
import { SessionPool } from '../../lib/backends/cpu/session-pool';
import { classifierModel, classifierParams } from '../../scripts/fixtures/tiny-models';

const image = (value: number) => ({
  images: { type: 'float32' as const, data: new Float32Array(3 * 64 * 64).fill(value), dims: [1, 3, 64, 64] },
});

/** The classifier's logits for a constant image: GlobalAveragePool gives the value per channel. */
function expectedLogits(value: number): number[] {
  const { weight, bias } = classifierParams(1);
  return Array.from(bias, (b, k) => Math.fround(b + value * (weight[k * 3] + weight[k * 3 + 1] + weight[k * 3 + 2])));
}

function logits(outputs: WireTensors): number[] {
  return Array.from(outputs.logits.data as Float32Array);
}

/** The pool's worker threads, to watch them start and end. */
function workerThreads(pool: SessionPool): Array<{ threadId: number; postMessage: (m: unknown) => void }> {
  return (pool as unknown as { slots: Array<{ worker: { threadId: number; postMessage: (m: unknown) => void } }> }).slots.map(
    (s) => s.worker,
  );
}

test('answers equal a session on the main thread; settings resolved for servers (no spinning)', async () => {
  const pool = await SessionPool.create(classifierModel(), { workers: 2, threads: 1 });
  expect(pool.workers).toBe(2);
  expect(pool.settings).toEqual({ intraOpNumThreads: 1, interOpNumThreads: 1, spinning: false, nice: 10 });
  expect(pool.signature).toEqual({ inputNames: ['images'], outputNames: ['logits'], inputShape: [1, 3, 64, 64] });
  const session = await ort.InferenceSession.create(classifierModel());
  try {
    const values = [0, 0.25, 0.5, 0.75, 1, 0.1];
    const answers = await Promise.all(values.map((v) => pool.run(image(v))));
    for (const [i, v] of values.entries()) {
      const direct = await session.run({ images: new ort.Tensor('float32', new Float32Array(3 * 64 * 64).fill(v), [1, 3, 64, 64]) });
      expect(logits(answers[i])).toEqual(Array.from(direct.logits.data as Float32Array));
      expectedLogits(v).forEach((x, k) => expect(logits(answers[i])[k]).toBeCloseTo(x, 5));
    }
  } finally {
    await session.release();
    await pool.dispose();
  }
});

test('inputs are copied unless handed over, in which case the caller’s buffer is detached', async () => {
  const pool = await SessionPool.create(classifierModel());
  try {
    const kept = image(0.5);
    await pool.run(kept);
    expect(kept.images.data.length).toBe(3 * 64 * 64);
    const given = image(0.5);
    await pool.run(given, { transfer: true });
    expect(given.images.data.length).toBe(0);
    // A view into a larger buffer cannot be handed over whole: it is copied even when offered.
    const big = new Float32Array(2 * 3 * 64 * 64).fill(0.5);
    const view = { images: { type: 'float32' as const, data: big.subarray(3 * 64 * 64), dims: [1, 3, 64, 64] } };
    expect(logits(await pool.run(view, { transfer: true }))).toEqual(logits(await pool.run(image(0.5))));
    expect(big.length).toBe(2 * 3 * 64 * 64);
  } finally {
    await pool.dispose();
  }
});

test('a worker that dies rejects its run with E_INFERENCE and is replaced; later runs succeed', async () => {
  const pool = await SessionPool.create(classifierModel());
  try {
    const [worker] = workerThreads(pool);
    // A malformed message is a bug the worker refuses loudly: an uncaught error ends its thread. It
    // arrives before the run below, so the worker dies holding that run.
    worker.postMessage({ type: 'no-such-message' });
    await expect(pool.run(image(0.5))).rejects.toMatchObject({ code: 'E_INFERENCE', message: expect.stringMatching(/worker stopped/) });
    expect(logits(await pool.run(image(0.5)))).toEqual(logits(await pool.run(image(0.5))));
    expect(pool.workers).toBe(1);
    expect(workerThreads(pool)[0]).not.toBe(worker);
  } finally {
    await pool.dispose();
  }
});

test('dispose lets queued runs finish, ends every thread, and refuses later runs', async () => {
  const pool = await SessionPool.create(classifierModel(), { workers: 2 });
  const threads = workerThreads(pool);
  const queued = Array.from({ length: 6 }, (_, i) => pool.run(image(i / 6)));
  await pool.dispose();
  expect((await Promise.all(queued)).map(logits)).toHaveLength(6);
  expect(threads.map((t) => t.threadId)).toEqual([-1, -1]); // exited
  await expect(pool.run(image(0))).rejects.toMatchObject({ code: 'E_DISPOSED' });
});

test('a model ONNX Runtime refuses is E_MODEL_FORMAT at create', async () => {
  await expect(SessionPool.create(new Uint8Array([8, 1, 18, 3, 1, 2, 3]))).rejects.toMatchObject({ code: 'E_MODEL_FORMAT' });
});

test('idle workers do not keep a process alive: a script that never disposes its model still exits', () => {
  const script = `
    const { FastSAM } = require(${JSON.stringify(path.resolve(__dirname, '../../lib/index.ts'))});
    const { tinySegmentModel } = require(${JSON.stringify(path.resolve(__dirname, '../../scripts/fixtures/tiny-models.ts'))});
    (async () => {
      const model = await FastSAM.load(tinySegmentModel({ size: 64, boxes: [], protos: new Float32Array(32 * 256) }));
      const [result] = await model.predict({ data: new Uint8Array(64 * 64 * 3), width: 64, height: 64, channels: 3 });
      console.log('predicted', result.length);
    })();
  `;
  const run = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(run.error).toBeUndefined(); // no timeout
  expect(run.stdout.trim()).toBe('predicted 0');
  expect(run.status).toBe(0);
});

/** The nice value of each thread of this process (Linux: field 19 of /proc/self/task/TID/stat). */
function threadNices(): number[] {
  return fs.readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
    } catch {
      return []; // a thread that ended while we looked
    }
  });
}

(process.platform === 'linux' ? test : test.skip)(
  'inference threads run below the event loop: the worker and its ONNX Runtime pool at nice +10, unless nice: 0',
  async () => {
    const base = threadNices()[0]; // the first task is the main thread
    const lowered = () => threadNices().filter((n) => n === Math.min(19, base + 10)).length;
    const before = lowered();
    const pool = await SessionPool.create(classifierModel(), { threads: 2 });
    try {
      await pool.run(image(0.5));
      // The worker thread and the intra-op thread ONNX Runtime adds for the second core.
      expect(lowered() - before).toBeGreaterThanOrEqual(2);
    } finally {
      await pool.dispose();
    }
    const same = await SessionPool.create(classifierModel(), { threads: 2, nice: 0 });
    try {
      await same.run(image(0.5));
      expect(lowered()).toBeLessThanOrEqual(before);
    } finally {
      await same.dispose();
    }
  },
);
