/**
 * One tracked object (Ultralytics' STrack): its Kalman state, its life cycle (new, tracked, lost,
 * removed) and what the latest matching detection said about it.
 */
import { initiate, type KalmanState, predict, update } from './kalman';

export type TrackState = 'new' | 'tracked' | 'lost' | 'removed';

/**
 * A detection of the current frame, as the tracker sees it.
 * @inline
 */
export interface Detection {
  /** x1, y1, x2, y2 in image pixels. */
  xyxy: [number, number, number, number];
  /** Confidence. */
  score: number;
  /** Class index. */
  cls: number;
  /** Its index among the frame's detections. */
  index: number;
}

function xyxyToXyah(box: ArrayLike<number>): number[] {
  const w = box[2] - box[0];
  // A degenerate (zero-height) box would put Infinity into the filter for good.
  const h = Math.max(box[3] - box[1], 1e-3);
  return [box[0] + w / 2, box[1] + h / 2, w / h, h];
}

export class Track {
  id = 0;
  state: TrackState = 'new';
  /** Whether the track has been confirmed (matched on a second frame, or born on the first frame). */
  activated = false;
  /** The last frame it was matched in (end_frame), and the frame it was born in. */
  frameId = 0;
  startFrame = 0;
  trackletLength = 0;
  score: number;
  cls: number;
  /** Index of the detection it was last matched to. */
  index: number;
  private kalman?: KalmanState;

  constructor(private readonly detected: Detection) {
    this.score = detected.score;
    this.cls = detected.cls;
    this.index = detected.index;
  }

  /** Current box: the Kalman estimate once the track has one, else the detection's box. */
  get xyxy(): [number, number, number, number] {
    if (!this.kalman) return this.detected.xyxy;
    const [cx, cy, a, h] = this.kalman.mean;
    const w = a * h;
    return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
  }

  /** Starts a track at `frameId` with a new id; it is confirmed at once only on the first frame. */
  activate(id: number, frameId: number): void {
    this.id = id;
    this.kalman = initiate(xyxyToXyah(this.detected.xyxy));
    this.trackletLength = 0;
    this.state = 'tracked';
    if (frameId === 1) this.activated = true;
    this.frameId = frameId;
    this.startFrame = frameId;
  }

  /** One frame of motion; a track not currently tracked keeps its size (height velocity zeroed). */
  predict(): void {
    if (this.state !== 'tracked') this.kalman!.mean[7] = 0;
    predict(this.kalman!);
  }

  /** Matched while tracked: correct the state with the detection. */
  update(detection: Track, frameId: number): void {
    this.frameId = frameId;
    this.trackletLength++;
    this.correct(detection);
  }

  /** Matched while lost: found again, with the same id. */
  reactivate(detection: Track, frameId: number): void {
    this.frameId = frameId;
    this.trackletLength = 0;
    this.correct(detection);
  }

  markLost(): void {
    this.state = 'lost';
  }

  markRemoved(): void {
    this.state = 'removed';
  }

  private correct(detection: Track): void {
    update(this.kalman!, xyxyToXyah(detection.xyxy));
    this.state = 'tracked';
    this.activated = true;
    this.score = detection.score;
    this.cls = detection.cls;
    this.index = detection.index;
  }
}
