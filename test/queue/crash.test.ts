/**
 * The check, with the real int8 YOLOv8n-seg and real images: two `fastsam worker` processes,
 * 30 jobs submitted with FastSAMQueue (uploads and shared paths); once the first results are in, the
 * worker holding a running job is SIGKILLed. Every job still yields exactly one answer, equal to
 * in-process predict on the same image; the survivor drains on SIGTERM and exits 0; Redis keeps no
 * job, no upload and no unread answer. Short locks (2 s) keep the retry quick.
 */
import * as fs from 'node:fs';
import { Queue } from 'bullmq';
import { toSegmentJSON } from '../../lib/formats/segment-json';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { FastSAMQueue, type SegmentAnswer } from '../../lib/queue';
import { describeWithShared, sharedPath } from '../helpers/shared';
import { cliBuilt, type CliProcess, describeWithRedis, fastsam, killChildrenAfterAll, useRedisServer, withoutSpeed } from './helpers';

const MODEL = 'data/onnx/yolov8n-seg_int8_320.onnx';
const IMAGES = [
  'data/images/bus.jpg',
  'data/images/zidane.jpg',
  'data/images/dogs.jpg',
  ...['000000000009', '000000000025', '000000000030', '000000000034'].map((id) => `data/coco8-seg/images/train/${id}.jpg`),
  ...['000000000036', '000000000042', '000000000049', '000000000061'].map((id) => `data/coco8-seg/images/val/${id}.jpg`),
].map((file) => sharedPath(file));
const JOBS = 30;

if (!cliBuilt) console.warn('skipping the worker crash test: dist/ is not built (npm test builds it)');

describeWithRedis('queue: a worker killed mid-job', () => {
  const describeIfReady = cliBuilt ? describeWithShared : (_file: string, title: string, body: () => void) => describe.skip(title, body);
  describeIfReady(MODEL, 'two fastsam workers, one SIGKILLed', () => {
    const redis = useRedisServer();
    killChildrenAfterAll();
    jest.setTimeout(240_000);

    test('every job yields exactly one answer, equal to in-process predict; the survivor drains and exits 0', async () => {
      const name = 'crash';
      const start = (worker: string): CliProcess =>
        fastsam([
          'worker',
          `model=${sharedPath(MODEL)}`,
          `redis=${redis.url}`,
          `queue=${name}`,
          `name=${worker}`,
          'concurrency=2',
          'threads=1',
          'lock_duration_ms=2000',
          'stalled_interval_ms=1000',
          '--json',
        ]);
      const workers = { a: start('a'), b: start('b') };
      // Meanwhile, what in-process predict answers for each image (the workers' defaults: retina masks).
      const model = await FastSAM.load(sharedPath(MODEL), { threads: 1 });
      const expected = new Map<string, Omit<SegmentAnswer, 'speed'>>();
      for (const image of IMAGES) {
        const [result] = await model.predict(image, { retinaMasks: true });
        expected.set(image, withoutSpeed(await toSegmentJSON(result)));
      }
      await model.dispose();
      await Promise.all(Object.values(workers).map((worker) => worker.waitFor(/worker ready/)));

      const queue = new FastSAMQueue({ redis: redis.url, queue: name });
      const bull = new Queue(name, { connection: { url: redis.url } });
      const completions = new Map<string, number>();
      const stalled: string[] = [];
      queue.on('completed', ({ jobId }) => completions.set(jobId, (completions.get(jobId) ?? 0) + 1));
      queue.on('stalled', ({ jobId }) => stalled.push(jobId));
      try {
        // Half uploaded, half as paths on the (here local) shared storage.
        const jobs = await Promise.all(
          Array.from({ length: JOBS }, async (_, i) => {
            const image = IMAGES[i % IMAGES.length];
            const job = await queue.submit(i % 2 === 0 ? fs.readFileSync(image) : image);
            return { image, job };
          }),
        );
        let answered = 0;
        let killed: { victim: string; running: number } | undefined;
        const answers = jobs.map(async ({ image, job }) => {
          const answer = await job.result();
          answered++;
          if (answered >= 3 && !killed) {
            // Kill the worker that holds a running job right now: it dies mid-job.
            killed = { victim: '', running: 0 };
            const active = await bull.getActive();
            const victim = (active.find((j) => j.processedBy === 'a' || j.processedBy === 'b')?.processedBy ?? 'a') as 'a' | 'b';
            killed = { victim, running: active.filter((j) => j.processedBy === victim).length };
            workers[victim].child.kill('SIGKILL');
          }
          return { image, job, answer };
        });
        const results = await Promise.all(answers);

        expect(killed).toBeDefined();
        expect(killed!.running).toBeGreaterThan(0);
        expect(await workers[killed!.victim as 'a' | 'b'].exited).toBe('SIGKILL');
        // The dead worker's jobs were found stalled and answered by the survivor.
        expect(stalled.length).toBeGreaterThan(0);
        for (const { image, answer } of results) expect(withoutSpeed(answer)).toEqual(expected.get(image));
        expect(new Set(results.map((r) => r.job.id)).size).toBe(JOBS);
        // Events travel apart from the answers: give the last ones a moment.
        for (let i = 0; i < 50 && completions.size < JOBS; i++) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(completions.size).toBe(JOBS);
        expect([...completions.values()].every((n) => n === 1)).toBe(true);

        const survivor = workers[killed!.victim === 'a' ? 'b' : 'a'];
        survivor.child.kill('SIGTERM');
        expect(await survivor.exited).toBe(0);
        expect(survivor.stderr()).toMatch(/SIGTERM: draining/);

        const counts = await bull.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'failed', 'completed');
        expect(counts).toEqual({ active: 0, waiting: 0, delayed: 0, prioritized: 0, failed: 0, completed: 0 });
        const client = redis.client();
        expect(await client.keys(`bull:${name}:fastsam:image:*`)).toEqual([]);
        // An answer the dead worker stored before it could complete its job is read and replaced by a
        // marker until the retry completes; no answer is left unread.
        for (const key of await client.keys(`bull:${name}:fastsam:result:*`)) expect(await client.get(key)).toBe('taken');
      } finally {
        await bull.close();
        await queue.close();
      }
    });
  });
});
