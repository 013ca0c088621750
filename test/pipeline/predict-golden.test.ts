/**
 * End to end: predict() on the golden images with the shared ONNX models. ONNX Runtime and PyTorch differ
 * in the last float bits of the raw outputs, so detections are matched (box IoU >= 0.99, mask IoU >= 0.98)
 * and the matched fraction must be >= 0.97. The letterboxed input itself must equal the reference's.
 */
import { FastSAM } from '../../lib/pipeline/fastsam';
import { decodeImage } from '../../lib/io/image';
import { letterboxBatch } from '../../lib/backends/cpu/letterbox-batch';
import type { RLE } from '../../lib/masks/masks';
import { matchDetections } from '../helpers/matching';
import { describeWithShared, readGzipJson, readNpyFloat32, sharedPath } from '../helpers/shared';

interface GoldenCase {
  image: string;
  conf: number;
  iou: number;
  retina: boolean;
  boxes: number[][];
  masks: RLE[];
}

describeWithShared('models/FastSAM-s-random-640.onnx', 'predict end to end vs the reference (FastSAM-s)', () => {
  let model: FastSAM;
  beforeAll(async () => {
    model = await FastSAM.load(sharedPath('models/FastSAM-s-random-640.onnx'));
  });
  afterAll(() => model?.dispose());

  test('the letterboxed input tensor equals the reference input bit for bit', async () => {
    const reference = readNpyFloat32(sharedPath('golden/fastsam-s-random/dogs-640-retina.input.npy'));
    const image = await decodeImage(sharedPath('data/images/dogs.jpg'));
    const { tensor } = await letterboxBatch([image], [640, 640], 32);
    expect(tensor.dims).toEqual(reference.dims);
    expect(Buffer.from(tensor.data.buffer).equals(Buffer.from(reference.data.buffer))).toBe(true);
  });

  test.each(['dogs-640-retina', 'dogs-640-letterbox', 'bus-640-retina'])('%s', async (name) => {
    const golden = readGzipJson<GoldenCase>(sharedPath('golden/fastsam-s-random', `${name}.json.gz`));
    const [result] = await model.predict(sharedPath(golden.image), {
      conf: golden.conf,
      iou: golden.iou,
      retinaMasks: golden.retina,
    });
    expect(result.path).toBe(sharedPath(golden.image));
    const report = await matchDetections(result, golden);

    console.log(`${name}: ${report.matched}/${report.expected} matched (${(report.fraction * 100).toFixed(1)} %), ${report.found} found`);
    expect(report.fraction).toBeGreaterThanOrEqual(0.97);
  });
});

describeWithShared('data/onnx/yolov8n-seg_int8_320.onnx', 'predict end to end vs the reference (YOLOv8n-seg int8)', () => {
  let model: FastSAM;
  beforeAll(async () => {
    model = await FastSAM.load(sharedPath('data/onnx/yolov8n-seg_int8_320.onnx'));
  });
  afterAll(() => model?.dispose());

  test('reads the model contract from the file', () => {
    expect(model.contract.nc).toBe(80);
    expect(model.contract.isFastSAM).toBe(false);
    expect(model.contract.fixedSize).toEqual([320, 320]);
    expect(model.names[0]).toBe('person');
    expect(model.names[5]).toBe('bus');
  });

  test('finds the bus and the people in bus.jpg', async () => {
    const [result] = await model.predict(sharedPath('data/images/bus.jpg'));
    const names = Array.from(result.boxes.cls, (c) => result.names[c]);
    expect(names).toContain('bus');
    expect(names.filter((n) => n === 'person').length).toBeGreaterThanOrEqual(3);
    const busIndex = names.indexOf('bus');
    const [x1, y1, x2, y2] = result.boxes.xyxy.subarray(busIndex * 4, busIndex * 4 + 4);
    expect(x2 - x1).toBeGreaterThan(600); // the bus spans most of the 810 px width
    expect(y2 - y1).toBeGreaterThan(300);
    // Plain YOLOv8-seg defaults: letterboxed masks at the input size.
    expect(result.masks.shape).toEqual([320, 320]);
    const bus = await result.masks.get(busIndex);
    expect(bus.area).toBeGreaterThan(0.2 * 320 * 320);
  });

  test.each(
    ['bus-320', 'zidane-320'].flatMap((n) => [
      [n, 'letterbox'],
      [n, 'retina'],
    ]),
  )('%s %s masks match the reference', async (name, mode) => {
    const golden = readGzipJson<{ image: string; conf: number; iou: number } & Record<string, { boxes: number[][]; masks: RLE[] }>>(
      sharedPath('golden/yolov8n-seg-int8', `${name}.json.gz`),
    );
    const [result] = await model.predict(sharedPath(golden.image), {
      conf: golden.conf,
      iou: golden.iou,
      retinaMasks: mode === 'retina',
    });
    const report = await matchDetections(result, golden[mode]);
    expect(report.fraction).toBe(1);
    expect(report.found).toBe(report.expected);
  });
});
