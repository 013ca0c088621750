/** model.predict(video), model.stream(video) and model.track(): the video functions behind FastSAM's own methods. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { openVideo } from '../../lib/video/reader';
import { predictVideo } from '../../lib/video/predict';
import { trackVideo } from '../../lib/video/track';
import type { VideoResult } from '../../lib/video/results';
import { describeWithShared, sharedPath } from '../helpers/shared';
import { describeWithFfmpeg, panVideo, tempDir } from './helpers';

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const boxesOf = (results: VideoResult[]) => results.map((r) => Array.from(r.boxes.xyxy));

describeWithShared('data/onnx/yolov8n-seg_int8_320.onnx', 'FastSAM methods on video', () => {
  describeWithFfmpeg('predict, stream and track', () => {
    const dir = tempDir('video-methods');
    const clip = path.join(dir, 'pan.mp4');
    let model: FastSAM;
    beforeAll(async () => {
      panVideo(clip, sharedPath('data/images/bus.jpg'), { seconds: 0.8 }); // 8 frames
      model = await FastSAM.load(sharedPath('data/onnx/yolov8n-seg_int8_320.onnx'));
    });
    afterAll(async () => {
      await model.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('predict(video) gives one result per frame, as predictVideo does; vidStride passes through', async () => {
      const results = (await model.predict(clip)) as VideoResult[];
      expect(results.map((r) => r.frame)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(boxesOf(results)).toEqual(boxesOf(await all(predictVideo(model, clip))));
      expect(((await model.predict(clip, { vidStride: 3 })) as VideoResult[]).map((r) => r.frame)).toEqual([0, 3, 6]);
      // An open reader is a video source too.
      expect(await model.predict(openVideo(clip, { vidStride: 4 }))).toHaveLength(2);
    });

    test('stream(video) yields the frames in order; a video option on images is refused', async () => {
      const items = await all(model.stream(clip, { vidStride: 2 }));
      expect(items.map((item) => (item.result as VideoResult).frame)).toEqual([0, 2, 4, 6]);
      await expect(model.predict(sharedPath('data/images/bus.jpg'), { vidStride: 2 } as object)).rejects.toMatchObject({
        code: 'E_BAD_OPTION',
        message: expect.stringMatching(/unknown predict option 'vidStride'/),
      });
    });

    test('track() gives trackVideo’s ids; persist continues the tracks of the previous call', async () => {
      const tracked = await all(model.track(clip));
      const direct = await all(trackVideo(model, clip));
      expect(tracked.map((r) => Array.from(r.ids!))).toEqual(direct.map((r) => Array.from(r.ids!)));
      expect(tracked.every((r) => r.ids !== undefined)).toBe(true);
      // A new call starts over (ids from 1 again); with persist the ids seen last time go on.
      const again = await all(model.track(clip));
      expect(Array.from(again[0].ids!)).toEqual(Array.from(tracked[0].ids!));
      const persisted = await all(model.track(clip, { persist: true }));
      const lastIds = new Set(tracked.at(-1)!.ids);
      expect(Array.from(persisted[0].ids!).some((id) => lastIds.has(id))).toBe(true);
    });
  });
});
