/**
 * Segmenting a video frame by frame through the model's own stream(): decoding (ffmpeg) runs ahead of
 * inference, at most a few frames are held at any time, and results come out in frame order as
 * VideoResults (a Result plus frame index and time). Breaking out of the loop stops ffmpeg.
 *
 *   for await (const r of predictVideo(model, 'clip.mp4', { vidStride: 2 })) console.log(r.frame, r.length);
 */
import { checkOptionsObject } from '../options/check';
import type { StreamItem, StreamOptions } from '../pipeline/stream';
import type { ImageSource } from '../io/image';
import { frameSequence, framePosition, type VideoInput } from './frames';
import { applyPrompt, checkVideoPrompt, hasPrompt, type VideoPrompt } from './prompts';
import { checkVideoReadOptions, type VideoReadOptions } from './reader';
import { VideoResult } from './results';

/**
 * What the video functions need of a model: FastSAM's stream().
 * @inline
 */
export interface StreamingModel {
  stream(sources: Iterable<ImageSource> | AsyncIterable<ImageSource>, options?: StreamOptions): AsyncGenerator<StreamItem>;
}

/**
 * Options of predictVideo() and of predict()/stream() on a video: the model's predict options, the reader's, and a prompt for
 * every frame.
 */
export interface VideoPredictOptions extends Omit<StreamOptions, 'failFast'>, VideoReadOptions {
  /** A box, point or text prompt applied to every frame. */
  prompt?: VideoPrompt;
}

const READ_KEYS: ReadonlyArray<keyof VideoReadOptions> = ['vidStride', 'live', 'streamBuffer', 'inputArgs', 'timeout'];

/**
 * The reader's options, the model's (passed through: stream() checks them and refuses unknown keys) and
 * the prompt. maxPixels limits both the frames ffmpeg decodes and what the model accepts.
 */
export function splitVideoOptions(options: VideoPredictOptions): { read: VideoReadOptions; stream: StreamOptions; prompt?: VideoPrompt } {
  const given = checkOptionsObject('video options', options) as VideoPredictOptions & { failFast?: unknown };
  const read: Record<string, unknown> = {};
  const stream: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined || key === 'prompt' || key === 'failFast') continue;
    if ((READ_KEYS as readonly string[]).includes(key)) read[key] = value;
    else stream[key] = value;
  }
  if (given.maxPixels !== undefined) read.maxPixels = given.maxPixels;
  return { read: checkVideoReadOptions(read), stream: stream as StreamOptions, prompt: given.prompt };
}

/**
 * One VideoResult per frame of a video (or of a sequence of images), in order, as the model gets to them; decoding pauses while
 * the consumer is behind. Throws E_VIDEO_DECODE when the video cannot be read, E_BACKEND_UNAVAILABLE without ffmpeg, and the
 * model's errors.
 */
export async function* predictVideo(
  model: StreamingModel,
  input: VideoInput,
  options: VideoPredictOptions = {},
): AsyncGenerator<VideoResult> {
  const { read, stream, prompt } = splitVideoOptions(options);
  const checkedPrompt = prompt === undefined ? undefined : checkVideoPrompt(prompt, false);
  let k = 0;
  // failFast: a frame the model cannot take ends the video with that error (the frames are all alike).
  for await (const item of model.stream(frameSequence(input, read), { ...stream, failFast: true })) {
    const result = new VideoResult(item.result!, framePosition(item.source, k++));
    yield hasPrompt(checkedPrompt) ? await applyPrompt(result, checkedPrompt, false) : result;
  }
}
