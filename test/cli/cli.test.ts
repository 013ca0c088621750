/** The `fastsam` command as a user runs it: the compiled bin in a child process. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { tinySegmentModel } from '../../scripts/fixtures/tiny-models';

const bin = path.resolve(__dirname, '../../dist/cli/index.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function fastsam(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const built = fs.existsSync(bin);
if (!built) console.warn('skipping CLI tests: dist/ is not built (npm test builds it)');

(built ? describe : describe.skip)('fastsam CLI', () => {
  const model = path.join(tmp, 'tiny.onnx');
  const image = path.join(tmp, 'gray.png');
  beforeAll(async () => {
    fs.writeFileSync(
      model,
      tinySegmentModel({ size: 64, boxes: [{ cx: 32, cy: 32, w: 20, h: 20, score: 0.9, coef: new Array(32).fill(0.1) }], protos: new Float32Array(32 * 256).fill(1) }),
    );
    await sharp({ create: { width: 64, height: 64, channels: 3, background: 'gray' } }).png().toFile(image);
  });

  test('predict --json prints detections and RLE masks', () => {
    const run = fastsam('predict', `model=${model}`, `source=${image}`, '--json');
    expect(run.code).toBe(0);
    const line = JSON.parse(run.stdout.trim());
    expect(line.path).toBe(image);
    expect(line.detections).toHaveLength(1);
    expect(line.detections[0].box).toEqual({ x1: 22, y1: 22, x2: 42, y2: 42 });
    expect(line.masks[0].size).toEqual([64, 64]);
  });

  test('info describes the model', () => {
    const run = fastsam('info', `model=${model}`, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ task: 'fastsam', classes: 1, input: [1, 3, 64, 64], backend: 'cpu' });
  });

  test('user mistakes print one line, no stack trace, and exit 2', () => {
    for (const args of [['predict', `model=${model}`], ['predict', 'model=missing.onnx', `source=${image}`], ['predict', `model=${model}`, `source=${image}`, 'conf=lots'], ['bogus']]) {
      const run = fastsam(...args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^fastsam: /);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
