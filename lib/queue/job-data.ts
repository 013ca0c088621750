/**
 * What a segment job carries in Redis, and its checks. The producer checks what it submits (a mistake
 * fails at submit(), not minutes later in a worker); the worker checks again what it reads, because a
 * job may come from another producer or another version of this one. Option ranges are the library's
 * own (the predict options resolver), so the API, the CLI, the server and the queue refuse the same
 * values with the same messages.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FastSAMError } from '../errors';
import { checkInteger, checkKnownKeys, checkOneOf, checkOptionsObject, invalid, is } from '../options/check';
import { MAX_IMGSZ } from '../options/limits';
import { type DetectionOptions, resolveDetectionOptions } from '../options/predict-options';
import type { PromptRequest } from '../prompts/answer';
import { checkBoxes, checkLabels, checkPoints } from '../prompts/check-prompts';
import { POINT_MODES } from '../prompts/rules';
import { JOB_LIMITS } from './settings';

/** The job name in BullMQ (one queue may one day carry other kinds of job). */
export const SEGMENT_JOB = 'segment';

/** Version of the job layout: a worker refuses layouts it does not know instead of misreading them. */
export const JOB_DATA_VERSION = 1;

/**
 * Prompts travel with the job and are applied by the worker in the library's one priority rule
 * (answerPrompts: boxes, then texts, then points): the CLI's, the server's and a video frame's shape.
 * Texts need a worker started with CLIP (fastsam worker clip=DIR).
 */
export type SegmentPrompt = Omit<PromptRequest, 'clip'>;

/** The predict options a job may set; the worker's model supplies the rest (retina masks on by default). */
export interface JobPredictOptions extends DetectionOptions {
  /** Input size: one side, or [height, width]. Default: the worker model's. */
  imgsz?: number | [number, number];
}

export const JOB_OPTION_KEYS = ['conf', 'iou', 'maxDet', 'retinaMasks', 'agnosticNms', 'classes', 'imgsz'] as const;
const PROMPT_KEYS = ['bboxes', 'points', 'labels', 'pointMode', 'texts'] as const;

/** Where the worker finds the image: a path on storage it shares with the producer, or bytes uploaded to Redis. */
export type JobSource = { path: string } | { upload: { bytes: number } };

export interface SegmentJobData {
  v: typeof JOB_DATA_VERSION;
  source: JobSource;
  options: JobPredictOptions;
  prompt?: SegmentPrompt;
  /** How long the answer waits to be read. */
  resultTtlMs: number;
}

/** Detection options and imgsz, checked with the library's ranges; returned as given (no defaults added). */
export function checkJobOptions(value: unknown): JobPredictOptions {
  const given = checkOptionsObject('job options', value) as JobPredictOptions;
  checkKnownKeys('job option', given, JOB_OPTION_KEYS);
  resolveDetectionOptions(given, 'segment'); // throws on a bad value; the worker resolves for its model
  if (given.imgsz !== undefined) {
    const sides = Array.isArray(given.imgsz) ? given.imgsz : [given.imgsz];
    if (sides.length < 1 || sides.length > 2) invalid('imgsz', 'a number or [height, width]', given.imgsz);
    for (const side of sides) checkInteger('imgsz', side, 1, MAX_IMGSZ);
  }
  const options: Record<string, unknown> = {};
  for (const key of JOB_OPTION_KEYS) if (given[key] !== undefined) options[key] = given[key];
  return options as JobPredictOptions;
}

/**
 * The prompt, checked with the library's prompt checks (E_BAD_PROMPT): boxes with positive sides,
 * points, one label per point (0 or 1), a point mode, texts; at most 1000 of each.
 */
export function checkPrompt(value: unknown): SegmentPrompt | undefined {
  if (value === undefined) return undefined;
  const given = checkOptionsObject('prompt', value) as SegmentPrompt;
  checkKnownKeys('prompt key', given, PROMPT_KEYS, 'E_BAD_PROMPT');
  const prompt: SegmentPrompt = {};
  if (given.bboxes !== undefined) prompt.bboxes = checkBoxes(given.bboxes);
  if (given.points !== undefined) {
    prompt.points = checkPoints(given.points);
    if (given.labels !== undefined) prompt.labels = checkLabels(given.labels, prompt.points.length);
  } else if (given.labels !== undefined) invalid('labels', 'given with points', given.labels, 'E_BAD_PROMPT');
  if (given.pointMode !== undefined) prompt.pointMode = checkOneOf('pointMode', given.pointMode, POINT_MODES, 'E_BAD_PROMPT');
  if (given.texts !== undefined) {
    const { maxPrompts, maxTextLength } = JOB_LIMITS;
    const texts = given.texts as unknown;
    if (
      !Array.isArray(texts) ||
      texts.length === 0 ||
      texts.length > maxPrompts ||
      !texts.every((t) => is.nonEmptyString(t) && t.length <= maxTextLength)
    ) {
      invalid('texts', `a list of 1 to ${maxPrompts} non-empty texts of at most ${maxTextLength} characters`, texts, 'E_BAD_PROMPT');
    }
    prompt.texts = texts as string[];
  }
  return Object.keys(prompt).length > 0 ? prompt : undefined;
}

/**
 * A path source as the worker will open it: an absolute path or a file: URI. The path is read by the
 * worker, on its machine, never by the producer: it must name storage both can see.
 */
export function checkPathSource(source: string): string {
  let file = source;
  if (/^file:/i.test(source)) {
    try {
      file = fileURLToPath(source);
    } catch (error) {
      throw new FastSAMError('E_BAD_SOURCE', `source ${JSON.stringify(source)} is not a valid file: URI`, { cause: error });
    }
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    invalid(
      'source',
      'an absolute path or a file: URI on storage the workers share (or the image bytes as a Buffer)',
      source,
      'E_BAD_SOURCE',
    );
  }
  if (file.length === 0 || file.length > JOB_LIMITS.maxPathLength || file.includes('\0')) {
    invalid('source', `a path of 1 to ${JOB_LIMITS.maxPathLength} characters`, source, 'E_BAD_SOURCE');
  }
  if (!path.isAbsolute(file)) {
    invalid('source', 'an absolute path (the worker reads it on its own machine, not the producer on this one)', source, 'E_BAD_SOURCE');
  }
  return path.normalize(file);
}

/** A job as a worker reads it from Redis: anything else fails the job at once with E_BAD_OPTION. */
export function readJobData(data: unknown): SegmentJobData {
  const job = checkOptionsObject('job data', data);
  if (job.v !== JOB_DATA_VERSION) invalid('job data version', `${JOB_DATA_VERSION} (submitted by another version of fastsam-node?)`, job.v);
  const source = checkOptionsObject('job source', job.source) as Partial<{ path: unknown; upload: { bytes: unknown } }>;
  let checked: JobSource;
  if (typeof source.path === 'string') checked = { path: checkPathSource(source.path) };
  else if (is.plainObject(source.upload))
    checked = { upload: { bytes: checkInteger('upload bytes', source.upload.bytes, 1, Number.MAX_SAFE_INTEGER) } };
  else return invalid('job source', '{ path } or { upload }', job.source, 'E_BAD_SOURCE');
  return {
    v: JOB_DATA_VERSION,
    source: checked,
    options: checkJobOptions(job.options),
    prompt: checkPrompt(job.prompt),
    resultTtlMs: checkInteger('resultTtlMs', job.resultTtlMs, 1, Number.MAX_SAFE_INTEGER),
  };
}
