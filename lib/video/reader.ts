/**
 * Video frames from Debian's (or any system's) ffmpeg: one child process decodes the first video stream
 * to raw RGB on a pipe, cut into exact frames. Files are read with backpressure and end with a typed
 * error after the last good frame when they are truncated or ffmpeg dies; live streams drop the frames
 * the consumer is too slow for. Stopping early (break, return, an error) kills ffmpeg and waits for it.
 *
 *   for await (const frame of openVideo('clip.mp4', { vidStride: 2 })) ... // frame.data: RGB bytes
 */
import { DEFAULT_MAX_PIXELS, type RawImage } from '../io/image';
import { FastSAMError } from '../errors';
import { checkBoolean, checkInteger, checkKnownKeys, checkOptionsObject, invalid, is } from '../options/check';
import { stderrSummary, ToolProcess } from './child';
import { findFfmpeg, passthroughArgs } from './ffmpeg';
import { FrameQueue, StallError } from './frame-queue';
import { probeVideo, type VideoInfo } from './probe';
import { cameraDevice, inputArgsFor, isLiveSource } from './source-kind';

/** One decoded frame: raw RGB pixels any predict() or stream() takes, plus where it sits in the video. */
export interface VideoFrame extends RawImage {
  /** The frame's RGB bytes (width × height × 3), row-major. */
  data: Buffer;
  /** Always RGB. */
  channels: 3;
  /** Index of the frame among all decoded frames of the source (vid_stride and dropped frames skip some). */
  frame: number;
  /** Seconds from the start: frame / fps (nominal for variable-frame-rate files). */
  time: number;
  /** The video it came from. */
  video: string;
}

/** How a video is read: which frames, live or not, ffmpeg input options and limits. */
export interface VideoReadOptions {
  /** Read every n-th frame (Ultralytics' vid_stride). Default 1. */
  vidStride?: number;
  /** Treat the source as live (read at its pace, stale frames dropped). Default: from the source. */
  live?: boolean;
  /** Live sources: keep up to 30 frames instead of only the newest (Ultralytics' stream_buffer). Default false. */
  streamBuffer?: boolean;
  /** ffmpeg input options placed before -i, e.g. ['-rtsp_transport', 'tcp']. */
  inputArgs?: string[];
  /** Milliseconds without any data before the source counts as stalled (E_VIDEO_DECODE). Default 30000. */
  timeout?: number;
  /** Frames with more pixels are refused (E_IMAGE_TOO_LARGE). Default 16383². */
  maxPixels?: number;
}

const READ_KEYS = ['vidStride', 'live', 'streamBuffer', 'inputArgs', 'timeout', 'maxPixels'] as const;

/** Frames ffmpeg may decode ahead of a file consumer (the pipe holds a little more). */
const FILE_AHEAD = 2;
/** Ultralytics' stream buffer length. */
const STREAM_BUFFER = 30;

export function checkVideoReadOptions(options: unknown): VideoReadOptions {
  const given = checkOptionsObject('video options', options) as VideoReadOptions;
  if (given.vidStride !== undefined) checkInteger('vidStride', given.vidStride, 1, 100_000);
  if (given.live !== undefined) checkBoolean('live', given.live);
  if (given.streamBuffer !== undefined) checkBoolean('streamBuffer', given.streamBuffer);
  if (given.timeout !== undefined) checkInteger('timeout', given.timeout, 1, 2 ** 31 - 1);
  if (given.maxPixels !== undefined) checkInteger('maxPixels', given.maxPixels, 1, Number.MAX_SAFE_INTEGER);
  if (given.inputArgs !== undefined && !(Array.isArray(given.inputArgs) && given.inputArgs.every(is.string))) {
    invalid('inputArgs', 'an array of strings', given.inputArgs);
  }
  return given;
}

/**
 * A video's frames as an async iterable of raw RGB frames, decoded by one ffmpeg child process: files with backpressure, live
 * sources at their own pace (stale frames dropped). Read once; breaking out of the loop stops ffmpeg. Ends with E_VIDEO_DECODE
 * after the last good frame when a file is truncated or ffmpeg dies.
 */
export class VideoReader implements AsyncIterable<VideoFrame> {
  /** The source as ffmpeg opens it (a camera index becomes its device). */
  readonly source: string;
  private readonly options: VideoReadOptions;
  private probed?: Promise<VideoInfo>;
  private process?: ToolProcess;
  private queue?: FrameQueue;
  private iterated = false;
  private closed = false;
  private delivered = 0;

  constructor(source: string, options: VideoReadOptions = {}) {
    if (!is.nonEmptyString(source)) invalid('video source', 'a file path, URL or device', source, 'E_BAD_SOURCE');
    const checked = checkVideoReadOptions(options);
    checkKnownKeys('video option', checked, READ_KEYS);
    if (/^\d+$/.test(source) && process.platform !== 'linux') {
      throw new FastSAMError(
        'E_BAD_SOURCE',
        `camera index ${source} is for Linux (V4L2); elsewhere give the device and ffmpeg inputArgs (e.g. ['-f', 'avfoundation'])`,
      );
    }
    this.source = cameraDevice(source);
    this.options = checked;
  }

  /** Size, frame rate and frame count (ffprobe, once). */
  info(): Promise<VideoInfo> {
    this.probed ??= probeVideo(this.source, { live: this.live, inputArgs: this.options.inputArgs, timeout: this.options.timeout });
    return this.probed;
  }

  /** Whether the source is read as live (a stream or camera). */
  get live(): boolean {
    return this.options.live ?? isLiveSource(this.source);
  }

