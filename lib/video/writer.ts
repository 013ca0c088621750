/**
 * Writing a video through a second ffmpeg: raw RGB frames on its stdin (waiting when the pipe is full),
 * encoded as H.264 (libx264, yuv420p, +faststart: plays in browsers and players) at the given frame
 * rate; MPEG-4 Part 2 (ffmpeg's built-in mpeg4 encoder) when this ffmpeg has no libx264.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FastSAMError } from '../errors';
import { stderrSummary, ToolProcess } from './child';
import { findFfmpeg, hasEncoder } from './ffmpeg';

/** Options of VideoWriter.open(): the frame size and rate, and the quality. */
export interface VideoWriterOptions {
  /** Frame width, in pixels (an odd size is padded by one pixel for the encoder). */
  width: number;
  /** Frame height, in pixels (padded likewise). */
  height: number;
  /** Frames per second of the output. */
  fps: number;
  /** libx264's constant rate factor (0-51, lower is better). Default 23. */
  crf?: number;
}

/**
 * Writes raw RGB frames to a video file through an ffmpeg child process: H.264 (libx264, plays in browsers), or MPEG-4 Part 2
 * where this ffmpeg has no libx264. open(), write() each frame, then close() (or abort()).
 */
export class VideoWriter {
  private frames = 0;
  private failed?: Error;

  private constructor(
    /** The output file. */
    readonly file: string,
    /** 'libx264' or 'mpeg4'. */
    readonly codec: string,
    private readonly process: ToolProcess,
    private readonly options: VideoWriterOptions,
  ) {
    process.child.stdin!.on('error', (error) => (this.failed ??= error));
  }

  /**
   * Starts ffmpeg writing `file` (its folder is created). Throws E_BACKEND_UNAVAILABLE without ffmpeg; write() and close() throw
   * E_VIDEO_ENCODE when ffmpeg fails.
   */
  static async open(file: string, options: VideoWriterOptions): Promise<VideoWriter> {
    const tools = await findFfmpeg();
    const codec = (await hasEncoder(tools, 'libx264')) ? 'libx264' : 'mpeg4';
    await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    const quality = codec === 'libx264' ? ['-preset', 'veryfast', '-crf', String(options.crf ?? 23)] : ['-q:v', '4'];
    const args = [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${options.width}x${options.height}`,
      '-framerate',
      String(options.fps),
      '-i',
      'pipe:0',
      // 4:2:0 chroma needs even sides: pad odd ones by a pixel rather than resample.
      '-vf',
      'pad=ceil(iw/2)*2:ceil(ih/2)*2',
      '-c:v',
      codec,
      ...quality,
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      file,
    ];
    return new VideoWriter(file, codec, new ToolProcess(tools.ffmpeg, args, { stdin: 'pipe', stdout: 'ignore' }), options);
  }

  /** The encoding ffmpeg's process id. */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Frames written so far. */
  get written(): number {
    return this.frames;
  }

  /** Queues one frame (width x height x 3 bytes); resolves when the pipe can take more. */
  async write(rgb: Uint8Array): Promise<void> {
    const expected = this.options.width * this.options.height * 3;
    if (rgb.length !== expected) {
      throw new FastSAMError('E_BAD_SOURCE', `a frame for ${this.file} must have ${expected} bytes, got ${rgb.length}`);
    }
    const stdin = this.process.child.stdin!;
    if (this.failed || !this.process.running) await this.fail();
    this.frames++;
    if (stdin.write(rgb)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        stdin.off('drain', done);
        stdin.off('close', done);
        resolve();
      };
      stdin.on('drain', done);
      stdin.on('close', done);
    });
    if (this.failed || !this.process.running) await this.fail();
  }

  /** Ends the stream and waits for ffmpeg to finish the file. */
  async close(): Promise<void> {
    const stdin = this.process.child.stdin!;
    if (!stdin.destroyed) stdin.end();
    const exit = await this.process.exited;
    if (exit.error || exit.signal || exit.code !== 0) await this.fail();
  }

  /** Stops at once (the file is left incomplete and removed). */
  async abort(): Promise<void> {
    await this.process.stop();
    await fs.rm(this.file, { force: true });
  }

  private async fail(): Promise<never> {
    const exit = await this.process.stop();
    const why = exit.signal
      ? `ffmpeg was killed (${exit.signal})`
      : exit.error
        ? `ffmpeg could not run (${exit.error.message})`
        : `ffmpeg failed (exit code ${exit.code})`;
    const said = stderrSummary(this.process.stderr);
    throw new FastSAMError('E_VIDEO_ENCODE', `writing ${this.file}: ${why} after ${this.frames} frames${said ? `: ${said}` : ''}`);
  }
}
