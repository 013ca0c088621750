/**
 * ByteTrack (Zhang et al., 2022) as Ultralytics runs it (trackers/byte_tracker.py): every detection is
 * kept, high-score ones are associated first with all tracked and lost tracks, low-score ones then rescue
 * the tracked tracks left over, unconfirmed tracks get one more chance, and only confident leftovers
 * start new tracks. Tracks lost for longer than the buffer are dropped.
 *
 * Differences from Ultralytics, on purpose: ids count per tracker (Ultralytics' counter is global to the
 * process), and the caller feeds every frame, empty ones included (see trackResult).
 */
import { type Assignment, linearAssignment } from './assignment';
import { fuseScore, iouDistance } from './iou';
import { type ByteTrackOptions, resolveByteTrackOptions, type ResolvedByteTrackOptions } from './options';
import { type Detection, Track } from './track';

/**
 * A confirmed track in the current frame.
 * @inline
 */
export interface TrackOutput {
  /** The track id: stable across frames, from 1. */
  id: number;
  /** The index of the detection it matched in this frame. */
  index: number;
  /** The Kalman estimate of its box after the match (x1, y1, x2, y2). */
  xyxy: [number, number, number, number];
  /** The matched detection's confidence. */
  score: number;
  /** The matched detection's class. */
  cls: number;
}

/** Tracks in `a`, then those of `b` whose id is not in `a` (joint_stracks). */
function joint(a: Track[], b: Track[]): Track[] {
  const ids = new Set(a.map((t) => t.id));
  return [...a, ...b.filter((t) => !ids.has(t.id))];
}

/** Tracks in `a` whose id is not in `b` (sub_stracks). */
function without(a: Track[], b: Track[]): Track[] {
  const ids = new Set(b.map((t) => t.id));
  return a.filter((t) => !ids.has(t.id));
}

function distances(tracks: Track[], detections: Track[], fuse: boolean): Float64Array {
  const cost = iouDistance(
    tracks.map((t) => t.xyxy),
    detections.map((d) => d.xyxy),
  );
  return fuse
    ? fuseScore(
        cost,
        detections.map((d) => d.score),
      )
    : cost;
}

function assign(tracks: Track[], detections: Track[], cost: Float64Array, thresh: number): Assignment {
  return linearAssignment(cost, tracks.length, detections.length, thresh);
}

/**
 * ByteTrack (Ultralytics' BYTETracker): gives the detections of consecutive frames stable integer ids. Feed it one frame at a
 * time with update(); trackVideo() and model.track() do so for you.
 */
export class ByteTracker {
  /**
   * The options in use, defaults filled in.
   * @inlineType ResolvedByteTrackOptions
   */
  readonly options: ResolvedByteTrackOptions;
  private tracked: Track[] = [];
  private lost: Track[] = [];
  private frameId = 0;
  private lastId = 0;
  private readonly maxTimeLost: number;

  constructor(options: ByteTrackOptions = {}) {
    this.options = resolveByteTrackOptions(options);
    this.maxTimeLost = Math.trunc((this.options.frameRate / 30) * this.options.trackBuffer);
  }

  /** Frames seen since the tracker was created or reset. */
  get frames(): number {
    return this.frameId;
  }

  /** Forgets every track and restarts ids at 1. */
  reset(): void {
    this.tracked = [];
    this.lost = [];
    this.frameId = 0;
    this.lastId = 0;
  }

  /** One frame's detections in; the confirmed tracks of this frame out, in Ultralytics' order. */
  update(detections: Detection[]): TrackOutput[] {
    const o = this.options;
    this.frameId++;
    const frame = this.frameId;
    const activated: Track[] = [];
    const refound: Track[] = [];
    const newlyLost: Track[] = [];
    const removed: Track[] = [];

    const high = detections.filter((d) => d.score >= o.trackHighThresh).map((d) => new Track(d));
    const low = detections.filter((d) => d.score > o.trackLowThresh && d.score < o.trackHighThresh).map((d) => new Track(d));
    const unconfirmed = this.tracked.filter((t) => !t.activated);
    const confirmed = this.tracked.filter((t) => t.activated);

    // First association: high-score detections with every confirmed track, tracked or lost.
    const pool = joint(confirmed, this.lost);
    for (const track of pool) track.predict();
    const first = assign(pool, high, distances(pool, high, o.fuseScore), o.matchThresh);
    const matchTo = (track: Track, detection: Track) => {
      if (track.state === 'tracked') {
        track.update(detection, frame);
        activated.push(track);
      } else {
        track.reactivate(detection, frame);
        refound.push(track);
      }
    };
    for (const [t, d] of first.matches) matchTo(pool[t], high[d]);

    // Second association: low-score detections rescue the tracks still tracked (IoU only, limit 0.5).
    const remaining = first.unmatchedRows.map((t) => pool[t]).filter((t) => t.state === 'tracked');
    const second = assign(remaining, low, distances(remaining, low, false), 0.5);
    for (const [t, d] of second.matches) matchTo(remaining[t], low[d]);
    for (const t of second.unmatchedRows) {
      const track = remaining[t];
      if (track.state !== 'lost') {
        track.markLost();
        newlyLost.push(track);
      }
    }

    // Unconfirmed tracks (seen on one frame) get the high-score detections left over, else go.
    const leftover = first.unmatchedCols.map((d) => high[d]);
    const third = assign(unconfirmed, leftover, distances(unconfirmed, leftover, o.fuseScore), 0.7);
    for (const [t, d] of third.matches) {
      unconfirmed[t].update(leftover[d], frame);
      activated.push(unconfirmed[t]);
    }
    for (const t of third.unmatchedRows) {
      unconfirmed[t].markRemoved();
      removed.push(unconfirmed[t]);
    }

    // New tracks from confident detections nobody claimed.
    for (const d of third.unmatchedCols) {
      const track = leftover[d];
      if (track.score < o.newTrackThresh) continue;
      track.activate(++this.lastId, frame);
      activated.push(track);
    }

    // Lost for too long: gone.
    for (const track of this.lost) {
      if (frame - track.frameId > this.maxTimeLost) {
        track.markRemoved();
        removed.push(track);
      }
    }

    this.tracked = joint(
      joint(
        this.tracked.filter((t) => t.state === 'tracked'),
        activated,
      ),
      refound,
    );
    this.lost = without(without(this.lost, this.tracked).concat(newlyLost), removed);
    [this.tracked, this.lost] = this.removeDuplicates(this.tracked, this.lost);

    return this.tracked.filter((t) => t.activated).map((t) => ({ id: t.id, index: t.index, xyxy: t.xyxy, score: t.score, cls: t.cls }));
  }

  /** A tracked and a lost track on the same spot (IoU > 0.85): the younger one goes. */
  private removeDuplicates(tracked: Track[], lost: Track[]): [Track[], Track[]] {
    const cost = distances(tracked, lost, false);
    const dropTracked = new Set<number>();
    const dropLost = new Set<number>();
    for (let p = 0; p < tracked.length; p++) {
      for (let q = 0; q < lost.length; q++) {
        if (!(cost[p * lost.length + q] < 0.15)) continue;
        const ageP = tracked[p].frameId - tracked[p].startFrame;
        const ageQ = lost[q].frameId - lost[q].startFrame;
        if (ageP > ageQ) dropLost.add(q);
        else dropTracked.add(p);
      }
    }
    return [tracked.filter((_, i) => !dropTracked.has(i)), lost.filter((_, i) => !dropLost.has(i))];
  }
}
