/**
 * A text prompt on every frame of a video: the designed scene (coloured rectangles and a model that
 * segments exactly them) in a lossless video, the designed CLIP encoders picking "a red object".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ClipScorer } from '../../lib/clip/scorer';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { predictVideo } from '../../lib/video/predict';
import { trackVideo } from '../../lib/video/track';
import { BLUE_AND_RED_SQUARES, colouredShapesScene, type SceneShape } from '../../scripts/fixtures/clip-scene';
import { fixtureDir, removeTempDirs } from '../clip/helpers';
import { describeWithFfmpeg, tempDir } from './helpers';

const SHAPES: SceneShape[] = [...BLUE_AND_RED_SQUARES, { colour: [20, 200, 40], box: [64, 64, 88, 88], score: 0.85 }];

describeWithFfmpeg('text prompts on video', () => {
  const dir = tempDir('video-text');
  const file = path.join(dir, 'scene.mkv');
  let model: FastSAM;
  let clip: ClipScorer;
  beforeAll(async () => {
    const scene = colouredShapesScene({ width: 128, height: 128, size: 128, shapes: SHAPES });
    const frames = Buffer.concat([0, 1, 2, 3].map(() => Buffer.from(scene.image.rgb)));
    const args = ['-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '128x128', '-r', '5', '-i', 'pipe:0'];
    spawnSync('ffmpeg', [...args, '-c:v', 'ffv1', '-pix_fmt', 'gbrp', file], { input: frames });
    model = await FastSAM.load(scene.model);
    clip = await ClipScorer.load(fixtureDir('hf'));
  });
  afterAll(async () => {
    await model.dispose();
    await clip.dispose();
    removeTempDirs();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('"a red object" picks the red rectangle on every frame, tracked or not', async () => {
    const prompt = { texts: ['a red object'], clip };
    const boxes: number[][] = [];
    for await (const r of predictVideo(model, file, { prompt })) boxes.push(Array.from(r.boxes.xyxy));
    expect(boxes).toEqual([0, 1, 2, 3].map(() => [24, 64, 48, 88]));
    const ids: number[][] = [];
    for await (const r of trackVideo(model, file, { prompt })) ids.push(Array.from(r.ids!));
    expect(ids).toEqual([[2], [2], [2], [2]]); // the red rectangle is the second track, all along
    await expect(predictVideo(model, file, { prompt: { texts: ['red'] } }).next()).rejects.toMatchObject({ code: 'E_BAD_PROMPT' });
  });
});
