/**
 * `fastsam track model=M source=VIDEO [tracker=bytetrack] [vid_stride=N] [save=true] [--json]`, and
 * `fastsam predict` on sources holding video (predict.ts hands them here): the command-line side of
 * video work. The per-frame work is lib/video/run.ts.
 */
import { ClipScorer } from '../clip/scorer';
import { FastSAMError } from '../errors';
import type { CommandSchema, ParsedKeys } from '../options/key-schema';
import {
  BACKEND_KEYS,
  MODEL_KEY,
  PREDICT_KEYS,
  PROMPT_KEYS,
  VIDEO_KEYS,
  backendOptionsFromKeys,
  predictOptionsFromKeys,
  runKeys,
} from '../options/keys';
import { FastSAM } from '../pipeline/fastsam';
import { hasPrompts } from '../prompts/answer';
import { findFfmpeg } from '../video/ffmpeg';
import { checkVideoJobOptions, runVideoJob } from '../video/run';
import { expandVideoSources, type SourceEntry } from '../video/sources';
import type { VideoTrackOptions } from '../video/track';
import { promptsFromKeys } from './prompt-args';
import { runFolder } from './save-dir';

const JSON_LINE = '{"source","frame","time","detections":[{"id","box","score","class","name","mask"}]}';

export const TRACK_SCHEMA: CommandSchema = {
  name: 'track',
  summary: 'track objects through videos and streams with ByteTrack: stable ids per object, masks that follow them',
  usage: 'model=MODEL.onnx source=VIDEO [key=value ...] [--json]',
  keys: {
    ...MODEL_KEY,
    source: {
      kind: 'path',
      help: 'a video file, a stream (rtsp://, rtmp://, http(s)://), a camera (/dev/video0, 0), or a folder, glob or .txt list mixing videos and images',
      required: true,
    },
    tracker: { kind: 'string', help: "bytetrack, or a tracker YAML file with Ultralytics' bytetrack.yaml keys", default: 'bytetrack' },
    follow: { kind: 'string', help: 'keep only these track ids (ID or ID,ID,...), or prompt: the objects the prompt picks first' },
    ...VIDEO_KEYS,
    ...PREDICT_KEYS,
    ...BACKEND_KEYS,
    ...PROMPT_KEYS,
    point_mode: {
      ...PROMPT_KEYS.point_mode,
      help: 'how points pick tracked objects (merge and additive make new regions without ids: refused)',
      default: 'instances',
    },
    save: { kind: 'boolean', help: 'annotated video (runs/segment/track*/NAME.mp4, H.264)', default: 'true' },
    ...runKeys('track'),
  },
  flags: { json: `one line per frame: ${JSON_LINE}` },
  notes: [
    '--json: box is x1,y1,x2,y2 in frame pixels; mask is COCO compressed RLE at the mask size (the frame size with',
    'retina_masks=true). fastsam predict on a video prints the same lines without "id". Prompts apply to every frame.',
  ],
};

/** Predict keys that only make sense for pictures. */
const IMAGE_ONLY_KEYS = ['save_json', 'save_txt', 'save_conf', 'save_masks', 'with_contours', 'better_quality'];

function follow(text: string | undefined): VideoTrackOptions['follow'] {
  if (text === undefined) return undefined;
  if (text === 'prompt') return 'prompt';
  const ids = text
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((s) => s.trim());
  if (!ids.every((s) => /^\d+$/.test(s))) throw new FastSAMError('E_BAD_OPTION', `follow=${text}: expected track ids (3 or 3,7) or prompt`);
  return ids.map(Number);
}

async function videoOptions(keys: ParsedKeys, mode: 'predict' | 'track'): Promise<VideoTrackOptions> {
  const prompts = promptsFromKeys(keys);
  if (prompts.texts && !keys.clip) {
    throw new FastSAMError('E_BAD_OPTION', 'texts= needs clip=DIR (CLIP image and text encoders as ONNX, with the vocabulary)');
  }
  const options: VideoTrackOptions = {
    ...predictOptionsFromKeys(keys),
    vidStride: keys.vid_stride as number | undefined,
    streamBuffer: keys.stream_buffer as boolean | undefined,
    ...(hasPrompts(prompts)
      ? { prompt: { ...prompts, ...(prompts.texts ? { clip: await ClipScorer.load(keys.clip as string) } : {}) } }
      : {}),
    ...(mode === 'track' ? { tracker: keys.tracker as string | undefined, follow: follow(keys.follow as string | undefined) } : {}),
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

async function run(keys: ParsedKeys, flags: Set<string>, mode: 'predict' | 'track', entries: SourceEntry[]): Promise<number> {
  if (entries.some((e) => e.kind === 'video')) await findFfmpeg(); // no ffmpeg: say what to install before loading anything
  const options = await videoOptions(keys, mode);
  const json = flags.has('json');
  try {
    await checkVideoJobOptions(mode, options); // a mistake in the job's keys: exit 2 before any folder or model
    const saveDir = ((keys.save as boolean | undefined) ?? true) ? runFolder(keys, 'segment', mode) : undefined;
    const model = await FastSAM.load(keys.model as string, backendOptionsFromKeys(keys));
    try {
      const summary = await runVideoJob(model, {
        mode,
        entries,
        options,
        json,
        saveDir,
        progress: !json,
        print: (line) => console.log(line),
        warn: (line) => console.error(line),
      });
      if (saveDir) console.error(`Results saved to ${saveDir}`);
      return summary.failures > 0 ? 1 : 0;
    } finally {
      await model.dispose();
    }
  } finally {
    await options.prompt?.clip?.dispose();
  }
}

export async function trackCommand(keys: ParsedKeys, flags: Set<string>): Promise<number> {
  const source = keys.source as string;
  return run(keys, flags, 'track', (await expandVideoSources(source)) ?? [{ source, kind: 'image' }]);
}

/**
 * predict's hook: when the source holds a video or stream, runs it frame by frame and returns the exit
 * code; otherwise undefined (the image path goes on), refusing video-only keys.
 */
export async function predictOnVideo(keys: ParsedKeys, flags: Set<string>): Promise<number | undefined> {
  const entries = await expandVideoSources(keys.source as string);
  if (!entries) {
    const videoKey = Object.keys(VIDEO_KEYS).find((k) => keys[k] !== undefined);
    if (videoKey) throw new FastSAMError('E_BAD_OPTION', `${videoKey}= is for video sources, and ${String(keys.source)} holds none`);
    return undefined;
  }
  const imageKey = IMAGE_ONLY_KEYS.find((k) => keys[k] !== undefined);
  if (imageKey) throw new FastSAMError('E_BAD_OPTION', `${imageKey}= is for images; with video sources use --json (one line per frame)`);
  return run(keys, flags, 'predict', entries);
}
