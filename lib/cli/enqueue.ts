/**
 * fastsam enqueue source=DIR|GLOB|LIST redis=... queue=... [save_json=FILE] [--json]: submits every
 * image to the queue's workers (at most max_in_flight jobs out at once), and writes each answer as it
 * comes, as one JSON line per image, with a progress bar. Paths are sent as absolute paths, which the
 * WORKERS open on their machines (shared storage); upload=true sends the bytes through Redis instead.
 */
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { FastSAMError } from '../errors';
import { expandSource } from '../io/sources';
import type { SegmentAnswer } from '../formats/segment-answer';
import type { CommandSchema, KeySpec, ParsedKeys } from '../options/key-schema';
import { PREDICT_KEYS, PROMPT_KEYS, predictOptionsFromKeys } from '../options/keys';
import type { QueueItem, QueueOutcome, SegmentPrompt, SubmitManyOptions } from '../queue';
import { progressBar } from './progress';
import { promptsFromKeys } from './prompt-args';
import { QUEUE_KEYS, redisTarget } from './worker';

/** The predict keys a job carries (batch and max_pixels are the worker's to decide). */
const JOB_PREDICT_KEYS: Record<string, KeySpec> = Object.fromEntries(
  Object.entries(PREDICT_KEYS).filter(([key]) => key !== 'batch' && key !== 'max_pixels'),
);
/** Prompts travel with the job; CLIP is loaded by the worker (fastsam worker clip=DIR). */
const JOB_PROMPT_KEYS: Record<string, KeySpec> = Object.fromEntries(Object.entries(PROMPT_KEYS).filter(([key]) => key !== 'clip'));

export const ENQUEUE_SCHEMA: CommandSchema = {
  name: 'enqueue',
  summary: "submit every image of a folder, glob or list to a queue's workers and write their answers as they come",
  usage: 'source=DIR|GLOB|LIST redis=redis://HOST:PORT queue=NAME [save_json=FILE.jsonl] [key=value ...] [--json]',
  keys: {
    source: { kind: 'path', help: 'an image, a folder, a glob ("imgs/*.jpg") or a .txt list of paths', required: true },
    ...QUEUE_KEYS,
    save_json: { kind: 'path', help: 'write one JSON line per image: { path, job, image, detections, speed } or { path, error }' },
    upload: { kind: 'boolean', help: 'send the image bytes through Redis (workers without the shared storage)', default: 'false' },
    max_in_flight: { kind: 'integer', help: 'jobs submitted and not yet answered, at most', default: '64' },
    attempts: { kind: 'integer', help: 'tries per job on transient failures (bad input is never retried)', default: '3' },
    result_ttl_ms: { kind: 'integer', help: 'how long an unread answer stays in Redis', default: '3600000' },
    priority: { kind: 'integer', help: '1 (first) to 2097151; jobs without one go first', default: 'none' },
    ...JOB_PREDICT_KEYS,
    ...JOB_PROMPT_KEYS,
  },
  flags: { json: 'one JSON object per image on stdout, as save_json writes them' },
  notes: ['Paths are opened by the workers, on their machines: run them on the same shared storage, or pass upload=true.'],
};

/** The prompt keys as the job's prompt (none when no prompt key is given). */
function promptFromKeys(keys: ParsedKeys): SegmentPrompt | undefined {
  const prompt: SegmentPrompt = promptsFromKeys(keys);
  return Object.keys(prompt).length > 0 ? prompt : undefined;
}

/** The images, read one at a time as submitMany asks for them (never all in memory). */
async function* uploads(files: string[]): AsyncGenerator<QueueItem> {
  for (const file of files) {
    try {
      yield await fs.readFile(file);
    } catch (error) {
      throw new FastSAMError('E_FILE_NOT_FOUND', `cannot read ${file} to upload it: ${(error as Error).message}`, { cause: error });
    }
  }
}

function line(file: string, outcome: QueueOutcome): string {
  const job = outcome.jobId ? { job: outcome.jobId } : {};
  if (outcome.error) return JSON.stringify({ path: file, ...job, error: { code: outcome.error.code, message: outcome.error.message } });
  return JSON.stringify({ path: file, ...job, ...(outcome.answer as SegmentAnswer) });
}

async function writeLine(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(`${text}\n`)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}

export async function enqueueCommand(keys: ParsedKeys, flags: Set<string>): Promise<number> {
  const json = flags.has('json');
  const { FastSAMQueue } = await import('../queue'); // first: says what to install when bullmq is missing
  // Absolute paths, for workers elsewhere; a URL in a list stays as it is (and is refused as a source).
  const files = (await expandSource(keys.source as string)).map((file) =>
    /^[a-z][a-z0-9+.-]*:\/\//i.test(file) ? file : path.resolve(file),
  );
  const options: SubmitManyOptions = {
    ...predictOptionsFromKeys(keys),
    ...(promptFromKeys(keys) ? { prompt: promptFromKeys(keys) } : {}),
    ...(keys.max_in_flight !== undefined ? { maxInFlight: keys.max_in_flight as number } : {}),
    ...(keys.priority !== undefined ? { priority: keys.priority as number } : {}),
  };
  const queue = new FastSAMQueue({
    redis: redisTarget(keys),
    queue: keys.queue as string,
    ...(keys.prefix !== undefined ? { prefix: keys.prefix as string } : {}),
    ...(keys.attempts !== undefined ? { attempts: keys.attempts as number } : {}),
    ...(keys.result_ttl_ms !== undefined ? { resultTtlMs: keys.result_ttl_ms as number } : {}),
    ...(keys.connect_timeout_ms !== undefined ? { connectTimeoutMs: keys.connect_timeout_ms as number } : {}),
  });
  let out: WriteStream | undefined;
  const progress = progressBar(files.length, !json, 'enqueue');
  let failures = 0;
  const started = performance.now();
  try {
    await queue.ready();
    if (keys.save_json !== undefined) {
      const file = keys.save_json as string;
      await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
      out = createWriteStream(file);
      await new Promise<void>((resolve, reject) => {
        out!.once('open', () => resolve());
        out!.once('error', (error) => reject(new FastSAMError('E_BAD_OPTION', `cannot write save_json=${file}: ${error.message}`)));
      });
    }
    const items: Iterable<QueueItem> | AsyncIterable<QueueItem> = keys.upload ? uploads(files) : files;
    for await (const outcome of queue.submitMany(items, options)) {
      const file = files[outcome.index];
      progress.tick();
      const text = line(file, outcome);
      if (out) await writeLine(out, text);
      if (json) console.log(text);
      if (outcome.error) {
        failures++;
        if (!json) console.error(`fastsam: ${file}: ${outcome.error.message} [${outcome.error.code}]`);
      } else if (!json && (!process.stderr.isTTY || files.length === 1)) {
        console.log(`${file}: ${outcome.answer!.detections.length} detections (job ${outcome.jobId})`);
      }
    }
  } finally {
    progress.stop();
    await queue.close();
    if (out) await new Promise<void>((resolve) => out!.end(() => resolve()));
  }
  const seconds = (performance.now() - started) / 1000;
  console.error(
    `${files.length} images: ${files.length - failures} answered, ${failures} failed, ${(files.length / seconds).toFixed(1)} images/s` +
      (keys.save_json !== undefined ? `; answers in ${keys.save_json as string}` : ''),
  );
  return failures > 0 ? 1 : 0;
}
