/**
 * Finding the ffmpeg and ffprobe programs: FASTSAM_FFMPEG / FASTSAM_FFPROBE when set, else the PATH.
 * We spawn the system's ffmpeg ourselves (no ffmpeg-static: its install script downloads a binary; no
 * fluent-ffmpeg: archived). Missing tools are E_BACKEND_UNAVAILABLE, saying what to install.
 */
import { execFile } from 'node:child_process';
import { promises as fs, constants as fsConstants } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { FastSAMError } from '../errors';

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
  /** [major, minor] of ffmpeg, e.g. [5, 1]; [Infinity, 0] for a development build ("N-12345-g..."). */
  version: [number, number];
}

const run = promisify(execFile);

const INSTALL_HINT =
  'install FFmpeg (Debian/Ubuntu: apt-get install ffmpeg; Fedora: dnf install ffmpeg; macOS: brew install ffmpeg; ' +
  'Windows: winget install ffmpeg), or point FASTSAM_FFMPEG and FASTSAM_FFPROBE at the programs';

async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fsConstants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** `name` on the PATH (with the PATHEXT extensions on Windows), or undefined. */
async function which(name: string): Promise<string | undefined> {
  const extensions = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const candidate = path.join(dir, name + ext);
      if (await isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

async function locate(name: 'ffmpeg' | 'ffprobe', variable: string): Promise<string | undefined> {
  const configured = process.env[variable];
  if (configured) {
    if (await isExecutable(configured)) return configured;
    throw new FastSAMError(
      'E_BACKEND_UNAVAILABLE',
      `${variable}=${configured} is not an executable file; video needs ${name}: ${INSTALL_HINT}`,
    );
  }
  return which(name);
}

function parseVersion(output: string): [number, number] {
  const match = /version\s+n?(\d+)\.(\d+)/i.exec(output);
  return match ? [Number(match[1]), Number(match[2])] : [Infinity, 0];
}

let cached: { key: string; tools: Promise<FfmpegTools> } | undefined;

async function discover(): Promise<FfmpegTools> {
  const [ffmpeg, ffprobe] = await Promise.all([locate('ffmpeg', 'FASTSAM_FFMPEG'), locate('ffprobe', 'FASTSAM_FFPROBE')]);
  const missing = [ffmpeg ? '' : 'ffmpeg', ffprobe ? '' : 'ffprobe'].filter(Boolean);
  if (!ffmpeg || !ffprobe) {
    throw new FastSAMError(
      'E_BACKEND_UNAVAILABLE',
      `video needs ffmpeg and ffprobe, and ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not on the PATH: ${INSTALL_HINT}`,
    );
  }
  let version: [number, number];
  try {
    version = parseVersion((await run(ffmpeg, ['-hide_banner', '-version'], { timeout: 30_000 })).stdout);
  } catch (error) {
    throw new FastSAMError('E_BACKEND_UNAVAILABLE', `${ffmpeg} does not run (${(error as Error).message}): ${INSTALL_HINT}`, {
      cause: error,
    });
  }
  return { ffmpeg, ffprobe, version };
}

/** The tools, found once per PATH and configuration (a failed search is retried next time). */
export function findFfmpeg(): Promise<FfmpegTools> {
  const key = [process.env.PATH, process.env.FASTSAM_FFMPEG, process.env.FASTSAM_FFPROBE].join('\0');
  if (cached?.key === key) return cached.tools;
  const tools = discover();
  cached = { key, tools };
  tools.catch(() => {
    if (cached?.tools === tools) cached = undefined;
  });
  return tools;
}

/** ffmpeg's "every decoded frame once, no duplicates or drops" switch: -fps_mode since 5.1, -vsync before. */
export function passthroughArgs(tools: FfmpegTools): string[] {
  const [major, minor] = tools.version;
  return major > 5 || (major === 5 && minor >= 1) ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough'];
}

const encoders = new Map<string, Promise<string>>();

/** Whether this ffmpeg was built with `encoder` (e.g. libx264, which some builds leave out). */
export async function hasEncoder(tools: FfmpegTools, encoder: string): Promise<boolean> {
  let list = encoders.get(tools.ffmpeg);
  if (!list) {
    list = run(tools.ffmpeg, ['-hide_banner', '-encoders'], { timeout: 30_000, maxBuffer: 4 * 2 ** 20 }).then((r) => r.stdout);
    encoders.set(tools.ffmpeg, list);
    list.catch(() => encoders.delete(tools.ffmpeg));
  }
  return new RegExp(`^\\s*V\\S*\\s+${encoder}\\s`, 'm').test(await list);
}
