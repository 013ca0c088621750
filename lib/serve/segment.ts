/**
 * One segment request, whatever protocol brought it: predict (the model batches it with other
 * requests), apply the prompt with FastSAMPrompt (the reference's priority: boxes, then texts, then
 * points, else everything), and build the answer once: as JSON bytes made on the encoder's worker
 * thread (/v1), or as the answer object (/v2 turns it into tensors). Retina masks unless the request
 * says otherwise.
 */
import { type ClipScorer, FastSAM, FastSAMError, FastSAMPrompt, type Result, type SegmentAnswer, toSegmentJSON } from '../index';
import type { SegmentEncoder } from '../formats/segment-encoder';
import { refinedRles } from './refine';
import type { RequestSignal } from './request-signal';
import type { WireOptions, WirePrompts } from './wire-options';

export interface SegmentContext {
  model: FastSAM;
  clip?: ClipScorer;
  maxPixels: number;
  request: RequestSignal;
  encoder: SegmentEncoder;
}

export type SegmentOutput =
  { format: 'json'; body: Buffer } | { format: 'object'; answer: SegmentAnswer } | { format: 'png'; png: Buffer; result: Result };

/** Refuses what cannot be answered before any work is done. */
export function checkAnswerable(options: WireOptions, clip: ClipScorer | undefined): void {
  if (options.prompts.texts && !clip) {
    throw new FastSAMError('E_BAD_OPTION', 'texts needs CLIP: start the server with clip=DIR (fastsam serve clip=DIR)');
  }
  if (options.format === 'png' && options.betterQuality) {
    throw new FastSAMError('E_BAD_OPTION', 'better_quality applies to JSON answers, not format=png');
  }
}

/** Resolves with `work`, or rejects as soon as the request is abandoned (for work that takes no signal: its result is dropped). */
function untilAbandoned<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function applyPrompt(image: Buffer, result: Result, prompts: WirePrompts, clip: ClipScorer | undefined): Promise<Result> {
  if (!prompts.bboxes && !prompts.texts && !prompts.points) return result;
  const prompt = new FastSAMPrompt(image, result);
  if (prompts.bboxes) return prompt.box(prompts.bboxes);
  if (prompts.texts && clip) return prompt.text(prompts.texts, { clip });
  return prompt.point(prompts.points!, prompts.labels, { mode: prompts.pointMode });
}

/** Runs one request; `as` says how a JSON answer is wanted: bytes to send, or the object. */
export async function runSegment(
  context: SegmentContext,
  image: Buffer,
  options: WireOptions,
  as: 'bytes' | 'object' = 'bytes',
): Promise<SegmentOutput> {
  const { model, request } = context;
  const { signal } = request;
  const predictOptions = {
    ...options.predict,
    retinaMasks: options.predict.retinaMasks ?? true,
    maxPixels: context.maxPixels,
    signal, // the model drops the request from its queue when it is abandoned
  };
  try {
    const [result] = await model.predict(image, predictOptions);
    request.check();
    let started = performance.now();
    const answer = await untilAbandoned(applyPrompt(image, result, options.prompts, context.clip), signal);
    const promptMs = performance.now() - started;
    request.check();
    started = performance.now();
    if (options.format === 'png') return { format: 'png', png: await answer.masks.toPNG({ indexMap: true }), result: answer };
    const rles = options.betterQuality ? await refinedRles(answer, signal) : undefined;
    const speed: Record<string, number> = { prompt: promptMs };
    if (rles) speed.refine = performance.now() - started;
    // The encoder adds `encode` itself (its work ends on the worker thread).
    if (as === 'bytes') return { format: 'json', body: await context.encoder.encode(answer, { rles, signal, speed }) };
    started = performance.now();
    const json = await toSegmentJSON(answer, { rles, signal, speed });
    json.speed.encode = performance.now() - started;
    return { format: 'object', answer: json };
  } catch (error) {
    throw request.translate(error);
  }
}
