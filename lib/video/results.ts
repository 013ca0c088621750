/**
 * Per-frame results: a Result that knows which frame it belongs to, and, when tracked, boxes that carry
 * each detection's track id (Ultralytics' boxes.id). Both survive select(), so prompts and filters
 * applied to a frame keep the frame and the ids.
 */
import { Boxes } from '../masks/boxes';
import { Result, type Speed, type DetectionJSON } from '../masks/result';
import { trackView } from './track-view';

/** Boxes with a stable integer track id per detection. */
export class TrackedBoxes extends Boxes {
  constructor(
    xyxy: Float32Array,
    conf: Float32Array,
    cls: Float32Array,
    origShape: [number, number],
    /** Track id of each box. */
    readonly id: Int32Array,
  ) {
    super(xyxy, conf, cls, origShape);
  }

  /** Boxes with a track id each (`ids` aligned with the boxes). */
  static from(boxes: Boxes, ids: Int32Array): TrackedBoxes {
    return new TrackedBoxes(boxes.xyxy, boxes.conf, boxes.cls, boxes.origShape, ids);
  }

  override select(indices: ArrayLike<number>): TrackedBoxes {
    const boxes = super.select(indices); // checks the indices
    return TrackedBoxes.from(
      boxes,
      Int32Array.from(Array.from(indices), (i) => this.id[i]),
    );
  }
}

/** Where a frame sits in its video. */
export interface FramePosition {
  /** Index among the source's decoded frames (or the position in a sequence of images). */
  frame: number;
  /** Seconds from the start of the video; undefined for frames that were not read from a video. */
  time?: number;
  /** The video (file, URL or device) the frame came from. */
  video?: string;
}

/**
 * A detection of VideoResult.toJSON(): Result's, with its track id when tracked.
 * @inline
 */
export interface VideoDetectionJSON extends DetectionJSON {
  /** The track id, when the frame was tracked. */
  id?: number;
}

/** A Result that knows its frame: index, time and video, and (when tracked) the track id of each detection. */
export class VideoResult extends Result {
  /** Index among the source's decoded frames (or the position in a sequence of images). */
  readonly frame: number;
  /** Seconds from the start of the video; undefined for frames not read from a video. */
  readonly time: number | undefined;
  /** The video (file, URL or device) the frame came from. */
  readonly video: string | undefined;

  constructor(result: Result, at: FramePosition, boxes: Boxes = result.boxes) {
    super(result.origShape, result.names, boxes, result.masks, result.speed, result.path, result.source);
    this.frame = at.frame;
    this.time = at.time;
    this.video = at.video;
  }

  /** Track ids, one per detection, when the frame was tracked. */
  get ids(): Int32Array | undefined {
    return this.boxes instanceof TrackedBoxes ? this.boxes.id : undefined;
  }

  override select(indices: ArrayLike<number>): VideoResult {
    return new VideoResult(super.select(indices), this);
  }

  /** As Result.plot(); tracked frames are coloured and labelled by id ("id:3 person 0.87"). */
  override plot(options: Parameters<Result['plot']>[0] = {}): Promise<Buffer> {
    const ids = this.ids;
    return ids ? trackView(this, ids).plot(options) : super.plot(options);
  }

  override toJSON(): {
    /** The frame's index. */
    frame: number;
    /** Seconds from the start, when read from a video. */
    time?: number;
    /** The video the frame came from. */
    video?: string;
    /** The image file, when the frame was one. */
    path?: string;
    /** [height, width] of the frame. */
    origShape: [number, number];
    /** Milliseconds per stage. */
    speed: Speed;
    /** One per detection, with its track id when tracked. */
    detections: VideoDetectionJSON[];
  } {
    const json = super.toJSON();
    const ids = this.ids;
    return {
      frame: this.frame,
      ...(this.time !== undefined ? { time: this.time } : {}),
      ...(this.video !== undefined ? { video: this.video } : {}),
      ...json,
      detections: ids ? json.detections.map((d, i) => ({ id: ids[i], ...d })) : json.detections,
    };
  }
}
