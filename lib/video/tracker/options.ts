/**
 * ByteTrack's settings: Ultralytics' bytetrack.yaml (as FastSAM's Ultralytics 8.0.120 ships it, plus
 * fuse_score), checked with the shared vocabulary, from code (camelCase) or from a tracker YAML file
 * (Ultralytics' snake_case keys, `tracker_type: bytetrack`).
 */
import { promises as fs } from 'node:fs';
import { parse } from 'yaml';
import { FastSAMError, messageOf } from '../../errors';
import {
  checkBoolean,
  checkInteger,
  checkKnownKeys,
  checkNumber,
  checkOptionsObject,
  checkUnitInterval,
  invalid,
} from '../../options/check';

/** ByteTrack's settings (Ultralytics' bytetrack.yaml keys, in camelCase). Out-of-range values throw E_BAD_OPTION. */
export interface ByteTrackOptions {
  /** Detections at or above this score take part in the first association. Default 0.5. */
  trackHighThresh?: number;
  /** Detections above this (and below trackHighThresh) take part in the second association. Default 0.1. */
  trackLowThresh?: number;
  /** An unmatched detection at or above this score starts a new track. Default 0.6. */
  newTrackThresh?: number;
  /** Frames a lost track is kept for re-identification (at 30 fps; scaled by frameRate). Default 30. */
  trackBuffer?: number;
  /** Largest association cost (1 - IoU, score-fused) of a first-association match. Default 0.8. */
  matchThresh?: number;
  /** Weigh IoU by the detection score in the first association. Default true. */
  fuseScore?: boolean;
  /**
   * Frame rate the buffer is measured against: a track is kept for trackBuffer x frameRate / 30 frames.
   * Default 30, as Ultralytics passes whatever the video, so the buffer counts frames.
   */
  frameRate?: number;
}

/**
 * ByteTrack options with every default filled in.
 * @inline
 */
export type ResolvedByteTrackOptions = Required<ByteTrackOptions>;

/** ByteTrack's defaults: Ultralytics' bytetrack.yaml. */
export const BYTETRACK_DEFAULTS: ResolvedByteTrackOptions = {
  trackHighThresh: 0.5,
  trackLowThresh: 0.1,
  newTrackThresh: 0.6,
  trackBuffer: 30,
  matchThresh: 0.8,
  fuseScore: true,
  frameRate: 30,
};

const KEYS = Object.keys(BYTETRACK_DEFAULTS) as Array<keyof ByteTrackOptions>;

export function resolveByteTrackOptions(options: unknown): ResolvedByteTrackOptions {
  const given = checkOptionsObject('tracker options', options) as ByteTrackOptions;
  checkKnownKeys('tracker option', given, KEYS);
  const resolved = { ...BYTETRACK_DEFAULTS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
  checkUnitInterval('trackHighThresh', resolved.trackHighThresh);
  checkUnitInterval('trackLowThresh', resolved.trackLowThresh);
  checkUnitInterval('newTrackThresh', resolved.newTrackThresh);
  checkNumber('matchThresh', resolved.matchThresh, 0, 1);
  checkInteger('trackBuffer', resolved.trackBuffer, 0, 1_000_000);
  checkBoolean('fuseScore', resolved.fuseScore);
  checkNumber('frameRate', resolved.frameRate, 0.001, 10_000);
  if (resolved.trackLowThresh > resolved.trackHighThresh) {
    invalid('trackLowThresh', `at most trackHighThresh (${resolved.trackHighThresh})`, resolved.trackLowThresh);
  }
  return resolved;
}

const YAML_KEYS: Record<string, keyof ByteTrackOptions> = {
  track_high_thresh: 'trackHighThresh',
  track_low_thresh: 'trackLowThresh',
  new_track_thresh: 'newTrackThresh',
  track_buffer: 'trackBuffer',
  match_thresh: 'matchThresh',
  fuse_score: 'fuseScore',
};

/** An Ultralytics tracker YAML (e.g. a tuned copy of bytetrack.yaml) as options. */
export async function readTrackerYaml(file: string): Promise<ByteTrackOptions> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new FastSAMError('E_FILE_NOT_FOUND', `tracker file not found: ${file} (${messageOf(error)})`, { cause: error });
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new FastSAMError('E_BAD_OPTION', `tracker file ${file} is not YAML: ${messageOf(error)}`, { cause: error });
  }
  const values = checkOptionsObject(`tracker file ${file}`, doc ?? {});
  const { tracker_type: type, ...rest } = values;
  if (type !== undefined && type !== 'bytetrack') {
    invalid(`tracker_type in ${file}`, "'bytetrack' (the only tracker fastsam-node has)", type);
  }
  // Keys we do not know (BoT-SORT's gmc_method, with_reid, ...) are refused rather than silently ignored.
  checkKnownKeys(`key in tracker file ${file}`, rest, Object.keys(YAML_KEYS));
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [YAML_KEYS[k], v]));
}
