/** `fastsam predict texts=... clip=DIR`: the text prompt from the command line, with designed models. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { BLUE_AND_RED_SQUARES, colouredShapesScene } from '../../scripts/fixtures/clip-scene';
import { fixtureDir, removeTempDirs, tempDir } from './helpers';

const bin = path.resolve(__dirname, '../../dist/cli/index.js');
afterAll(() => removeTempDirs());

(fs.existsSync(bin) ? test : test.skip)('texts= picks the matching shape; texts= without clip= is a clear error', async () => {
  const dir = tempDir();
  const scene = colouredShapesScene({
    width: 128,
    height: 128,
    size: 128,
    shapes: BLUE_AND_RED_SQUARES,
  });
  const model = path.join(dir, 'scene.onnx');
  fs.writeFileSync(model, scene.model);
  const image = path.join(dir, 'scene.png');
  await sharp(scene.image.rgb, { raw: { width: 128, height: 128, channels: 3 } })
    .png()
    .toFile(image);
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [bin, 'predict', `model=${model}`, `source=${image}`, 'save=false', ...args], {
      encoding: 'utf8',
      cwd: dir,
    });

  const red = run('texts=a red object', `clip=${fixtureDir('hf')}`, '--json');
  expect(red.status).toBe(0);
  expect(JSON.parse(red.stdout).detections.map((d: { box: object }) => d.box)).toEqual([{ x1: 24, y1: 64, x2: 48, y2: 88 }]);
  const missing = run('texts=a red object');
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(/clip=DIR/);
});
