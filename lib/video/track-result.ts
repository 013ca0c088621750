/**
 * One frame through the tracker: every detection goes in (ByteTrack uses the low-score ones too), and
 * the frame's result becomes the detections that belong to a confirmed track, in the tracker's order,
 * with their ids. Boxes and masks stay the detector's (the mask fits its box); the tracker's smoothed
 * Kalman box is not substituted, unlike Ultralytics' track results.
 *
 * Every frame is fed, empty ones included, so a track's buffer counts frames of video (Ultralytics skips
 * the tracker on frames without detections).
 */
import type { ByteTracker } from './tracker/byte-tracker';
import type { Detection } from './tracker/track';
import { TrackedBoxes, VideoResult } from './results';

export function trackResult(result: VideoResult, tracker: ByteTracker): VideoResult {
  const { xyxy, conf, cls } = result.boxes;
  const detections: Detection[] = Array.from({ length: result.length }, (_, i) => ({
    xyxy: [xyxy[i * 4], xyxy[i * 4 + 1], xyxy[i * 4 + 2], xyxy[i * 4 + 3]],
    score: conf[i],
    cls: cls[i],
    index: i,
  }));
  const tracks = tracker.update(detections);
  const selected = result.select(tracks.map((t) => t.index));
  return new VideoResult(
    selected,
    selected,
    TrackedBoxes.from(
      selected.boxes,
      Int32Array.from(tracks, (t) => t.id),
    ),
  );
}
