/**
 * One segment job in a worker: the image (a shared path, or the bytes uploaded to Redis), predict (the
 * model batches it with the worker's other jobs), the job's prompt (answerPrompts, the library's one
 * priority rule), the answer JSON of POST /v1/segment built on the encoder's worker thread (so the event
 * loop, which renews the job locks, stays free however many masks there are), stored once with its TTL.
 * A job whose answer is already stored (a retry after its worker died between storing and completing)
 * is not run again.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Job } from 'bullmq';
import type { ClipScorer } from '../clip/scorer';
import { FastSAMError, messageOf } from '../errors';
import type { SegmentEncoder } from '../formats/segment-encoder';
import type { FastSAM } from '../pipeline/fastsam';
import { answerPrompts, hasPrompts } from '../prompts/answer';
import { FastSAMPrompt } from '../prompts/prompt';
import { type JobSource, readJobData, type SegmentJobData } from './job-data';
import { imageKey, type QueueName, resultKey } from './keys';
import type { RedisClient } from './redis';
import { hasAnswer, storeAnswer } from './results';

/** Stages of a job, timed for metrics. */
export type JobStage = 'read' | 'predict' | 'prompt' | 'encode' | 'store';

export interface SegmentJobContext {
  client: RedisClient;
  queue: QueueName;
  model: FastSAM;
  clip?: ClipScorer;
  /** Builds the answer JSON off the event loop. */
  encoder: SegmentEncoder;
  /** Images with more pixels are refused before decoding (E_IMAGE_TOO_LARGE). */
  maxPixels: number;
  /** When set, path sources must lie inside this folder (after resolving links). */
  root?: string;
  onStage?: (stage: JobStage, milliseconds: number) => void;
}

/** What a job returns to BullMQ (kept small: BullMQ copies it into its event stream). */
export interface JobSummary {
  /** Detections in the answer (absent when an earlier attempt had stored it: `reused`). */
  detections?: number;
  /** Size of the answer JSON this attempt stored (0 when it found one already stored). */
  bytes: number;
  /** Set when an earlier attempt of this job had already stored the answer (a retry after a crash). */
  reused?: true;
}

/** `file` resolved through links, refused unless it lies inside `root`. */
async function confine(file: string, root: string): Promise<string> {
  let real: string;
  let realRoot: string;
  try {
    [real, realRoot] = await Promise.all([fs.realpath(file), fs.realpath(root)]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new FastSAMError('E_FILE_NOT_FOUND', `image file not found: ${file}`, { cause: error });
    throw new FastSAMError('E_IMAGE_DECODE', `cannot open image file ${file}: ${messageOf(error)}`, { cause: error });
  }
  if (real !== realRoot && !real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep)) {
    throw new FastSAMError('E_BAD_SOURCE', `source ${file} is outside the folder this worker serves (${root})`);
  }
  return real;
}

/** The image to predict on: a path (decoded by the library, with its file checks) or the uploaded bytes. */
async function readSource(context: SegmentJobContext, id: string, source: JobSource): Promise<string | Buffer> {
  if ('path' in source) return context.root ? confine(source.path, context.root) : source.path;
  let bytes: Buffer | null;
  try {
    bytes = await context.client.getBuffer(imageKey(context.queue, id));
  } catch (error) {
    throw new FastSAMError('E_REDIS', `cannot read the uploaded image: ${messageOf(error)}`, { cause: error });
  }
  if (!bytes) {
    throw new FastSAMError('E_BAD_SOURCE', 'the uploaded image is gone from Redis: it expired before a worker took the job (imageTtlMs)');
  }
  return bytes;
}

/** Removes the uploaded image once the job is over (answered, or failed for good); a path needs nothing. */
export async function dropUpload(client: RedisClient, queue: QueueName, id: string): Promise<void> {
  await client.del(imageKey(queue, id));
}

async function timed<T>(context: SegmentJobContext, stage: JobStage, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const value = await work();
  context.onStage?.(stage, performance.now() - started);
  return value;
}

async function answer(context: SegmentJobContext, job: Job, data: SegmentJobData, signal?: AbortSignal): Promise<JobSummary> {
  const id = job.id!;
  const image = await timed(context, 'read', () => readSource(context, id, data.source));
  const [result] = await timed(context, 'predict', () =>
    context.model.predict(image, {
      ...data.options,
      // As POST /v1/segment: masks at the image's own size unless the job says otherwise.
      retinaMasks: data.options.retinaMasks ?? true,
      maxPixels: context.maxPixels,
      ...(signal ? { signal } : {}),
    }),
  );
  await job.updateProgress({ stage: 'predicted', detections: result.length });
  const started = performance.now();
  const prompt = data.prompt;
  const picked = hasPrompts(prompt) ? await answerPrompts(new FastSAMPrompt(image, result), { ...prompt, clip: context.clip }) : result;
  const promptMs = performance.now() - started;
  context.onStage?.('prompt', promptMs);
  // The encoder adds speed.encode to the answer itself.
  const json = await timed(context, 'encode', () => context.encoder.encode(picked, { speed: { prompt: promptMs }, signal }));
  const stored = await timed(context, 'store', () => storeAnswer(context.client, resultKey(context.queue, id), json, data.resultTtlMs));
  return { detections: picked.length, bytes: stored ? json.length : 0 };
}

/** Runs one job to its stored answer; throws a FastSAMError (the worker decides about retries). */
export async function runSegmentJob(context: SegmentJobContext, job: Job, signal?: AbortSignal): Promise<JobSummary> {
  const id = job.id!;
  if (await hasAnswer(context.client, resultKey(context.queue, id))) return { bytes: 0, reused: true };
  const data = readJobData(job.data);
  if (data.prompt?.texts && !context.clip) {
    throw new FastSAMError('E_BAD_OPTION', 'text prompts need CLIP, and this worker has none: start it with clip=DIR');
  }
  return answer(context, job, data, signal);
}
