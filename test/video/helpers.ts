/** Video fixtures made with Debian's ffmpeg in the test, and process checks. */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;

/** `describe`, or a skipped block saying that ffmpeg is missing. */
export function describeWithFfmpeg(name: string, body: () => void): void {
  if (hasFfmpeg) describe(name, body);
  else {
    describe.skip(`${name} (skipped: ffmpeg/ffprobe not on the PATH; apt-get install ffmpeg)`, () => test('needs ffmpeg', () => undefined));
    console.warn(`skipping "${name}": ffmpeg/ffprobe not on the PATH`);
  }
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `fastsam-${prefix}-`));
}

function ffmpeg(args: string[], input?: Buffer): void {
  const run = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { input, maxBuffer: 2 ** 28 });
  if (run.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${run.stderr?.toString()}`);
}

/** A frame of known pixels: frame k, byte i is (7 i + 13 k) mod 256. */
export function patternFrame(width: number, height: number, k: number): Buffer {
  const out = Buffer.alloc(width * height * 3);
  for (let i = 0; i < out.length; i++) out[i] = (7 * i + 13 * k) % 256;
  return out;
}

/** A lossless video (FFV1, planar RGB in Matroska) of pattern frames: decoding must give them back exactly. */
export function losslessVideo(file: string, width: number, height: number, frames: number, fps = 10): void {
  const raw = Buffer.concat(Array.from({ length: frames }, (_, k) => patternFrame(width, height, k)));
  ffmpeg(
    [
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${width}x${height}`,
      '-r',
      String(fps),
      '-i',
      'pipe:0',
      '-c:v',
      'ffv1',
      '-pix_fmt',
      'gbrp',
      file,
    ],
    raw,
  );
}

/** An H.264 MP4 from one of lavfi's synthetic sources (testsrc2, ...). */
export function syntheticVideo(file: string, options: { size?: string; fps?: number; seconds?: number; extra?: string[] } = {}): void {
  const { size = '160x120', fps = 10, seconds = 2, extra = [] } = options;
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=${fps}`,
    '-t',
    String(seconds),
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    ...extra,
    file,
  ]);
}

/** A camera pan over a photo: a window sliding right across it, scaled to `size`. */
export function panVideo(
  file: string,
  photo: string,
  options: { size?: string; fps?: number; seconds?: number; crop?: string } = {},
): void {
  const { size = '320:240', fps = 10, seconds = 2, crop = "crop=480:360:x='t*40':y=300" } = options;
  ffmpeg([
    '-loop',
    '1',
    '-i',
    photo,
    '-vf',
    `${crop},scale=${size}`,
    '-t',
    String(seconds),
    '-r',
    String(fps),
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    file,
  ]);
}

/** The first `bytes` bytes of a file: a video cut short. */
export function truncate(from: string, to: string, bytes: number): void {
  fs.writeFileSync(to, fs.readFileSync(from).subarray(0, bytes));
}

export function probe(file: string, entries: string, count = false): Record<string, string> {
  const args = [
    '-v',
    'error',
    ...(count ? ['-count_frames'] : []),
    '-select_streams',
    'v:0',
    '-show_entries',
    `stream=${entries}`,
    '-of',
    'json',
    file,
  ];
  const run = spawnSync('ffprobe', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ffprobe failed: ${run.stderr}`);
  return JSON.parse(run.stdout).streams[0];
}

/** Whether a process with this id exists (a zombie counts: it has not been reaped). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LiveServer {
  url: string;
  close(): Promise<void>;
}

/**
 * A live MPEG-TS stream over HTTP on 127.0.0.1: each request gets its own ffmpeg producing testsrc2 in
 * real time (-re), killed by pid when the request ends or the server closes.
 */
export async function liveServer(fps = 25): Promise<LiveServer> {
  const children = new Set<ReturnType<typeof spawn>>();
  const server = http.createServer((request, response) => {
    const args = ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `testsrc2=size=160x120:rate=${fps}`, '-t', '60'];
    const child = spawn(
      'ffmpeg',
      [...args, '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(fps), '-f', 'mpegts', 'pipe:1'],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    children.add(child);
    response.writeHead(200, { 'content-type': 'video/mp2t' });
    child.stdout.pipe(response);
    const stop = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    request.on('close', stop);
    child.on('exit', () => children.delete(child));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/live`,
    close: async () => {
      const exits = [...children].map((child) => new Promise((resolve) => child.once('exit', resolve)));
      for (const child of children) child.kill('SIGKILL');
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await Promise.all(exits);
    },
  };
}
