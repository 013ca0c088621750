/**
 * FastSAMWorker's life against real redis-servers: refusing a Redis that may evict keys, an unreachable
 * one, bad options; draining on close (running jobs finish) and handing jobs back past the deadline
 * (another worker answers them, no attempt counted); paths confined to a folder; the metrics endpoint.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FastSAMError } from '../../lib/errors';
import type { FastSAM } from '../../lib/pipeline/fastsam';
import { FastSAMQueue, FastSAMWorker, startMetricsServer } from '../../lib/queue';
import { describeWithRedis, freshQueueName, grayPng, loadTinyModel, useRedisServer, useTempDir } from './helpers';

async function failure(promise: Promise<unknown>): Promise<FastSAMError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FastSAMError);
  return error as FastSAMError;
}

describeWithRedis('queue: a Redis that may evict keys is refused', () => {
  const lru = useRedisServer(['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']);

  test('worker and producer fail at start with E_REDIS, naming the policy and the fix', async () => {
    const model = await loadTinyModel();
    try {
      const error = await failure(FastSAMWorker.start({ redis: lru.url, queue: 'q', model }));
      expect(error.code).toBe('E_REDIS');
      expect(error.message).toMatch(/maxmemory-policy allkeys-lru; the queue needs noeviction.*CONFIG SET maxmemory-policy noeviction/);
      const queue = new FastSAMQueue({ redis: lru.url, queue: 'q' });
      expect((await failure(queue.ready())).message).toMatch(/allkeys-lru/);
      expect((await failure(queue.submit(await grayPng()))).code).toBe('E_REDIS');
      await queue.close();
      // Nothing was written to the unfit Redis.
      const client = new Redis(lru.url);
      expect(await client.dbsize()).toBe(0);
      client.disconnect();
    } finally {
      await model.dispose();
    }
  });
});

describeWithRedis('queue: worker life', () => {
  const redis = useRedisServer();
  const tmp = useTempDir();
  let model: FastSAM;
  let slow: FastSAM;
  let png: Buffer;

  beforeAll(async () => {
    model = await loadTinyModel();
    // Each run waits 1 s for batch company: a job that stays "running" long enough to shut down under it.
    slow = await loadTinyModel({ maxBatch: 8, maxQueueDelayMs: 1000 });
    png = await grayPng();
  });
  afterAll(async () => {
    await model?.dispose();
    await slow?.dispose();
  });

  test('an unreachable Redis is E_REDIS within the connect timeout', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const started = performance.now();
    const error = await failure(FastSAMWorker.start({ redis: `redis://127.0.0.1:${port}`, queue: 'q', model, connectTimeoutMs: 500 }));
    expect(error.code).toBe('E_REDIS');
    expect(error.message).toMatch(new RegExp(`cannot reach Redis at 127.0.0.1:${port} within 500 ms: .*ECONNREFUSED`));
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test('bad worker options are E_BAD_OPTION before connecting', async () => {
    const base = { redis: redis.url, queue: 'q', model };
    expect((await failure(FastSAMWorker.start({ ...base, concurrency: 0 }))).message).toMatch(
      /concurrency must be an integer in \[1, 1024\], got 0/,
    );
    expect((await failure(FastSAMWorker.start({ ...base, lockDurationMs: 2000, stalledIntervalMs: 5000 }))).message).toMatch(
      /stalledIntervalMs must be an integer in \[500, 2000\]/,
    );
    expect((await failure(FastSAMWorker.start({ ...base, model: {} as FastSAM }))).message).toMatch(/model must be a loaded FastSAM model/);
    expect((await failure(FastSAMWorker.start({ ...base, lockDuration: 5 } as never))).message).toMatch(/did you mean 'lockDurationMs'/);
    const retrying = new Redis(redis.url, { lazyConnect: true });
    expect((await failure(FastSAMWorker.start({ ...base, redis: retrying }))).message).toMatch(/maxRetriesPerRequest: null/);
    retrying.disconnect();
  });

  test('close() drains: no new jobs are taken, the running ones finish and are answered', async () => {
    const name = freshQueueName();
    const worker = await FastSAMWorker.start({ redis: redis.url, queue: name, model: slow, concurrency: 2 });
    const queue = new FastSAMQueue({ redis: redis.url, queue: name });
    try {
      const active = new Promise((resolve) => queue.once('active', resolve));
      const jobs = await Promise.all([queue.submit(png), queue.submit(png)]);
      await active;
      await new Promise((resolve) => setTimeout(resolve, 100)); // both taken (concurrency 2)
      expect(worker.running).toBe(true);
      const closing = worker.close();
      expect(worker.running).toBe(false);
      const late = await queue.submit(png); // arrives while draining: left for another worker
      expect(await closing).toEqual({ drained: true });
      for (const job of jobs) expect((await job.result()).detections).toHaveLength(1);
      expect(await late.state()).toBe('waiting');
    } finally {
      await queue.close();
    }
  });

  test('past the drain deadline, running jobs go back to the queue untouched and another worker answers them', async () => {
    const name = freshQueueName();
    const first = await FastSAMWorker.start({ redis: redis.url, queue: name, model: slow });
    const queue = new FastSAMQueue({ redis: redis.url, queue: name });
    const bull = new Queue(name, { connection: { url: redis.url } });
    let second: FastSAMWorker | undefined;
    try {
      const active = new Promise((resolve) => queue.once('active', resolve));
      const job = await queue.submit(png);
      await active;
      expect(await first.close({ timeoutMs: 50 })).toEqual({ drained: false });
      expect(await job.state()).toBe('waiting');
      const back = await bull.getJob(job.id);
      expect(back!.attemptsMade).toBe(0);
      second = await FastSAMWorker.start({ redis: redis.url, queue: name, model });
      expect((await job.result()).detections).toHaveLength(1);
    } finally {
      await bull.close();
      await queue.close();
      await second?.close();
    }
  });

  test('root= confines path sources to a folder, links resolved', async () => {
    const inside = path.join(tmp.dir, 'shared');
    fs.mkdirSync(inside);
    fs.writeFileSync(path.join(inside, 'in.png'), png);
    fs.writeFileSync(path.join(tmp.dir, 'out.png'), png);
    fs.symlinkSync(path.join(tmp.dir, 'out.png'), path.join(inside, 'link.png'));
    const name = freshQueueName();
    const worker = await FastSAMWorker.start({ redis: redis.url, queue: name, model, root: inside });
    const queue = new FastSAMQueue({ redis: redis.url, queue: name });
    try {
      expect((await (await queue.submit(path.join(inside, 'in.png'))).result()).detections).toHaveLength(1);
      for (const outside of [path.join(tmp.dir, 'out.png'), path.join(inside, 'link.png'), path.join(inside, '..', 'out.png')]) {
        const error = await failure((await queue.submit(outside)).result());
        expect(error.code).toBe('E_BAD_SOURCE');
        expect(error.message).toMatch(/outside the folder this worker serves/);
      }
    } finally {
      await queue.close();
      await worker.close();
    }
  });

  test('the metrics endpoint: /metrics, /health/live, /health/ready (503 once draining)', async () => {
    const name = freshQueueName();
    const worker = await FastSAMWorker.start({ redis: redis.url, queue: name, model });
    const server = await startMetricsServer(worker.metrics, { host: '127.0.0.1', port: 0, ready: () => worker.running });
    try {
      const metrics = await fetch(`${server.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await metrics.text();
      expect(text).toMatch(/^fastsam_jobs\{state="waiting"\} 0$/m);
      expect(text).toMatch(/^fastsam_queue_depth 0$/m);
      expect(text).toMatch(/^fastsam_process_cpu_seconds_total /m);
      expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
      expect((await fetch(`${server.url}/nope`)).status).toBe(404);
      await worker.close();
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(503);
    } finally {
      await server.close();
      await worker.close();
    }
  });
});
