/**
 * Frames from ffmpeg: exact pixels and framing, vid_stride, rotation, backpressure, early stop, and every
 * way a video can fail (truncated, garbage, missing, ffmpeg killed, ffmpeg absent), on videos made here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openVideo, type VideoFrame } from '../../lib/video/reader';
import { probeVideo } from '../../lib/video/probe';
import { isLiveSource, isVideoSource } from '../../lib/video/source-kind';
import { FastSAMError } from '../../lib/errors';
import { describeWithFfmpeg, liveServer, losslessVideo, patternFrame, processExists, syntheticVideo, tempDir, truncate } from './helpers';

async function collect(frames: AsyncIterable<VideoFrame>): Promise<{ frames: VideoFrame[]; error?: FastSAMError }> {
  const out: VideoFrame[] = [];
  try {
    for await (const frame of frames) out.push(frame);
    return { frames: out };
  } catch (error) {
    if (!(error instanceof FastSAMError)) throw error;
    return { frames: out, error };
  }
}

test('isVideoSource: video files, streams and cameras', () => {
  for (const s of [
    'a.mp4',
    'dir/b.MKV',
    'c.webm',
    'rtsp://cam/1',
    'rtmp://x/live',
    'http://host/stream',
    'https://h/clip.mp4',
    '/dev/video0',
    '0',
  ]) {
    expect(isVideoSource(s)).toBe(true);
  }
  for (const s of ['a.jpg', 'b.png', 'folder', 'list.txt', 'anim.gif']) expect(isVideoSource(s)).toBe(false);
  // A video file over HTTP is read as a file (every frame); other http URLs are live streams.
  expect(isLiveSource('https://h/clip.mp4')).toBe(false);
  expect(isLiveSource('http://h/stream')).toBe(true);
  expect(isLiveSource('clip.mp4')).toBe(false);
});

describeWithFfmpeg('openVideo', () => {
  const dir = tempDir('reader');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const lossless = path.join(dir, 'pattern.mkv');
  const mp4 = path.join(dir, 'clip.mp4');
  beforeAll(() => {
    losslessVideo(lossless, 33, 17, 12); // odd sizes: frames do not line up with pipe chunks
    syntheticVideo(mp4, { size: '160x120', fps: 10, seconds: 6, extra: ['-movflags', '+faststart'] });
  });

  test('every frame, byte for byte, with its index and time', async () => {
    const { frames, error } = await collect(openVideo(lossless));
    expect(error).toBeUndefined();
    expect(frames).toHaveLength(12);
    frames.forEach((f, k) => {
      expect([f.width, f.height, f.channels, f.frame, f.time, f.video]).toEqual([33, 17, 3, k, k / 10, lossless]);
      expect(f.data.equals(patternFrame(33, 17, k))).toBe(true);
    });
  });

  test('probe: size, frame rate, frame count (exact in MP4, estimated from the duration in Matroska)', async () => {
    expect(await probeVideo(mp4)).toMatchObject({
      width: 160,
      height: 120,
      fps: 10,
      frames: 60,
      framesExact: true,
      codec: 'h264',
      live: false,
    });
    expect(await probeVideo(lossless)).toMatchObject({ width: 33, height: 17, fps: 10, frames: 12, framesExact: false, codec: 'ffv1' });
  });

  test('vid_stride keeps every n-th frame, with the source indices and times', async () => {
    const { frames } = await collect(openVideo(lossless, { vidStride: 5 }));
    expect(frames.map((f) => [f.frame, f.time])).toEqual([
      [0, 0],
      [5, 0.5],
      [10, 1],
    ]);
    expect(frames[1].data.equals(patternFrame(33, 17, 5))).toBe(true);
  });

  test('a rotated phone video comes out upright (display size)', async () => {
    const rotated = path.join(dir, 'rotated.mp4');
    const { spawnSync } = await import('node:child_process');
    spawnSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', mp4, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    const reader = openVideo(rotated);
    expect(await reader.info()).toMatchObject({ width: 120, height: 160, rotation: 90 });
    const { frames } = await collect(reader);
    expect(frames).toHaveLength(60);
    expect([frames[0].width, frames[0].height, frames[0].data.length]).toEqual([120, 160, 120 * 160 * 3]);
  });

  test('backpressure: a consumer that waits holds ffmpeg back (a few frames decoded ahead, not the video)', async () => {
    // The wait is longer than the stall timeout: time the reader itself paused the pipe does not count.
    const reader = openVideo(mp4, { timeout: 1500 });
    const iterator = reader[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 2000)); // ffmpeg decodes the 60 frames in far less
    expect(reader.stats.buffered).toBeLessThanOrEqual(3);
    expect(reader.pid).toBeDefined(); // still running: blocked on the pipe
    let count = 1;
    while (!(await iterator.next()).done) count++;
    expect(count).toBe(60);
    expect(reader.pid).toBeUndefined();
  });

  test('stopping early kills ffmpeg and waits for it: no process left behind', async () => {
    const reader = openVideo(mp4);
    let pid: number | undefined;
    let seen = 0;
    for await (const frame of reader) {
      pid ??= reader.pid;
      if (++seen === 3) break;
      expect(frame.frame).toBe(seen - 1);
    }
    expect(pid).toBeDefined();
    expect(processExists(pid!)).toBe(false);
  });

  test('close() from outside ends the iteration without an error', async () => {
    const reader = openVideo(mp4);
    const frames: number[] = [];
    for await (const frame of reader) {
      frames.push(frame.frame);
      if (frames.length === 2) await reader.close();
    }
    expect(frames.length).toBeLessThan(60);
  });

  test('a truncated file: the frames that decoded, then E_VIDEO_DECODE saying so', async () => {
    const cut = path.join(dir, 'cut.mp4');
    truncate(mp4, cut, Math.floor(fs.statSync(mp4).size * 0.5));
    const { frames, error } = await collect(openVideo(cut));
    expect(frames.length).toBeGreaterThan(5);
    expect(frames.length).toBeLessThan(60);
    expect(error?.code).toBe('E_VIDEO_DECODE');
    expect(error?.message).toMatch(/damaged or truncated \(\d+ of 60 frames decoded\)/);
    // Matroska: no frame count in the file, estimated from its duration.
    const cutMkv = path.join(dir, 'cut.mkv');
    truncate(lossless, cutMkv, Math.floor(fs.statSync(lossless).size * 0.4));
    const mkv = await collect(openVideo(cutMkv));
    expect(mkv.frames.length).toBeLessThan(12);
    expect(mkv.error?.code).toBe('E_VIDEO_DECODE');
    mkv.frames.forEach((f, k) => expect(f.data.equals(patternFrame(33, 17, k))).toBe(true));
  });

  test('not a video, no video stream, no file: typed errors before any frame', async () => {
    const garbage = path.join(dir, 'garbage.mp4');
    fs.writeFileSync(garbage, Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) % 251)));
    const bad = await collect(openVideo(garbage));
    expect([bad.frames.length, bad.error?.code]).toEqual([0, 'E_VIDEO_DECODE']);
    expect(bad.error?.message).toMatch(/not a readable video/);
    const empty = path.join(dir, 'empty.mp4');
    fs.writeFileSync(empty, '');
    expect((await collect(openVideo(empty))).error?.code).toBe('E_VIDEO_DECODE');
    expect((await collect(openVideo(path.join(dir, 'missing.mp4')))).error?.code).toBe('E_FILE_NOT_FOUND');
    expect(() => openVideo(mp4, { vidStride: 0 })).toThrow(/vidStride must be an integer in \[1, 100000\], got 0/);
    expect(() => openVideo(mp4, { stride: 2 } as never)).toThrow(/unknown video option 'stride'/);
  });

  test('a killed ffmpeg: the buffered frames, then E_VIDEO_DECODE naming the signal', async () => {
    const reader = openVideo(mp4);
    let frames = 0;
    let error: FastSAMError | undefined;
    try {
      for await (const _ of reader) {
        if (++frames === 2) process.kill(reader.pid!, 'SIGKILL');
      }
    } catch (e) {
      error = e as FastSAMError;
    }
    expect(frames).toBeLessThan(60);
    expect(error?.code).toBe('E_VIDEO_DECODE');
    expect(error?.message).toMatch(/ffmpeg was killed \(SIGKILL\) after \d+ frames/);
  });

  test('without ffmpeg on the PATH: E_BACKEND_UNAVAILABLE saying what to install', async () => {
    const saved = process.env.PATH;
    process.env.PATH = path.join(dir, 'nothing-here');
    try {
      const { error } = await collect(openVideo(mp4));
      expect(error?.code).toBe('E_BACKEND_UNAVAILABLE');
      expect(error?.message).toMatch(/video needs ffmpeg and ffprobe.*apt-get install ffmpeg/);
    } finally {
      process.env.PATH = saved;
    }
  });

  describe('live streams over HTTP (ffmpeg serving testsrc2 in real time on 127.0.0.1)', () => {
    // Half a second of stream analysis (ffmpeg's default for MPEG-TS is 5 s, ours 2 s): also checks inputArgs.
    const inputArgs = ['-analyzeduration', '500000'];
    test('a slow consumer gets fresh frames: stale ones are dropped, never queued', async () => {
      const server = await liveServer(25);
      try {
        const reader = openVideo(server.url, { inputArgs });
        expect(reader.live).toBe(true);
        const frames: number[] = [];
        let started = 0;
        for await (const frame of reader) {
          started ||= performance.now();
          frames.push(frame.frame);
          if (frames.length === 6) break;
          await new Promise((resolve) => setTimeout(resolve, 250)); // a consumer at 4 frames/s on a 25 fps stream
        }
        const elapsed = (performance.now() - started) / 1000;
        expect(reader.stats.dropped).toBeGreaterThan(5);
        // Each frame is the newest: indices advance with the clock (about 6 per 250 ms), not one by one.
        expect(frames[5] - frames[0]).toBeGreaterThanOrEqual(Math.floor(elapsed * 25 * 0.4));
      } finally {
        await server.close();
      }
    });

    test('stream_buffer keeps every frame (up to 30 queued) instead', async () => {
      const server = await liveServer(25);
      try {
        const frames: number[] = [];
        for await (const frame of openVideo(server.url, { streamBuffer: true, inputArgs })) {
          frames.push(frame.frame);
          if (frames.length === 8) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(frames).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      } finally {
        await server.close();
      }
    });

    test('a source that never answers: E_VIDEO_DECODE after the timeout, not a hang', async () => {
      const http = await import('node:http');
      const sockets = new Set<import('node:net').Socket>();
      const server = http.createServer(() => undefined); // accepts, never responds
      server.on('connection', (s) => sockets.add(s));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/cam`;
        const { error } = await collect(openVideo(url, { timeout: 1500 }));
        expect(error?.code).toBe('E_VIDEO_DECODE');
        expect(error?.message).toMatch(/no answer from the source within 1500 ms/);
      } finally {
        sockets.forEach((s) => s.destroy());
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
});
