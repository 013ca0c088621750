/**
 * Tracking objects through a video: predictVideo() with every frame's detections passed through
 * ByteTrack, so each result keeps the detections that belong to a confirmed track, with stable integer
 * ids in result.boxes.id (and result.ids); their masks follow them. Prompts apply to the tracked
 * detections of each frame, and `follow` keeps only chosen tracks.
 *
 *   for await (const r of trackVideo(model, 'clip.mp4')) console.log(r.frame, Array.from(r.ids!));
 *
 * A tracker passed in keeps its tracks and ids across calls (Ultralytics' persist=True): feed it frame
 * by frame with your own frames, or one video after another.
 */
import { invalid } from '../options/check';
import type { FramePosition } from './results';
import { Follower, applyPrompt, checkVideoPrompt, hasPrompt } from './prompts';
import { predictVideo, splitVideoOptions, type StreamingModel, type VideoPredictOptions } from './predict';
import type { VideoInput } from './frames';
import { VideoResult } from './results';
import { ByteTracker } from './tracker/byte-tracker';
import { type ByteTrackOptions, readTrackerYaml } from './tracker/options';
import { trackResult } from './track-result';

/** 'bytetrack' (default settings), a tracker YAML file, ByteTrack options, or a ByteTracker to continue. */
export type TrackerSpec = string | ByteTrackOptions | ByteTracker;

/** Options of trackVideo() and model.track(): the video and predict options, the tracker, and which tracks to keep. */
export interface VideoTrackOptions extends VideoPredictOptions {
  /** The tracker: 'bytetrack' (default), a tracker YAML file, ByteTrack options, or a ByteTracker to continue. */
  tracker?: TrackerSpec;
  /** Keep only these track ids, or with 'prompt' the objects the prompt picks first (then by id). */
  follow?: number | number[] | 'prompt';
}

/** A tracker from its spec: a new ByteTracker unless one is given (which then persists). */
export async function createTracker(spec: TrackerSpec = 'bytetrack'): Promise<ByteTracker> {
  if (spec instanceof ByteTracker) return spec;
  if (typeof spec === 'string') {
    if (spec === 'bytetrack' || spec === 'bytetrack.yaml') return new ByteTracker();
    if (/\.ya?ml$/i.test(spec)) return new ByteTracker(await readTrackerYaml(spec));
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    invalid('tracker', "'bytetrack', a tracker YAML file (Ultralytics' keys), ByteTrack options or a ByteTracker", spec);
  }
  return new ByteTracker(spec);
}

/**
 * predictVideo() with ByteTrack: one VideoResult per frame whose detections carry stable track ids (result.ids); masks follow
 * their tracks. Throws as predictVideo(), and E_BAD_OPTION for a bad tracker spec.
 */
export async function* trackVideo(model: StreamingModel, input: VideoInput, options: VideoTrackOptions = {}): AsyncGenerator<VideoResult> {
  const { tracker: spec, follow, prompt, ...rest } = options;
  splitVideoOptions(rest); // checks the reader's options before anything starts
  const checkedPrompt = prompt === undefined ? undefined : checkVideoPrompt(prompt, true);
  const follower = follow === undefined ? undefined : new Follower(follow, checkedPrompt);
  const tracker = await createTracker(spec);
  for await (const result of predictVideo(model, input, rest)) {
    // Frames that are not from a video count along the tracker's life, so persisted calls keep counting.
    const at: FramePosition = result.time === undefined ? { frame: tracker.frames } : result;
    const tracked = trackResult(new VideoResult(result, at), tracker);
    if (follower) yield await follower.apply(tracked);
    else yield hasPrompt(checkedPrompt) ? await applyPrompt(tracked, checkedPrompt, true) : tracked;
  }
}
