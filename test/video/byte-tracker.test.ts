/** ByteTrack on designed detection sequences: what each rule of the algorithm is for. */
import { ByteTracker, type TrackOutput } from '../../lib/video/tracker/byte-tracker';
import type { Detection } from '../../lib/video/tracker/track';
import { readTrackerYaml } from '../../lib/video/tracker/options';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

type Box = [number, number, number, number];
const box = (cx: number, cy: number, w: number, h: number): Box => [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
const dets = (...items: Array<[Box, number] | null>): Detection[] =>
  items.flatMap((item, index) => (item ? [{ xyxy: item[0], score: item[1], cls: 0, index }] : []));
/** Id of the output track that matched detection `index`, or undefined. */
const idOf = (out: TrackOutput[], index: number) => out.find((t) => t.index === index)?.id;

describe('ByteTracker', () => {
  test('a track is confirmed at once on the first frame, on its second frame afterwards', () => {
    const tracker = new ByteTracker();
    const first = tracker.update(dets([box(50, 50, 20, 40), 0.9]));
    expect(first.map((t) => t.id)).toEqual([1]);
    // A newcomer on frame 2 gets an id but is not output until it is matched again.
    const second = tracker.update(dets([box(52, 50, 20, 40), 0.9], [box(200, 50, 20, 40), 0.9]));
    expect(second.map((t) => t.id)).toEqual([1]);
    const third = tracker.update(dets([box(54, 50, 20, 40), 0.9], [box(202, 50, 20, 40), 0.9]));
    expect(third.map((t) => [t.index, t.id])).toEqual([
      [0, 1],
      [1, 2],
    ]);
    // Outputs carry the Kalman box (close to the detection) and the detection's score and class.
    expect(third[0].xyxy[0]).toBeCloseTo(44, 0);
    expect(third[0].score).toBe(0.9);
  });

  test('crossing paths: two objects pass through each other and keep their ids', () => {
    const tracker = new ByteTracker();
    const ids: Array<[number | undefined, number | undefined]> = [];
    for (let t = 0; t <= 40; t++) {
      // A goes right, B goes left, 10 px per frame, slightly offset vertically: they overlap mid-way.
      const a = box(100 + 10 * t, 100, 40, 80);
      const b = box(500 - 10 * t, 110, 40, 80);
      // Listed in a different order on alternate frames: identity comes from motion, not order.
      const out = t % 2 ? tracker.update(dets([b, 0.85], [a, 0.9])) : tracker.update(dets([a, 0.9], [b, 0.85]));
      ids.push(t % 2 ? [idOf(out, 1), idOf(out, 0)] : [idOf(out, 0), idOf(out, 1)]);
    }
    expect(ids.every(([a, b]) => a === 1 && b === 2)).toBe(true);
  });

  test('occlusion: an object hidden for less than the buffer comes back with its id; longer, it is new', () => {
    const tracker = new ByteTracker({ trackBuffer: 30 });
    const at = (t: number) => box(100 + 4 * t, 200, 30, 60);
    let t = 0;
    for (; t < 10; t++) expect(idOf(tracker.update(dets([at(t), 0.9])), 0)).toBe(1);
    // 15 frames with no detection at all (the object behind something), then it reappears where its
    // velocity says it should be.
    for (let k = 0; k < 15; k++, t++) expect(tracker.update([])).toEqual([]);
    expect(idOf(tracker.update(dets([at(t), 0.9])), 0)).toBe(1);
    t++;
    // Now hidden for longer than the buffer: the lost track is dropped; the object is a new track.
    for (let k = 0; k < 35; k++, t++) tracker.update([]);
    expect(tracker.update(dets([at(t), 0.9]))).toEqual([]); // unconfirmed on its first frame
    t++;
    expect(idOf(tracker.update(dets([at(t), 0.9])), 0)).toBe(2);
  });

  test('a lost track re-found among other objects keeps its id while a newcomer gets a new one', () => {
    const tracker = new ByteTracker();
    for (let t = 0; t < 5; t++) tracker.update(dets([box(100, 100, 40, 40), 0.9]));
    for (let t = 0; t < 3; t++) tracker.update([]);
    tracker.update(dets([box(100, 100, 40, 40), 0.9], [box(300, 300, 40, 40), 0.9]));
    const out = tracker.update(dets([box(100, 100, 40, 40), 0.9], [box(300, 300, 40, 40), 0.9]));
    expect(idOf(out, 0)).toBe(1);
    expect(idOf(out, 1)).toBe(2);
  });

  test('low-score recovery: a tracked object whose score drops stays tracked (second association)', () => {
    const tracker = new ByteTracker();
    const at = (t: number) => box(100 + 5 * t, 100, 40, 80);
    for (let t = 0; t < 5; t++) tracker.update(dets([at(t), 0.9]));
    for (let t = 5; t < 12; t++) {
      const out = tracker.update(dets([at(t), 0.3])); // between track_low_thresh 0.1 and track_high_thresh 0.5
      expect(out.map((o) => [o.id, o.index, o.score])).toEqual([[1, 0, 0.3]]);
    }
    // Below track_low_thresh the detection is ignored: the track is lost (not output), then re-found.
    expect(tracker.update(dets([at(12), 0.05]))).toEqual([]);
    expect(idOf(tracker.update(dets([at(13), 0.9])), 0)).toBe(1);
  });

  test('low-score detections never start tracks, and neither do scores under new_track_thresh', () => {
    const tracker = new ByteTracker();
    for (let t = 0; t < 5; t++) {
      const out = tracker.update(dets([box(100, 100, 40, 40), 0.3], [box(300, 100, 40, 40), 0.55], [box(500, 100, 40, 40), 0.65]));
      expect(out.map((o) => o.index)).toEqual([2]);
    }
  });

  test('a low-score detection does not steal a lost track (the second association is for tracked ones only)', () => {
    const tracker = new ByteTracker();
    for (let t = 0; t < 3; t++) tracker.update(dets([box(100, 100, 40, 40), 0.9]));
    tracker.update([]); // lost
    expect(tracker.update(dets([box(100, 100, 40, 40), 0.3]))).toEqual([]);
    expect(idOf(tracker.update(dets([box(100, 100, 40, 40), 0.9])), 0)).toBe(1);
  });

  test('match_thresh: a detection too far from the prediction is not matched', () => {
    const tracker = new ByteTracker();
    for (let t = 0; t < 3; t++) tracker.update(dets([box(100, 100, 40, 40), 0.9]));
    // Jumps by most of its width: IoU about 0.1, cost about 0.9 > 0.8.
    expect(tracker.update(dets([box(132, 100, 40, 40), 0.9]))).toEqual([]);
    // It started a new track instead (confirmed on its second frame); track 1 is lost.
    expect(tracker.update(dets([box(132, 100, 40, 40), 0.9])).map((t) => t.id)).toEqual([2]);
  });

  test('frameRate scales the buffer; reset restarts ids', () => {
    const tracker = new ByteTracker({ trackBuffer: 30, frameRate: 10 }); // keeps lost tracks 10 frames
    tracker.update(dets([box(100, 100, 40, 40), 0.9]));
    for (let k = 0; k < 11; k++) tracker.update([]);
    tracker.update(dets([box(100, 100, 40, 40), 0.9]));
    expect(idOf(tracker.update(dets([box(100, 100, 40, 40), 0.9])), 0)).toBe(2);
    tracker.reset();
    expect(tracker.frames).toBe(0);
    expect(idOf(tracker.update(dets([box(100, 100, 40, 40), 0.9])), 0)).toBe(1);
  });

  test('options are checked', () => {
    expect(() => new ByteTracker({ trackHighThresh: 2 })).toThrow(/trackHighThresh must be a number in \[0, 1\], got 2/);
    expect(() => new ByteTracker({ trackBuffer: 1.5 })).toThrow(/trackBuffer must be an integer/);
    expect(() => new ByteTracker({ trackLowThresh: 0.6, trackHighThresh: 0.5 })).toThrow(/trackLowThresh must be at most/);
    expect(() => new ByteTracker({ matchTresh: 0.5 } as never)).toThrow(
      /unknown tracker option 'matchTresh' \(did you mean 'matchThresh'\?\)/,
    );
  });

  test("Ultralytics' tracker YAML files", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-tracker-'));
    try {
      const file = path.join(dir, 'bytetrack.yaml');
      fs.writeFileSync(file, 'tracker_type: bytetrack\ntrack_high_thresh: 0.6\ntrack_buffer: 60\nfuse_score: false\n');
      const options = await readTrackerYaml(file);
      expect(options).toEqual({ trackHighThresh: 0.6, trackBuffer: 60, fuseScore: false });
      expect(new ByteTracker(options).options.trackBuffer).toBe(60);
      fs.writeFileSync(file, 'tracker_type: botsort\n');
      await expect(readTrackerYaml(file)).rejects.toThrow(/tracker_type in .* must be 'bytetrack'/);
      fs.writeFileSync(file, 'tracker_type: bytetrack\ngmc_method: sparseOptFlow\n');
      await expect(readTrackerYaml(file)).rejects.toThrow(/unknown key in tracker file .* 'gmc_method'/);
      await expect(readTrackerYaml(path.join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
