/**
 * predictVideo / trackVideo with the real int8 YOLOv8n-seg on a camera pan over a real photo: results
 * per frame equal to predicting the frames as images, stable ids, masks that follow, prompts, persist,
 * early stop.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { openVideo, type VideoFrame } from '../../lib/video/reader';
import { predictVideo } from '../../lib/video/predict';
import { trackVideo } from '../../lib/video/track';
import { ByteTracker } from '../../lib/video/tracker/byte-tracker';
import type { VideoResult } from '../../lib/video/results';
import { TrackedBoxes } from '../../lib/video/results';
import { describeWithShared, sharedPath } from '../helpers/shared';
import { describeWithFfmpeg, panVideo, processExists, tempDir } from './helpers';

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describeWithShared('data/onnx/yolov8n-seg_int8_320.onnx', 'video with the real YOLOv8n-seg', () => {
  describeWithFfmpeg('predictVideo and trackVideo', () => {
    const dir = tempDir('video-api');
    const clip = path.join(dir, 'pan.mp4');
    const FRAMES = 12;
    let model: FastSAM;
    let predicted: VideoResult[];
    let tracked: VideoResult[];
    beforeAll(async () => {
      panVideo(clip, sharedPath('data/images/bus.jpg'), { seconds: FRAMES / 10 }); // 320x240 at 10 fps
      model = await FastSAM.load(sharedPath('data/onnx/yolov8n-seg_int8_320.onnx'));
      predicted = await all(predictVideo(model, clip));
      tracked = await all(trackVideo(model, clip));
    });
    afterAll(async () => {
      await model.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('one result per frame, in order, equal to predicting the decoded frames as images', async () => {
      const results = predicted;
      expect(results.map((r) => [r.frame, r.time])).toEqual(Array.from({ length: FRAMES }, (_, k) => [k, k / 10]));
      expect(results.every((r) => r.length > 0 && r.ids === undefined)).toBe(true);
      const frames = await all(openVideo(clip));
      const asImages = await model.predict([frames[0], frames[9]]);
      expect(Array.from(results[0].boxes.xyxy)).toEqual(Array.from(asImages[0].boxes.xyxy));
      expect(Array.from(results[9].boxes.conf)).toEqual(Array.from(asImages[1].boxes.conf));
      // A result keeps its frame for plots and prompts.
      expect((results[3].source as VideoFrame).frame).toBe(3);
      expect(results[3].toJSON()).toMatchObject({ frame: 3, time: 0.3, video: clip });
    });

    test('frames from openVideo go straight into model.stream()', async () => {
      const items = await all(model.stream(openVideo(clip, { vidStride: 5 })));
      expect(items.map((item) => (item.source as VideoFrame).frame)).toEqual([0, 5, 10]);
      expect(items.every((item) => item.result && item.result.length > 0)).toBe(true);
    });

    test('tracks: the two people keep their ids through the pan; masks and boxes follow the ids', async () => {
      const results = tracked;
      expect(results).toHaveLength(FRAMES);
      for (const [k, r] of results.entries()) {
        expect(r.boxes).toBeInstanceOf(TrackedBoxes);
        expect(r.ids).toHaveLength(r.length);
        expect(r.masks.length).toBe(r.length);
        // Every tracked detection is one of the frame's detections (the detector's own box).
        const boxes = Array.from({ length: predicted[k].length }, (_, i) =>
          Array.from(predicted[k].boxes.xyxy.subarray(i * 4, i * 4 + 4)).join(),
        );
        for (let i = 0; i < r.length; i++) expect(boxes).toContain(Array.from(r.boxes.xyxy.subarray(i * 4, i * 4 + 4)).join());
      }
      const people = (r: VideoResult) =>
        Array.from(r.ids!)
          .filter((_, i) => r.boxes.cls[i] === 0)
          .sort();
      expect(results.every((r) => people(r).join() === '1,2')).toBe(true);
      // select() keeps the ids; toJSON() lists them.
      const one = results[5].select([1]);
      expect(Array.from(one.ids!)).toEqual([results[5].ids![1]]);
      expect(one.toJSON().detections[0]).toMatchObject({ id: results[5].ids![1], name: 'person' });
      expect((await one.masks.toRLE())[0].size).toEqual([320, 320]);
      // plot() draws the frame it came from, labelled by id.
      const png = await results[5].plot();
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      const sharp = (await import('sharp')).default;
      expect(await sharp(png).metadata()).toMatchObject({ width: 320, height: 240 });
    });

    test('a box prompt on every frame, and following what it picked by id', async () => {
      const box: [number, number, number, number] = [20, 50, 150, 240]; // around the person on the left
      const prompted = await all(predictVideo(model, clip, { prompt: { bboxes: [box] }, vidStride: 3 }));
      expect(prompted).toHaveLength(4);
      expect(prompted.every((r) => r.length === 1)).toBe(true);
      const followed = await all(trackVideo(model, clip, { prompt: { bboxes: [box] }, follow: 'prompt' }));
      expect(followed.every((r) => r.length === 1 && r.ids![0] === 1)).toBe(true);
      const byId = await all(trackVideo(model, clip, { follow: 2 }));
      expect(byId.every((r) => r.length === 1 && r.ids![0] === 2)).toBe(true);
      await expect(all(trackVideo(model, clip, { prompt: { points: [[50, 100]], pointMode: 'merge' } }))).rejects.toMatchObject({
        code: 'E_BAD_PROMPT',
      });
    });

    test('persist: one tracker across calls (user-fed frames) keeps ids and counts frames', async () => {
      const frames = await all(openVideo(clip));
      const tracker = new ByteTracker();
      const first = await all(trackVideo(model, frames.slice(0, 6), { tracker }));
      // Plain raw images (not video frames): numbered along the tracker's life.
      const raw = frames.slice(6).map(({ data, width, height }) => ({ data, width, height, channels: 3 as const }));
      const second = await all(trackVideo(model, raw, { tracker }));
      expect(first.map((r) => r.frame)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(second.map((r) => r.frame)).toEqual([6, 7, 8, 9, 10, 11]);
      expect(second[0].time).toBeUndefined();
      expect(Array.from(second[0].ids!).sort()).toEqual(expect.arrayContaining([1, 2]));
      // Without the tracker, a new call starts again from id 1.
      const fresh = await all(trackVideo(model, frames.slice(6, 8)));
      expect(Math.min(...fresh[0].ids!)).toBe(1);
    });

    test('breaking out of trackVideo stops ffmpeg (no process left behind)', async () => {
      const reader = openVideo(clip);
      let pid: number | undefined;
      let n = 0;
      for await (const result of trackVideo(model, reader)) {
        pid ??= reader.pid;
        if (++n === 2) break;
        expect(result.frame).toBe(n - 1);
      }
      expect(pid).toBeDefined();
      expect(processExists(pid!)).toBe(false);
    });
  });
});
