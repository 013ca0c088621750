/**
 * ffprobe: the exact size of the frames ffmpeg will decode (after the display rotation ffmpeg applies),
 * the frame rate, and the frame count (exact from the container, else estimated from the duration).
 */
import { promises as fs } from 'node:fs';
import { FastSAMError } from '../errors';
import { stderrSummary, ToolProcess } from './child';
import { findFfmpeg } from './ffmpeg';
import { inputArgsFor, isLiveSource } from './source-kind';

/** What ffprobe says of a video (probeVideo()). */
export interface VideoInfo {
  /** The source as opened (a camera index becomes its device). */
  source: string;
  /** Size of the decoded frames: the display size, so a phone video shot upright comes out upright. */
  width: number;
  /** Pixels (display size, like `width`). */
  height: number;
  /** Frames per second: the stream's average rate, else its base rate; 30 when it declares neither. */
  fps: number;
  /** Number of frames: from the container when it says (exact), else duration x fps (estimated). */
  frames?: number;
  /** Whether `frames` comes from the container (exact) or from the duration (estimated). */
  framesExact: boolean;
  /** Seconds, when known. */
  duration?: number;
  /** Display rotation in degrees (0, 90, 180 or 270) that ffmpeg applies while decoding. */
  rotation: number;
  /** The video codec, as ffprobe names it (e.g. 'h264'). */
  codec: string;
  /** A live stream or camera (read at its own pace, stale frames dropped). */
  live: boolean;
}

interface ProbeJson {
  streams?: Array<{
    codec_name?: string;
    width?: number;
    height?: number;
    r_frame_rate?: string;
    avg_frame_rate?: string;
    nb_frames?: string;
    duration?: string;
    tags?: { rotate?: string };
    side_data_list?: Array<{ rotation?: number }>;
  }>;
  format?: { duration?: string };
}

function rate(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const [num, den] = text.split('/').map(Number);
  const value = den === undefined ? num : num / den;
  return Number.isFinite(value) && value > 0 && value < 10_000 ? value : undefined;
}

function positive(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Options of probeVideo.
 * @inline
 */
export interface ProbeOptions {
  live?: boolean;
  /** ffmpeg input options placed before -i (e.g. ['-rtsp_transport', 'tcp']). */
  inputArgs?: string[];
  /** Give up after this many milliseconds (a camera or server that never answers). Default 30000. */
  timeout?: number;
}

async function checkLocalFile(source: string): Promise<void> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) && !/^[a-z]:[\\/]/i.test(source)) return; // a URL or protocol
  const stat = await fs.stat(source).catch(() => null);
  if (!stat) throw new FastSAMError('E_FILE_NOT_FOUND', `video not found: ${source}`);
  if (!stat.isFile() && !stat.isCharacterDevice() && !stat.isFIFO()) {
    throw new FastSAMError('E_BAD_SOURCE', `video source ${source} is not a file or a device`);
  }
}

/**
 * Describes a video (file, URL, camera) with ffprobe: decoded frame size, frame rate, frame count, rotation. Throws
 * E_FILE_NOT_FOUND, E_VIDEO_DECODE (unreadable, or no answer within `timeout`) or E_BACKEND_UNAVAILABLE (no ffprobe).
 */
export async function probeVideo(source: string, options: ProbeOptions = {}): Promise<VideoInfo> {
  const tools = await findFfmpeg();
  await checkLocalFile(source);
  const live = options.live ?? isLiveSource(source);
  const args = [
    '-v',
    'error',
    ...inputArgsFor(source, live),
    ...(options.inputArgs ?? []),
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,width,height,r_frame_rate,avg_frame_rate,nb_frames,duration:stream_tags=rotate:stream_side_data=rotation:format=duration',
    '-of',
    'json',
    '-i',
    source,
  ];
  const probe = new ToolProcess(tools.ffprobe, args, { stdin: 'ignore', stdout: 'pipe' });
  let stdout = '';
  probe.child.stdout!.setEncoding('utf8');
  probe.child.stdout!.on('data', (text: string) => (stdout += text));
  const timeout = options.timeout ?? 30_000;
  const timer = setTimeout(() => void probe.stop(), timeout);
  const exit = await probe.exited;
  clearTimeout(timer);
  if (probe.stopped) throw new FastSAMError('E_VIDEO_DECODE', `${source}: no answer from the source within ${timeout} ms (ffprobe)`);
  if (exit.error) throw new FastSAMError('E_BACKEND_UNAVAILABLE', `cannot run ffprobe (${tools.ffprobe}): ${exit.error.message}`);
  if (exit.code !== 0) {
    throw new FastSAMError(
      'E_VIDEO_DECODE',
      `${source} is not a readable video: ${stderrSummary(probe.stderr) || `ffprobe exit code ${exit.code}`}`,
    );
  }
  let json: ProbeJson;
  try {
    json = JSON.parse(stdout) as ProbeJson;
  } catch {
    throw new FastSAMError('E_VIDEO_DECODE', `${source}: ffprobe printed no readable description`);
  }
  const stream = json.streams?.[0];
  if (!stream?.width || !stream.height) throw new FastSAMError('E_VIDEO_DECODE', `${source} has no video stream`);
  const rotationValue = Number(stream.side_data_list?.find((s) => s.rotation !== undefined)?.rotation ?? stream.tags?.rotate ?? 0);
  const rotation = (((Math.round(rotationValue / 90) * 90) % 360) + 360) % 360;
  const sideways = rotation === 90 || rotation === 270;
  const fps = rate(stream.avg_frame_rate) ?? rate(stream.r_frame_rate) ?? 30;
  const duration = positive(stream.duration) ?? positive(json.format?.duration);
  const counted = positive(stream.nb_frames);
  const frames = live ? undefined : (counted ?? (duration ? Math.round(duration * fps) : undefined));
  return {
    source,
    width: sideways ? stream.height : stream.width,
    height: sideways ? stream.width : stream.height,
    fps,
    frames,
    framesExact: !live && counted !== undefined,
    duration: live ? undefined : duration,
    rotation,
    codec: stream.codec_name ?? 'unknown',
    live,
  };
}
