/**
 * FastSAMQueue and FastSAMWorker in one process, against a real redis-server: answers equal to
 * in-process predict, sources, checks at submit, failures with their codes (at once for bad input,
 * retried with backoff otherwise), answers read once and expiring, prompts, events and backpressure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { FastSAMError } from '../../lib/errors';
import { toSegmentJSON } from '../../lib/formats/segment-json';
import type { FastSAM } from '../../lib/pipeline/fastsam';
import { FastSAMPrompt } from '../../lib/prompts/prompt';
import { FastSAMQueue, type QueueOutcome } from '../../lib/queue';
import { resultKey } from '../../lib/queue/keys';
import { storeAnswer } from '../../lib/queue/results';
import { describeWithRedis, grayPng, loadTinyModel, queueAndWorker, useRedisServer, useTempDir, withoutSpeed } from './helpers';

const expectCode = async (promise: Promise<unknown>, code: string, message?: RegExp) => {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as FastSAMError | undefined;
  expect(error).toBeInstanceOf(FastSAMError);
  expect(error!.code).toBe(code);
  if (message) expect(error!.message).toMatch(message);
};

describeWithRedis('queue: producer and worker', () => {
  const redis = useRedisServer();
  const tmp = useTempDir();
  let model: FastSAM;
  let png: Buffer;
  let pngPath: string;

  beforeAll(async () => {
    model = await loadTinyModel();
    png = await grayPng(64, 48);
    pngPath = path.join(tmp.dir, 'gray.png');
    fs.writeFileSync(pngPath, png);
  });
  afterAll(() => model?.dispose());

  test('an uploaded image and a shared path give the answer of in-process predict, as POST /v1/segment builds it', async () => {
    const { queue, close } = await queueAndWorker(redis.url, model);
    try {
      const [local] = await model.predict(png, { retinaMasks: true });
      const expected = withoutSpeed(await toSegmentJSON(local));
      expect(expected.detections).toHaveLength(1);
      const uploaded = await queue.submit(png);
      expect(uploaded.id).toMatch(/^[0-9a-f-]{36}$/);
      const answer = await uploaded.result();
      expect(withoutSpeed(answer)).toEqual(expected);
      expect(Object.keys(answer.speed).sort()).toEqual(['encode', 'inference', 'postprocess', 'preprocess', 'prompt']);
      // The same handle gives the same answer again; it left Redis as it was read.
      expect(await uploaded.result()).toBe(answer);
      expect(withoutSpeed(await (await queue.submit(pngPath)).result())).toEqual(expected);
      expect(withoutSpeed(await (await queue.submit(pathToFileURL(pngPath).href)).result())).toEqual(expected);
      // Predict options travel: no retina masks means masks at the letterboxed input size.
      const small = await (await queue.submit(png, { retinaMasks: false, conf: 0.5 })).result();
      expect(small.detections[0].mask!.size).toEqual([64, 64]);
      expect((await (await queue.submit(png, { conf: 0.95 })).result()).detections).toEqual([]);
    } finally {
      await close();
    }
  });

  test('bad sources and options are refused at submit, before anything reaches Redis', async () => {
    const queue = new FastSAMQueue({ redis: redis.url, queue: 'refusals', maxImageBytes: 1000 });
    const client = redis.client();
    try {
      await expectCode(queue.submit('relative/bus.jpg'), 'E_BAD_SOURCE', /absolute path.*worker reads it/);
      await expectCode(queue.submit('https://example.com/bus.jpg'), 'E_BAD_SOURCE', /file: URI/);
      await expectCode(queue.submit(Buffer.alloc(0)), 'E_BAD_SOURCE');
      await expectCode(queue.submit(Buffer.alloc(1001, 1)), 'E_IMAGE_TOO_LARGE', /1001 bytes, over maxImageBytes 1000/);
      await expectCode(queue.submit({ data: new Uint8Array(3), width: 1, height: 1, channels: 3 } as never), 'E_BAD_SOURCE');
      await expectCode(queue.submit(pngPath, { conf: 2 }), 'E_BAD_OPTION', /conf must be a number in \[0, 1\], got 2/);
      await expectCode(queue.submit(pngPath, { conff: 0.5 } as never), 'E_BAD_OPTION', /did you mean 'conf'/);
      await expectCode(queue.submit(pngPath, { imgsz: [640, 0] }), 'E_BAD_OPTION', /imgsz/);
      await expectCode(queue.submit(pngPath, { maxPixels: 10 } as never), 'E_BAD_OPTION', /unknown submit option 'maxPixels'/);
      await expectCode(
        queue.submit(pngPath, { prompt: { bboxes: [[1, 2, 3]] } } as never),
        'E_BAD_PROMPT',
        /box 0 must be \[x1, y1, x2, y2\]/,
      );
      await expectCode(queue.submit(pngPath, { prompt: { bboxes: [[10, 10, 10, 40]] } }), 'E_BAD_PROMPT', /positive width and height/);
      await expectCode(queue.submit(pngPath, { prompt: { boxes: [[1, 2, 3, 4]] } } as never), 'E_BAD_PROMPT', /did you mean 'bboxes'/);
      await expectCode(queue.submit(pngPath, { prompt: { points: [[1, 2]], labels: [1, 0] } }), 'E_BAD_PROMPT', /one per point/);
      await expectCode(queue.submit(pngPath, { prompt: { texts: [''] } }), 'E_BAD_PROMPT');
      await expectCode(queue.submit(pngPath, { jobId: '123' }), 'E_BAD_OPTION', /not only digits/);
      await expectCode(queue.submit(pngPath, { jobId: 'a:b' }), 'E_BAD_OPTION');
      await expectCode(queue.submit(pngPath, { priority: 0 }), 'E_BAD_OPTION', /priority/);
      expect(await client.keys('*refusals*')).toEqual([]);
    } finally {
      await queue.close();
    }
    expect(() => new FastSAMQueue({ redis: redis.url, queue: 'a:b' })).toThrow(/queue must be a name/);
    expect(() => new FastSAMQueue({ redis: 'http://localhost', queue: 'q' })).toThrow(/redis must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => new FastSAMQueue({ redis: redis.url, queue: 'q', attempts: 0 })).toThrow(/attempts must be an integer in \[1, 100\]/);
  });

  test('an undecodable image fails at once with its code: one attempt, no retry', async () => {
    const { queue, worker, name, close } = await queueAndWorker(redis.url, model, { queue: { attempts: 3, backoffMs: 10 } });
    const failures: { code: string; final: boolean }[] = [];
    worker.on('failed', ({ error, final }) => failures.push({ code: error.code, final }));
    const failedEvents: string[] = [];
    queue.on('failed', ({ error }) => failedEvents.push(error.code));
    const bull = new Queue(name, { connection: { url: redis.url } });
    try {
      const job = await queue.submit(Buffer.from('definitely not an image'));
      await expectCode(job.result(), 'E_IMAGE_DECODE', /not a decodable image/);
      expect(failures).toEqual([{ code: 'E_IMAGE_DECODE', final: true }]);
      const stored = await bull.getJob(job.id);
      expect(stored!.attemptsMade).toBe(1);
      expect(stored!.failedReason).toMatch(/ \[E_IMAGE_DECODE\]$/);
      expect(await job.state()).toBe('failed');
      // The upload is gone with the failed job; the failure stays readable from another handle.
      expect(await redis.client().exists(`bull:${name}:fastsam:image:${job.id}`)).toBe(0);
      await expectCode((await queue.job(job.id)).result(), 'E_IMAGE_DECODE');
      expect(failedEvents).toEqual(['E_IMAGE_DECODE']);
    } finally {
      await bull.close();
      await close();
    }
  });

  test('a transient failure is retried with backoff: a file that appears on the shared storage after the first try', async () => {
    const { queue, worker, close } = await queueAndWorker(redis.url, model, { queue: { attempts: 3, backoffMs: 300 } });
    const late = path.join(tmp.dir, 'late.png');
    const failures: { code: string; final: boolean; at: number }[] = [];
    worker.on('failed', ({ error, final }) => {
      failures.push({ code: error.code, final, at: performance.now() });
      fs.writeFileSync(late, png); // the storage catches up
    });
    try {
      const job = await queue.submit(late);
      const answer = await job.result();
      expect(answer.detections).toHaveLength(1);
      expect(failures.map(({ code, final }) => ({ code, final }))).toEqual([{ code: 'E_FILE_NOT_FOUND', final: false }]);
    } finally {
      await close();
    }
    // With attempts spent, the last failure is the job's, with its code.
    const spent = await queueAndWorker(redis.url, model, { queue: { attempts: 2, backoffMs: 100 } });
    const tries: number[] = [];
    spent.worker.on('failed', () => tries.push(performance.now()));
    try {
      const started = performance.now();
      await expectCode((await spent.queue.submit(path.join(tmp.dir, 'never.png'))).result(), 'E_FILE_NOT_FOUND', /never\.png/);
      expect(tries).toHaveLength(2);
      expect(tries[1] - tries[0]).toBeGreaterThanOrEqual(90); // the backoff delay (exponential from 100 ms)
      expect(tries[0]).toBeGreaterThanOrEqual(started);
    } finally {
      await spent.close();
    }
  });

  test('an answer is read once, and an unread one expires: Redis keeps neither', async () => {
    const { queue, name, close } = await queueAndWorker(redis.url, model, { queue: { resultTtlMs: 1500 } });
    const client = redis.client();
    try {
      const job = await queue.submit(png);
      await job.result();
      expect(await client.exists(resultKey({ name, prefix: 'bull' }, job.id))).toBe(0);
      expect(await client.exists(`bull:${name}:${job.id}`)).toBe(0); // completed jobs are removed
      await expectCode((await queue.job(job.id)).result(), 'E_RESULT_GONE', /already read, it expired/);
      await expectCode((await queue.job('no-such-job')).result(), 'E_RESULT_GONE');

      // Never read: the answer waits with its TTL, then goes.
      const completed = new Promise<void>((resolve) => queue.once('completed', () => resolve()));
      const unread = await queue.submit(png);
      await completed;
      const ttl = await client.pttl(resultKey({ name, prefix: 'bull' }, unread.id));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1500);
      await new Promise((resolve) => setTimeout(resolve, ttl + 100));
      await expectCode(unread.result(), 'E_RESULT_GONE');
      expect((await client.keys(`bull:${name}:fastsam:*`)).length).toBe(0);
    } finally {
      await close();
    }
  });

  test('answers are written once: a job whose answer is already stored is not run again', async () => {
    const { queue, worker, name, close } = await queueAndWorker(redis.url, model);
    const client = redis.client();
    const key = resultKey({ name, prefix: 'bull' }, 'retried-job');
    try {
      expect(await storeAnswer(client, key, '{"first":true}', 60_000)).toBe(true);
      expect(await storeAnswer(client, key, '{"second":true}', 60_000)).toBe(false);
      expect(await client.get(key)).toBe('{"first":true}');
      // As after a worker died between storing the answer and completing the job: the retry completes at once.
      const ran = new Promise((resolve) => worker.once('completed', ({ summary }) => resolve(summary)));
      const job = await queue.submit(png, { jobId: 'retried-job' });
      expect(await job.result()).toEqual({ first: true });
      expect(await ran).toEqual({ bytes: 0, reused: true });
      // The answer was read before its job completed: a marker kept its place until the job was done.
      await expectCode((await queue.job('retried-job')).result(), 'E_RESULT_GONE');
      expect(await client.exists(`bull:${name}:retried-job`)).toBe(0);
    } finally {
      await close();
    }
  });

  test('prompts travel with the job and select as FastSAMPrompt does; text prompts need a worker with CLIP', async () => {
    const { queue, close } = await queueAndWorker(redis.url, model);
    try {
      const [local] = await model.predict(png, { retinaMasks: true });
      const prompt = new FastSAMPrompt(png, local);
      const boxed = withoutSpeed(await toSegmentJSON(await prompt.box([[10, 10, 50, 40]])));
      expect(withoutSpeed(await (await queue.submit(png, { prompt: { bboxes: [[10, 10, 50, 40]] } })).result())).toEqual(boxed);
      const pointed = withoutSpeed(await toSegmentJSON(await prompt.point([[32, 24]], [1], { mode: 'instances' })));
      const byPoint = await (await queue.submit(png, { prompt: { points: [[32, 24]], labels: [1], pointMode: 'instances' } })).result();
      expect(withoutSpeed(byPoint)).toEqual(pointed);
      await expectCode((await queue.submit(png, { prompt: { texts: ['a dog'] } })).result(), 'E_BAD_OPTION', /text prompts need CLIP/);
    } finally {
      await close();
    }
  });

  test('the producer hears the queue: active, progress, completed; job state and progress', async () => {
    const { queue, close } = await queueAndWorker(redis.url, model);
    const seen: string[] = [];
    queue.on('active', () => seen.push('active'));
    queue.on('progress', ({ progress }) => seen.push(`progress ${JSON.stringify(progress)}`));
    queue.on('completed', () => seen.push('completed'));
    try {
      const job = await queue.submit(png);
      expect(['waiting', 'active', 'unknown']).toContain(await job.state());
      await job.result();
      await new Promise((resolve) => setTimeout(resolve, 200)); // events travel separately from the answer
      expect(seen).toEqual(['active', 'progress {"stage":"predicted","detections":1}', 'completed']);
      expect(await job.state()).toBe('unknown'); // completed and removed: its answer was the only trace
    } finally {
      await close();
    }
  });

  test('submitMany: answers as they come, never more than maxInFlight jobs out; item errors do not stop it', async () => {
    const { queue, close } = await queueAndWorker(redis.url, model, { worker: { concurrency: 2 } });
    let pulled = 0;
    let yielded = 0;
    let mostOut = 0;
    function* sources() {
      for (let i = 0; i < 9; i++) {
        pulled++;
        mostOut = Math.max(mostOut, pulled - yielded);
        yield i === 4
          ? Buffer.from('broken')
          : i === 6
            ? { source: png, options: { prompt: { bboxes: [[0, 0, 64, 48]] as [number, number, number, number][] } } }
            : png;
      }
    }
    try {
      const outcomes: QueueOutcome[] = [];
      for await (const outcome of queue.submitMany(sources(), { maxInFlight: 3, retinaMasks: false })) {
        yielded++;
        outcomes.push(outcome);
      }
      expect(mostOut).toBeLessThanOrEqual(3);
      expect(outcomes.map((o) => o.index).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      const broken = outcomes.find((o) => o.index === 4)!;
      expect(broken.error?.code).toBe('E_IMAGE_DECODE');
      expect(broken.jobId).toBeDefined();
      expect(outcomes.filter((o) => o.answer).every((o) => o.answer!.detections[0].mask!.size[0] === 64)).toBe(true);
      await expect(async () => {
        for await (const _ of queue.submitMany([png], { jobId: 'x' } as never)) void _;
      }).rejects.toThrow(/jobId must be given per item/);
    } finally {
      await close();
    }
  });

  test('submitMany stopped early takes back the jobs no worker has begun', async () => {
    // A slow model: each job waits 1.5 s for batch company, so most of the batch is still queued.
    const slow = await loadTinyModel({ maxBatch: 8, maxQueueDelayMs: 1500 });
    const { queue, close } = await queueAndWorker(redis.url, slow, { worker: { concurrency: 1 } });
    try {
      let taken = 0;
      for await (const outcome of queue.submitMany(
        Array.from({ length: 5 }, () => png),
        { maxInFlight: 4 },
      )) {
        expect(outcome.answer).toBeDefined();
        if (++taken === 1) break;
      }
      const counts = await queue.counts();
      expect(counts.waiting + counts.prioritized + counts.delayed).toBe(0);
    } finally {
      await close();
      await slow.dispose();
    }
  });

  test('close() ends the waits with E_DISPOSED; later calls are refused', async () => {
    const queue = new FastSAMQueue({ redis: redis.url, queue: 'nobody-works-here' });
    const job = await queue.submit(png);
    const waiting = job.result();
    await queue.close();
    await expectCode(waiting, 'E_DISPOSED', /closed/);
    await expectCode(queue.submit(png), 'E_DISPOSED');
    const aborted = new FastSAMQueue({ redis: redis.url, queue: 'nobody-works-here' });
    try {
      await expectCode((await aborted.job(job.id)).result({ signal: AbortSignal.timeout(50) }), 'E_ABORTED');
    } finally {
      await aborted.close();
    }
  });

  test('worker metrics: the shared model series and the job series', async () => {
    const { queue, worker, close } = await queueAndWorker(redis.url, model);
    try {
      await (await queue.submit(png)).result();
      await (await queue.submit(Buffer.from('nope'))).result().catch(() => undefined);
      const text = await worker.metrics.metrics();
      expect(text).toMatch(/^fastsam_predictions_total\{outcome="success"\} 1$/m);
      expect(text).toMatch(/^fastsam_predictions_total\{outcome="bad_input"\} 1$/m);
      expect(text).toMatch(/^fastsam_jobs_total\{outcome="completed"\} 1$/m);
      expect(text).toMatch(/^fastsam_jobs_total\{outcome="failed"\} 1$/m);
      expect(text).toMatch(/^fastsam_jobs\{state="failed"\} 1$/m);
      expect(text).toMatch(/^fastsam_jobs\{state="waiting"\} 0$/m);
      expect(text).toMatch(/^fastsam_job_stage_seconds_count\{stage="predict"\} 1$/m);
      expect(text).toMatch(/^fastsam_job_wait_seconds_count 2$/m);
      expect(text).toMatch(/^fastsam_batch_size_count \d+$/m);
    } finally {
      await close();
    }
  });
});