  /** Every n-th frame is read. */
  get vidStride(): number {
    return this.options.vidStride ?? 1;
  }

  /** Process id of the decoding ffmpeg while it runs. */
  get pid(): number | undefined {
    return this.process?.running ? this.process.pid : undefined;
  }

  /** Frames given to the consumer, dropped because it was behind (live sources), and decoded but not yet taken. */
  get stats(): {
    /** Frames given to the consumer. */
    delivered: number;
    /** Frames a live source dropped because the consumer was behind. */
    dropped: number;
    /** Frames decoded and waiting to be taken. */
    buffered: number;
  } {
    return { delivered: this.delivered, dropped: this.queue?.dropped ?? 0, buffered: this.queue?.length ?? 0 };
  }

  /** The frames, in order. Throws E_BAD_SOURCE when the reader was already iterated. */
  [Symbol.asyncIterator](): AsyncGenerator<VideoFrame> {
    if (this.iterated) throw new FastSAMError('E_BAD_SOURCE', `a video reader is read once; open ${this.source} again to re-read it`);
    this.iterated = true;
    return this.frames();
  }

  /** Stops decoding now (kills ffmpeg and waits for it); the iteration ends. */
  async close(): Promise<void> {
    this.closed = true;
    await this.process?.stop();
  }

  private async *frames(): AsyncGenerator<VideoFrame> {
    const info = await this.info();
    const maxPixels = this.options.maxPixels ?? DEFAULT_MAX_PIXELS;
    if (info.width * info.height > maxPixels) {
      throw new FastSAMError(
        'E_IMAGE_TOO_LARGE',
        `${this.source}: frames of ${info.width}x${info.height} are over the limit of ${maxPixels} pixels (raise maxPixels if you trust it)`,
      );
    }
    if (this.closed) return;
    const tools = await findFfmpeg();
    const stride = this.vidStride;
    const filters = [...(stride > 1 ? [`select=not(mod(n\\,${stride}))`] : []), `scale=${info.width}:${info.height}`];
    const args = [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      ...inputArgsFor(this.source, info.live),
      ...(this.options.inputArgs ?? []),
      '-i',
      this.source,
      '-map',
      '0:v:0',
      '-an',
      '-sn',
      '-dn',
      '-vf',
      filters.join(','),
      ...passthroughArgs(tools),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ];
    const child = new ToolProcess(tools.ffmpeg, args, { stdin: 'ignore', stdout: 'pipe' });
    this.process = child;
    const frameBytes = info.width * info.height * 3;
    const dropStale = info.live && !this.options.streamBuffer;
    const queue = new FrameQueue(
      child.child.stdout!,
      frameBytes,
      dropStale ? 1 : info.live ? STREAM_BUFFER : FILE_AHEAD,
      dropStale ? 'drop-oldest' : 'pause',
    );
    this.queue = queue;
    const timeout = this.options.timeout ?? 30_000;
    try {
      for (;;) {
        let next;
        try {
          next = await queue.next(timeout);
        } catch (error) {
          if (!(error instanceof StallError)) throw error;
          throw new FastSAMError('E_VIDEO_DECODE', `${this.source}: no data for ${timeout} ms after ${this.delivered} frames; gave up`);
        }
        if ('done' in next) {
          if (!this.closed) await this.checkEnd(child, info, next.partialBytes);
          return;
        }
        const frame = next.position * stride;
        this.delivered++;
        yield { data: next.data, width: info.width, height: info.height, channels: 3, frame, time: frame / info.fps, video: this.source };
      }
    } finally {
      await child.stop();
    }
  }

  /** After the last frame: was that the whole video? Failures become one typed error with ffmpeg's words. */
  private async checkEnd(child: ToolProcess, info: VideoInfo, partialBytes: number): Promise<void> {
    const exit = await child.exited;
    const said = stderrSummary(child.stderr);
    const fail = (why: string) => {
      throw new FastSAMError('E_VIDEO_DECODE', `${this.source}: ${why}${said ? `: ${said}` : ''}`);
    };
    const after = `after ${this.delivered} frame${this.delivered === 1 ? '' : 's'}`;
    if (exit.error) fail(`ffmpeg could not run (${exit.error.message}) ${after}`);
    if (exit.signal) fail(`ffmpeg was killed (${exit.signal}) ${after}`);
    if (exit.code !== 0) fail(`ffmpeg failed (exit code ${exit.code}) ${after}`);
    if (partialBytes > 0) fail(`the stream ended inside a frame (${partialBytes} of ${info.width * info.height * 3} bytes) ${after}`);
    if (info.live || !said) return;
    // ffmpeg reports damage (a truncated file, corrupt packets) on stderr and still exits 0: a file that
    // said so and gave fewer frames than it declares was cut short.
    const decoded = this.delivered === 0 ? 0 : (this.delivered - 1) * this.vidStride + 1;
    const expected = info.frames;
    const slack = info.framesExact ? this.vidStride : Math.max(this.vidStride, Math.ceil((expected ?? 0) * 0.02) + 1);
    if (expected === undefined || decoded + slack <= expected) {
      fail(
        `the video is damaged or truncated (${expected === undefined ? `${decoded} frames decoded, frame count unknown` : `${decoded} of ${expected} frames decoded`})`,
      );
    }
  }
}

/** Frames of a video file, URL or camera (see VideoReader); nothing starts until the first frame is asked for. */
export function openVideo(source: string, options: VideoReadOptions = {}): VideoReader {
  return new VideoReader(source, options);
}
