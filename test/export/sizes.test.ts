/**
 * Exports at other sizes from the shared checkpoint: 1024, rectangular 480x640 and dynamic. Where two
 * exports can be compared they must agree: the same weights, a dynamic export (anchors computed in the
 * graph) equal to the static export of the same size (anchors baked in), and the dynamic export at 640
 * equal to the reference exporter's 640 model. A reference 1024 export is checked directly once it is in
 * ../shared/models.
 */
import * as fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { exportOnnx } from '../../lib/export';
import { decodeImage } from '../../lib/io/image';
import { readOnnxModelInfo } from '../../lib/onnx/model-info';
import { letterboxBatch } from '../../lib/backends/cpu/letterbox-batch';
import { describeWithShared, sharedPath } from '../helpers/shared';
import { describeDifference, difference } from './compare';
import { readGraph } from './onnx-graph';

const CHECKPOINT = 'models/FastSAM-s-random.pt';
const REFERENCE_1024 = 'models/FastSAM-s-random-1024.onnx';

async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(Buffer.from(bytes));
}

async function busInput(size: [number, number]): Promise<Record<string, ort.Tensor>> {
  const image = await decodeImage(sharedPath('data/images/bus.jpg'));
  const { tensor } = await letterboxBatch([image], size, 32);
  return { images: new ort.Tensor('float32', tensor.data, tensor.dims) };
}

async function expectSameOutputs(label: string, a: ort.InferenceSession, b: ort.InferenceSession, size: [number, number]): Promise<void> {
  const feeds = await busInput(size);
  const [ra, rb] = [await a.run(feeds), await b.run(feeds)];
  for (const name of ['output0', 'output1']) {
    expect(ra[name].dims).toEqual(rb[name].dims);
    const d = difference(ra[name].data as Float32Array, rb[name].data as Float32Array);

    console.log(describeDifference(`${label} ${name}`, d));
    expect(d.maxRel).toBeLessThanOrEqual(1e-4);
  }
}

describeWithShared(CHECKPOINT, 'exports at other sizes (FastSAM-s checkpoint)', () => {
  let dynamic: Uint8Array;
  let dynamicSession: ort.InferenceSession;
  beforeAll(async () => {
    dynamic = await exportOnnx(sharedPath(CHECKPOINT), { dynamic: true });
    dynamicSession = await session(dynamic);
  });
  afterAll(() => dynamicSession?.release());

  test('a dynamic export declares symbolic axes like Ultralytics', () => {
    const info = readOnnxModelInfo(dynamic);
    expect(info.inputs).toEqual([{ name: 'images', elemType: 1, dims: ['batch', 3, 'height', 'width'] }]);
    expect(info.outputs.map((o) => o.dims)).toEqual([
      ['batch', 37, 'anchors'],
      ['batch', 32, 'mask_height', 'mask_width'],
    ]);
    expect(info.metadata.imgsz).toBe('[640, 640]'); // the checkpoint's training size
  });

  test('dynamic at 640 equals the reference exporter at 640', async () => {
    const reference = await ort.InferenceSession.create(fs.readFileSync(sharedPath('models/FastSAM-s-random-640.onnx')));
    try {
      await expectSameOutputs('dynamic@640 vs reference 640', dynamicSession, reference, [640, 640]);
    } finally {
      await reference.release();
    }
  });

  test('rectangular 480x640: static export equals the dynamic one at that size', async () => {
    const bytes = await exportOnnx(sharedPath(CHECKPOINT), { imgsz: [480, 640] });
    const info = readOnnxModelInfo(bytes);
    expect(info.inputs[0].dims).toEqual([1, 3, 480, 640]);
    expect(info.outputs.map((o) => o.dims)).toEqual([
      [1, 37, 60 * 80 + 30 * 40 + 15 * 20],
      [1, 32, 120, 160],
    ]);
    expect(info.metadata.imgsz).toBe('[480, 640]');
    const rect = await session(bytes);
    try {
      await expectSameOutputs('static 480x640 vs dynamic', rect, dynamicSession, [480, 640]);
    } finally {
      await rect.release();
    }
  });

  test('1024: the same weights as at 640, and equal to the dynamic export at 1024', async () => {
    const bytes = await exportOnnx(sharedPath(CHECKPOINT), { imgsz: 1024 });
    const info = readOnnxModelInfo(bytes);
    expect(info.outputs.map((o) => o.dims)).toEqual([
      [1, 37, 21504],
      [1, 32, 256, 256],
    ]);
    expect(info.metadata.imgsz).toBe('[1024, 1024]');
    const weights1024 = readGraph(bytes).floats;
    const weightsDynamic = readGraph(dynamic).floats;
    const names = [...weights1024.keys()].filter((n) => n.startsWith('model.'));
    expect(names.length).toBeGreaterThan(100);
    for (const name of names)
      expect(Buffer.from(weights1024.get(name)!.data.buffer).equals(Buffer.from(weightsDynamic.get(name)!.data.buffer))).toBe(true);
    const big = await session(bytes);
    try {
      await expectSameOutputs('static 1024 vs dynamic', big, dynamicSession, [1024, 1024]);
    } finally {
      await big.release();
    }
  });
});

describeWithShared(REFERENCE_1024, 'export parity with the reference exporter at 1024', () => {
  test('same contract, weights and outputs', async () => {
    const ours = await exportOnnx(sharedPath(CHECKPOINT), { imgsz: 1024 });
    const reference = fs.readFileSync(sharedPath(REFERENCE_1024));
    const [a, b] = [readOnnxModelInfo(ours), readOnnxModelInfo(reference)];
    expect(a.inputs).toEqual(b.inputs);
    expect(a.outputs).toEqual(b.outputs);
    expect(a.metadata).toEqual(b.metadata);
    const [sa, sb] = [await session(ours), await ort.InferenceSession.create(reference)];
    try {
      await expectSameOutputs('1024 vs reference 1024', sa, sb, [1024, 1024]);
    } finally {
      await sa.release();
      await sb.release();
    }
  });
});
