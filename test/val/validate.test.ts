/**
 * Dataset validation end to end with real ONNX Runtime: designed models whose answers are known, the real
 * int8 YOLOv8n-seg and the random-weight FastSAM-s on coco8-seg, and the files a run leaves behind.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { saveValidation } from '../../lib/val/save';
import { validateDataset } from '../../lib/val/validator';
import { validationTable } from '../../lib/val/report';
import { MASK_COEFS, tinySegmentModel } from '../../scripts/fixtures/tiny-models';
import { describeWithShared, sharedPath } from '../helpers/shared';
import { writeDataset } from './fixtures/dataset';
import { dynamicSegmentModel } from './fixtures/dynamic-model';

const KEYS = [
  'metrics/precision(B)',
  'metrics/recall(B)',
  'metrics/mAP50(B)',
  'metrics/mAP50-95(B)',
  'metrics/precision(M)',
  'metrics/recall(M)',
  'metrics/mAP50(M)',
  'metrics/mAP50-95(M)',
  'fitness',
];

describe('validation with designed models', () => {
  it('a perfect detector scores P = R = 1 and mAP 0.995 for boxes and masks', async () => {
    // A 64x64 image with one rectangle (16,16)-(48,40). Its mask at 1/4 scale covers cells x 4..11, y 4..9;
    // the model predicts exactly that box, and prototype 0 is +1 on exactly those cells.
    const data = await writeDataset([
      { name: 'a', width: 64, height: 64, objects: [{ cls: 0, polygon: [16, 16, 48, 16, 48, 40, 16, 40] }] },
    ]);
    const protos = new Float32Array(MASK_COEFS * 16 * 16);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) protos[y * 16 + x] = x >= 4 && x < 12 && y >= 4 && y < 10 ? 1 : -1;
    const model = tinySegmentModel({
      size: 64,
      boxes: [{ cx: 32, cy: 28, w: 32, h: 24, score: 0.9, coef: [1, ...new Array<number>(MASK_COEFS - 1).fill(0)] }],
      protos,
    });
    const r = await validateDataset(model, data);
    expect(Object.keys(r.metrics)).toEqual(KEYS);
    expect(r.box.precision).toBeCloseTo(1, 12);
    expect(r.box.recall).toBeCloseTo(1, 12);
    expect(r.box.map50).toBeCloseTo(0.995, 12);
    expect(r.box.map).toBeCloseTo(0.995, 12);
    expect(r.mask.map).toBeCloseTo(0.995, 12);
    expect(r.fitness).toBeCloseTo(2 * 0.995, 12);
    expect(r.rect).toBe(false); // a fixed-size export gets the square letterbox
    expect([r.images, r.instances]).toEqual([1, 1]);
  });

  it('a detection of the wrong class matches nothing, and every metric is 0', async () => {
    const data = await writeDataset(
      [{ name: 'a', width: 64, height: 64, objects: [{ cls: 1, polygon: [16, 16, 48, 16, 48, 40, 16, 40] }] }],
      ['a', 'b'],
    );
    const protos = new Float32Array(MASK_COEFS * 16 * 16).fill(1);
    const model = tinySegmentModel({
      size: 64,
      nc: 2,
      boxes: [{ cx: 32, cy: 28, w: 32, h: 24, score: 0.9, cls: 0, coef: [1, ...new Array<number>(MASK_COEFS - 1).fill(0)] }],
      protos,
    });
    const r = await validateDataset(model, data);
    expect(Object.values(r.metrics).every((v) => v === 0)).toBe(true);
    // With single_cls the same detection is a perfect match for boxes.
    const agnostic = await validateDataset(model, data, { singleCls: true });
    expect(agnostic.box.map50).toBeCloseTo(0.995, 12);
  });

  it('a dynamic model gets rectangular batches, and the batch size does not change the numbers', async () => {
    const objects = [{ cls: 0, polygon: [28, 20, 68, 20, 68, 50, 28, 50] }];
    const data = await writeDataset(['a', 'b', 'c'].map((name) => ({ name, width: 96, height: 64, objects })));
    // 96x64 images in a 96x128 rect batch sit 16 px in from every side: the label box (28..68, 20..50)
    // is (44..84, 36..66) in the tensor, which the model predicts; its mask is the whole box, which at
    // 1/4 scale (cells 11..20 x 9..16) is also the label's mask.
    const model = dynamicSegmentModel({ cx: 64, cy: 51, w: 40, h: 30, score: 0.8, proto0: 1 });
    const one = await validateDataset(model, data, { batch: 1 });
    const three = await validateDataset(model, data, { batch: 3 });
    expect(one.rect).toBe(true);
    expect(one.imgsz).toBe(96);
    expect(three.metrics).toEqual(one.metrics);
    expect(one.box.map).toBeCloseTo(0.995, 12);
    expect(one.mask.map).toBeCloseTo(0.995, 12);
    expect([one.images, one.instances]).toEqual([3, 3]);
  });
});

describeWithShared('data/coco8-seg.yaml', 'validation on coco8-seg', () => {
  const data = sharedPath('data/coco8-seg.yaml');

  it('the real int8 YOLOv8n-seg at 320 gives plausible box and mask metrics, and writes its run', async () => {
    const r = await validateDataset(sharedPath('data/onnx/yolov8n-seg_int8_320.onnx'), data, { imgsz: 320 });
    expect([r.images, r.instances]).toEqual([4, 17]);
    expect(r.box.map50).toBeGreaterThan(0.3);
    expect(r.mask.map50).toBeGreaterThan(0.2);
    for (const v of Object.values(r.metrics)) expect(v).toBeGreaterThanOrEqual(0);
    expect(r.metrics.fitness).toBeCloseTo(0.1 * r.box.map50 + 0.9 * r.box.map + 0.1 * r.mask.map50 + 0.9 * r.mask.map, 12);
    const person = r.perClass.find((c) => c.name === 'person');
    expect(person?.instances).toBe(10);
    const table = validationTable(r).split('\n');
    expect(table[0]).toMatch(/^ {17}Class {5}Images {2}Instances {6}Box\(P/);
    expect(table[1]).toMatch(/^ {19}all {10}4 {9}17 /);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-valrun-'));
    const files = await saveValidation(dir, r);
    expect(files.map((f) => path.basename(f))).toEqual(['metrics.json', 'BoxPR_curve.png', 'MaskPR_curve.png']);
    const json = JSON.parse(fs.readFileSync(files[0], 'utf8'));
    expect(json.metrics).toEqual(r.metrics);
    const png = await sharp(files[1]).metadata();
    expect([png.format, png.width, png.height]).toEqual(['png', 1800, 1200]);
  });

  it('the random-weight FastSAM-s at 640 with single_cls runs (and scores near 0)', async () => {
    const r = await validateDataset(sharedPath('models/FastSAM-s-random-640.onnx'), data, { imgsz: 640, singleCls: true });
    expect([r.images, r.instances]).toEqual([4, 17]);
    expect(r.box.map50).toBeLessThan(0.2);
    expect(r.warnings).toEqual([]);
    expect(r.perClass.every((c) => c.cls === 0)).toBe(true);
  });

  it('refuses user mistakes with one clear error', async () => {
    const model = sharedPath('data/onnx/yolov8n-seg_int8_320.onnx');
    await expect(validateDataset(model, data, { imgsz: 640 })).rejects.toMatchObject({
      code: 'E_BAD_OPTION',
      message: expect.stringMatching(/fixed 320x320/),
    });
    await expect(validateDataset(model, data, { conf: 2 })).rejects.toMatchObject({ code: 'E_BAD_OPTION' });
    await expect(validateDataset(model, '/nonexistent/data.yaml')).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
    await expect(validateDataset('/nonexistent/model.onnx', data)).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
    await expect(validateDataset(model, data, { split: 'test' })).rejects.toMatchObject({ code: 'E_BAD_OPTION' });
  });
});
