/**
 * What a source string names: a video file, a live stream (network URL, camera device) or something
 * else (an image, a folder, a list). Live sources are read at their own pace, dropping frames the
 * consumer is too slow for; files are read frame by frame with backpressure.
 */
import * as path from 'node:path';
import { VIDEO_EXTENSIONS } from '../io/sources';

export { VIDEO_EXTENSIONS };

const STREAM_PROTOCOL = /^(rtsps?|rtmps?|srt|udp|tcp|rtp|mms[ht]?):\/\//i;
const HTTP_URL = /^https?:\/\//i;
const CAMERA_DEVICE = /^\/dev\/video\d+$/;
const CAMERA_INDEX = /^\d+$/;

function urlExtension(url: string): string {
  try {
    return path.posix.extname(new URL(url).pathname).toLowerCase();
  } catch {
    return '';
  }
}

export function hasVideoExtension(file: string): boolean {
  return VIDEO_EXTENSIONS.has((HTTP_URL.test(file) ? urlExtension(file) : path.extname(file)).toLowerCase());
}

/**
 * A live source: a streaming URL (rtsp://, rtmp://, srt://, udp://, ...), an http(s) URL that does not
 * name a video file (a camera or HLS stream; `https://host/clip.mp4` is a file), a camera device
 * (/dev/video0) or a camera index ('0', Ultralytics' webcam source).
 */
export function isLiveSource(source: string): boolean {
  if (STREAM_PROTOCOL.test(source) || CAMERA_DEVICE.test(source) || CAMERA_INDEX.test(source)) return true;
  return HTTP_URL.test(source) && !hasVideoExtension(source);
}

/** Whether `source` is read as video: a file with a video extension, or a live source. */
export function isVideoSource(source: unknown): source is string {
  return typeof source === 'string' && (hasVideoExtension(source) || isLiveSource(source));
}

/** A camera index ('0') as the device ffmpeg opens on this platform. */
export function cameraDevice(source: string): string {
  return CAMERA_INDEX.test(source) && process.platform === 'linux' ? `/dev/video${source}` : source;
}

/**
 * ffmpeg input options a source needs: the V4L2 demuxer for Linux cameras; for live streams, 2 s of
 * stream analysis instead of ffmpeg's 5 (paid twice: ffprobe, then ffmpeg). A camera whose keyframes
 * come further apart can pass its own -analyzeduration in inputArgs (later options win).
 */
export function inputArgsFor(source: string, live: boolean): string[] {
  if (CAMERA_DEVICE.test(source)) return ['-f', 'v4l2'];
  return live ? ['-analyzeduration', '2000000'] : [];
}

/** A file-name stem for what a source produces (runs/segment/track/NAME.mp4). */
export function sourceStem(source: string): string {
  let stem: string;
  if (STREAM_PROTOCOL.test(source) || HTTP_URL.test(source)) {
    try {
      const url = new URL(source);
      stem = path.posix.parse(url.pathname).name || url.hostname;
    } catch {
      stem = 'stream';
    }
  } else {
    stem = path.parse(source).name;
  }
  return stem.replace(/[^\w.-]+/g, '_') || 'video';
}
