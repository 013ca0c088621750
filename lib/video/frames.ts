/**
 * Whatever predictVideo()/trackVideo() are given, as a sequence of frames: a video path, URL or camera
 * is opened with ffmpeg; an open VideoReader is used as is; one image is a one-frame sequence; arrays,
 * iterables and async iterables of images are frames in order.
 */
import type { ImageSource } from '../io/image';
import type { FramePosition } from './results';
import { openVideo, type VideoFrame, type VideoReadOptions, VideoReader } from './reader';
import { isVideoSource } from './source-kind';

/**
 * What the video functions read: a video (file, URL, camera) or an open VideoReader, or any sequence of images treated as frames.
 */
export type VideoInput = ImageSource | VideoReader | Iterable<ImageSource> | AsyncIterable<ImageSource>;

function isIterable(value: unknown): value is Iterable<ImageSource> | AsyncIterable<ImageSource> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Uint8Array) &&
    (Symbol.iterator in value || Symbol.asyncIterator in value)
  );
}

/** A reader's frames as a plain generator: a stream() that diverts VideoReaders to us cannot loop back. */
async function* framesOf(reader: VideoReader): AsyncGenerator<VideoFrame> {
  yield* reader; // return() reaches the reader, which stops ffmpeg
}

export function frameSequence(input: VideoInput, options: VideoReadOptions): Iterable<ImageSource> | AsyncIterable<ImageSource> {
  if (input instanceof VideoReader) return framesOf(input);
  if (isVideoSource(input)) return framesOf(openVideo(input, options));
  if (isIterable(input)) return input;
  return [input];
}

export function isVideoFrame(source: unknown): source is VideoFrame {
  return typeof source === 'object' && source !== null && typeof (source as VideoFrame).frame === 'number' && 'video' in source;
}

/** Where the k-th item of a sequence sits: a video frame knows; any other image is frame k. */
export function framePosition(source: ImageSource, k: number): FramePosition {
  return isVideoFrame(source) ? { frame: source.frame, time: source.time, video: source.video } : { frame: k };
}
