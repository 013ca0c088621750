/**
 * FastSAM past one machine: workers on a Redis-backed BullMQ queue, and the producer that feeds them.
 * Its own entry point (`fastsam-node/queue`), with bullmq and ioredis as optional peer dependencies, so
 * the library neither loads nor installs BullMQ for everyone.
 * How to run it on a cluster: docs/queue.md.
 *
 * @module fastsam-node/queue
 */
import './requirements'; // first: says what to install when bullmq or ioredis is missing
export { FastSAMQueue } from './producer';
export type { FastSAMQueueEvents, FastSAMQueueOptions, QueueSource, SubmitManyOptions, SubmitOptions } from './producer';
export { FastSAMJob } from './job';
export type { FastSAMJobState } from './job';
export type { QueueItem, QueueOutcome } from './submit-many';
export { FastSAMWorker } from './worker';
export type { FastSAMWorkerEvents, FastSAMWorkerOptions, WorkerJobEvent } from './worker';
export type { JobSummary } from './segment-job';
export type { JobPredictOptions, SegmentPrompt } from './job-data';
export type { RedisTarget } from './redis';
export { QUEUE_DEFAULTS } from './settings';
export { startMetricsServer } from './metrics-server';
export type { MetricsServer } from './metrics-server';
export type { SegmentAnswer, SegmentDetection, SegmentMask } from '../formats/segment-answer';
