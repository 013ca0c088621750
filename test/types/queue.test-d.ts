/**
 * Type tests of `fastsam-node/queue` (lib/queue/index.ts): the producer (FastSAMQueue, FastSAMJob) and
 * the worker (FastSAMWorker) around Redis. Checked by tsc in `npm run typecheck`, never run.
 */
import { expectTypeOf } from 'expect-type';
import type { FastSAM, FastSAMError, SegmentAnswer } from '../../lib/index';
import {
  FastSAMJob,
  type FastSAMJobState,
  FastSAMQueue,
  type FastSAMQueueOptions,
  FastSAMWorker,
  type FastSAMWorkerOptions,
  type JobSummary,
  type QueueOutcome,
  type SubmitOptions,
} from '../../lib/queue/index';

declare const model: FastSAM;
declare const queue: FastSAMQueue;
declare const job: FastSAMJob;
declare const worker: FastSAMWorker;

// Producer: a queue from its Redis and name; jobs from bytes or a path the workers read.
expectTypeOf(new FastSAMQueue({ redis: 'redis://127.0.0.1:6379', queue: 'fastsam', attempts: 5 })).toEqualTypeOf<FastSAMQueue>();
expectTypeOf(FastSAMQueue).toBeConstructibleWith({ redis: { cluster: ['redis://a:6379', 'redis://b:6379'] }, queue: '{fastsam}' });
expectTypeOf(
  queue.submit(Buffer.alloc(1), { conf: 0.5, prompt: { bboxes: [[10, 20, 300, 400]] }, priority: 1 }),
).resolves.toEqualTypeOf<FastSAMJob>();
expectTypeOf(
  queue.submit('/shared/images/bus.jpg', { prompt: { points: [[520, 360]], labels: [1], pointMode: 'merge' } }),
).resolves.toEqualTypeOf<FastSAMJob>();
expectTypeOf(queue.submitMany(['/shared/a.jpg', { source: Buffer.alloc(1), options: { jobId: 'b' } }], { maxInFlight: 8 })).toEqualTypeOf<
  AsyncGenerator<QueueOutcome>
>();
expectTypeOf(queue.job('id')).resolves.toEqualTypeOf<FastSAMJob>();
expectTypeOf(job.result({ signal: AbortSignal.timeout(1000) })).resolves.toEqualTypeOf<SegmentAnswer>();
expectTypeOf(job.state()).resolves.toEqualTypeOf<FastSAMJobState>();
expectTypeOf(job.id).toBeString();
expectTypeOf<QueueOutcome['error']>().toEqualTypeOf<FastSAMError | undefined>();
queue.on('failed', ({ jobId, error }) => {
  expectTypeOf(jobId).toBeString();
  expectTypeOf(error).toEqualTypeOf<FastSAMError>();
});
// @ts-expect-error -- a queue needs its Redis
const _noRedis: FastSAMQueueOptions = { queue: 'fastsam' };
// @ts-expect-error -- job options are the detection options, imgsz and the prompt (it is `conf`)
const _confidence: SubmitOptions = { confidence: 0.5 };
// @ts-expect-error -- a prompt's boxes are [x1, y1, x2, y2]
const _box: SubmitOptions = { prompt: { bboxes: [[10, 20]] } };
// @ts-expect-error -- the queue takes bytes or paths, not decoded pixels
expectTypeOf(queue.submit).toBeCallableWith({ data: new Uint8Array(3), width: 1, height: 1, channels: 3 });
// @ts-expect-error -- not a job event
queue.on('finished', () => undefined);

// Worker: started on a loaded model; close() drains and says whether it finished everything.
expectTypeOf(
  FastSAMWorker.start({ redis: 'redis://127.0.0.1:6379', queue: 'fastsam', model, concurrency: 8 }),
).resolves.toEqualTypeOf<FastSAMWorker>();
expectTypeOf(worker.close({ timeoutMs: 60_000 })).resolves.toEqualTypeOf<{ drained: boolean }>();
expectTypeOf(worker.running).toBeBoolean();
worker.on('completed', ({ jobId, milliseconds, summary }) => {
  expectTypeOf(jobId).toBeString();
  expectTypeOf(milliseconds).toBeNumber();
  expectTypeOf(summary).toEqualTypeOf<JobSummary>();
});
// @ts-expect-error -- a worker answers with a loaded model, not a path
const _path: FastSAMWorkerOptions = { redis: 'redis://127.0.0.1:6379', queue: 'fastsam', model: 'FastSAM-s.onnx' };
// @ts-expect-error -- the constructor is private: workers come from FastSAMWorker.start()
const _constructed = new FastSAMWorker();
