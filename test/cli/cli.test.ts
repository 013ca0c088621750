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
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: tmp });
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
      tinySegmentModel({
        size: 64,
        boxes: [{ cx: 32, cy: 32, w: 20, h: 20, score: 0.9, coef: new Array(32).fill(0.1) }],
        protos: new Float32Array(32 * 256).fill(1),
      }),
    );
    await sharp({ create: { width: 64, height: 64, channels: 3, background: 'gray' } })
      .png()
      .toFile(image);
  });

  test('predict --json prints detections and RLE masks', () => {
    const run = fastsam('predict', `model=${model}`, `source=${image}`, 'save=false', '--json');
    expect(run.code).toBe(0);
    const line = JSON.parse(run.stdout.trim());
    expect(line.path).toBe(image);
    expect(line.detections).toHaveLength(1);
    expect(line.detections[0].box).toEqual({ x1: 22, y1: 22, x2: 42, y2: 42 });
    expect(line.masks[0].size).toEqual([64, 64]);
  });

  test('a folder: annotated images, COCO JSON, YOLO labels and PNG masks under runs/segment/predict*', async () => {
    const folder = path.join(tmp, 'images');
    fs.mkdirSync(folder);
    for (const name of ['a.png', 'b.png']) fs.copyFileSync(image, path.join(folder, name));
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'not an image');
    const run = fastsam('predict', `model=${model}`, `source=${folder}`, 'save_json=true', 'save_txt=true', 'save_masks=true');
    expect(run.code).toBe(0);
    const dir = path.join(tmp, 'runs/segment/predict');
    expect(fs.readdirSync(dir).sort()).toEqual(['a.png', 'b.png', 'labels', 'masks', 'predictions.json']);
    const coco = JSON.parse(fs.readFileSync(path.join(dir, 'predictions.json'), 'utf8'));
    expect(coco.map((d: { image_id: string }) => d.image_id)).toEqual(['a', 'b']);
    expect(typeof coco[0].segmentation.counts).toBe('string');
    expect(fs.readFileSync(path.join(dir, 'labels/a.txt'), 'utf8')).toMatch(/^0 (0\.\d+ )+0\.\d+\n$/);
    expect((await sharp(path.join(dir, 'masks/a.png')).metadata()).channels).toBe(1);
    // A second run goes to predict2; exist_ok reuses the folder; name= and project= choose it.
    expect(fastsam('predict', `model=${model}`, `source=${image}`).code).toBe(0);
    expect(fs.existsSync(path.join(tmp, 'runs/segment/predict2/gray.png'))).toBe(true);
    expect(fastsam('predict', `model=${model}`, `source=${image}`, 'exist_ok=true').code).toBe(0);
    expect(fs.existsSync(path.join(tmp, 'runs/segment/predict3'))).toBe(false);
    expect(fastsam('predict', `model=${model}`, `source=${image}`, 'project=out', 'name=mine').code).toBe(0);
    expect(fs.existsSync(path.join(tmp, 'out/mine/gray.png'))).toBe(true);
  });

  test('prompts on the command line: a box picks one mask, points merge', () => {
    const box = JSON.parse(
      fastsam('predict', `model=${model}`, `source=${image}`, 'bboxes=[[20,20,44,44]]', 'save=false', '--json').stdout,
    );
    expect(box.detections).toHaveLength(1);
    const point = JSON.parse(
      fastsam('predict', `model=${model}`, `source=${image}`, 'points=[[30,30]]', 'labels=[1]', 'save=false', '--json').stdout,
    );
    expect(point.detections).toHaveLength(1);
    const bad = fastsam('predict', `model=${model}`, `source=${image}`, 'bboxes=[[1,2,3]]');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/groups of 4 numbers/);
  });

  test('a failing image is reported, the others still processed, exit 1', () => {
    const list = path.join(tmp, 'list.txt');
    fs.writeFileSync(
      list,
      `${image}
missing.png
`,
    );
    const run = fastsam('predict', `model=${model}`, `source=${list}`, 'save=false', '--json');
    expect(run.code).toBe(1);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0].detections).toHaveLength(1);
    expect(lines[1].error.code).toBe('E_FILE_NOT_FOUND');
  });

  test('--help for every command', () => {
    for (const command of ['predict', 'val', 'export', 'info']) {
      const run = fastsam(command, '--help');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`fastsam ${command}`));
    }
    expect(fastsam('--help').stdout).toMatch(/commands:/);
  });

  test('info describes the model', () => {
    const run = fastsam('info', `model=${model}`, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ task: 'fastsam', classes: 1, input: [1, 3, 64, 64], backend: 'cpu' });
  });

  // FASTSAM_GPU_ADDON points at no file, so this holds on GPU machines too.
  test('device=0 asks for the GPU backend: where it cannot run, one line saying what is missing', () => {
    const run = spawnSync(process.execPath, [bin, 'predict', `model=${model}`, `source=${image}`, 'device=0'], {
      encoding: 'utf8',
      cwd: tmp,
      env: { ...process.env, FASTSAM_GPU_ADDON: path.join(tmp, 'no-gpu-addon.node') },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^fastsam: .*the tensorrt backend cannot run here; missing: the GPU addon fastsam_tensorrt\.node/);
    const info = JSON.parse(fastsam('info', `model=${model}`, 'device=cpu', '--json').stdout);
    expect(info.backend).toBe('cpu');
    expect(info.gpu).toMatch(/tensorrt backend unavailable|TensorRT/);
    expect(fastsam('predict', `model=${model}`, `source=${image}`, 'device=gpu').stderr).toMatch(
      /device must be cpu, a GPU index \(0\) or cuda:N, got "gpu"/,
    );
  });

  test('user mistakes print one line, no stack trace, and exit 2', () => {
    for (const args of [
      ['predict', `model=${model}`],
      ['predict', 'model=missing.onnx', `source=${image}`],
      ['predict', `model=${model}`, `source=${image}`, 'conf=lots'],
      ['bogus'],
    ]) {
      const run = fastsam(...args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^fastsam: /);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  test("arguments are checked strictly against each command's keys", () => {
    const refused = (args: string[], message: RegExp) => {
      const run = fastsam('predict', `model=${model}`, `source=${image}`, 'save=false', ...args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    };
    refused(['conff=0.5'], /unknown fastsam predict key 'conff' \(did you mean 'conf'\?\)/);
    refused(['conf='], /conf=: expected a value/);
    refused(['imgsz=0x40'], /imgsz=0x40: expected an integer/);
    refused(['conf=1.5'], /conf must be a number in \[0, 1\], got 1.5/);
    refused(['retina_masks=yes please'], /retina_masks=yes please: expected true or false/);
    refused(['conf=0.5', 'conf=0.6'], /conf= is given twice/);
    refused(['--jsonn'], /unknown fastsam predict flag 'jsonn' \(did you mean 'json'\?\)/);
    // Output folders that cannot be made are one line, never a stack or a hang (recursive mkdir loops under /proc).
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, '');
    for (const project of [file, '/proc/fastsam-cannot-exist']) {
      const run = fastsam('predict', `model=${model}`, `source=${image}`, `project=${project}`);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^fastsam: cannot create the output folder .* \[E_BAD_OPTION\]\n$/);
    }
  });
});
