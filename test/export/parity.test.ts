/**
 * Parity with the reference exporter: ../shared/models/FastSAM-s-random.pt exported by us at 640 against
 * FastSAM-s-random-640.onnx, which Ultralytics 8.0.120 made from the same checkpoint. Same contract and
 * metadata, the same fused weights bit for bit, the same raw outputs on real letterboxed images (relative
 * difference |a - b| / max(|b|, 1e-3) must be <= 1e-4; in practice they are identical), and the same
 * predict() results.
 */
import * as fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { exportOnnx } from '../../lib/export';
import { decodeImage } from '../../lib/io/image';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { readOnnxModelInfo } from '../../lib/onnx/model-info';
import { letterboxBatch } from '../../lib/backends/cpu/letterbox-batch';
import { describeWithShared, sharedPath } from '../helpers/shared';
import { describeDifference, difference } from './compare';
import { opCounts, readGraph } from './onnx-graph';

const CHECKPOINT = 'models/FastSAM-s-random.pt';
const REFERENCE = 'models/FastSAM-s-random-640.onnx';
const IMAGES = ['bus.jpg', 'dogs.jpg'];

describeWithShared(REFERENCE, 'export parity with the reference exporter (FastSAM-s, 640)', () => {
  let ours: Uint8Array;
  let reference: Uint8Array;

  beforeAll(async () => {
    ours = await exportOnnx(sharedPath(CHECKPOINT), { imgsz: 640 });
    reference = fs.readFileSync(sharedPath(REFERENCE));
  });

  test('same inputs, outputs, shapes and metadata', () => {
    const a = readOnnxModelInfo(ours);
    const b = readOnnxModelInfo(reference);
    expect(a.inputs).toEqual(b.inputs);
    expect(a.outputs).toEqual(b.outputs);
    expect(a.metadata).toEqual(b.metadata);
    expect(a.producerName).toBe('fastsam-node');
  });

  test('the same network: fused weights bit-identical, the same layers', () => {
    const a = readGraph(ours);
    const b = readGraph(reference);
    // torch deduplicates equal initializers through Identity nodes; follow them.
    const alias = new Map(b.nodes.filter((n) => n.opType === 'Identity').map((n) => [n.outputs[0], n.inputs[0]]));
    let compared = 0;
    let values = 0;
    for (const [name, weight] of a.floats) {
      if (!name.startsWith('model.')) continue;
      const ref = b.floats.get(name) ?? b.floats.get(alias.get(name) ?? '');
      expect({ name, found: ref !== undefined }).toEqual({ name, found: true });
      if (!ref) continue;
      expect(weight.dims).toEqual(ref.dims);
      expect(Buffer.from(weight.data.buffer, weight.data.byteOffset, weight.data.byteLength).equals(Buffer.from(ref.data.buffer))).toBe(
        true,
      );
      compared++;
      values += weight.data.length;
    }
    // Every weight of the fused model: 11,779,987 parameters (spec section 8).
    expect(values).toBe(11_779_987);
    expect(compared).toBe([...b.floats.keys()].filter((n) => n.startsWith('model.')).length + alias.size);
    const ca = opCounts(a.nodes);
    const cb = opCounts(b.nodes);
    for (const op of ['Conv', 'ConvTranspose', 'MaxPool', 'Resize', 'Softmax', 'Sigmoid', 'Transpose'])
      expect([op, ca[op]]).toEqual([op, cb[op]]);
  });

  describe('raw outputs on real images', () => {
    let a: ort.InferenceSession;
    let b: ort.InferenceSession;
    beforeAll(async () => {
      a = await ort.InferenceSession.create(Buffer.from(ours));
      b = await ort.InferenceSession.create(Buffer.from(reference));
    });
    afterAll(async () => {
      await a?.release();
      await b?.release();
    });

    test.each(IMAGES)('%s: output0 and output1 agree within 1e-4 relative', async (image) => {
      const decoded = await decodeImage(sharedPath('data/images', image));
      const { tensor } = await letterboxBatch([decoded], [640, 640], 32);
      const feeds = { images: new ort.Tensor('float32', tensor.data, tensor.dims) };
      const [ra, rb] = [await a.run(feeds), await b.run(feeds)];
      for (const name of ['output0', 'output1']) {
        expect(ra[name].dims).toEqual(rb[name].dims);
        const d = difference(ra[name].data as Float32Array, rb[name].data as Float32Array);

        console.log(describeDifference(`${image} ${name}`, d));
        expect(d.maxRel).toBeLessThanOrEqual(1e-4);
      }
    });
  });

  describe('predict()', () => {
    let mine: FastSAM;
    let theirs: FastSAM;
    beforeAll(async () => {
      mine = await FastSAM.load(ours);
      theirs = await FastSAM.load(sharedPath(REFERENCE));
    });
    afterAll(async () => {
      await mine?.dispose();
      await theirs?.dispose();
    });

    test.each(IMAGES)('%s: the same results through either model', async (image) => {
      const source = sharedPath('data/images', image);
      const [ra] = await mine.predict(source);
      const [rb] = await theirs.predict(source);
      expect(ra.length).toBeGreaterThan(0);
      expect(ra.length).toBe(rb.length);
      const same = (x: ArrayLike<number>, y: ArrayLike<number>): boolean =>
        x.length === y.length && Array.from(x).every((v, i) => Object.is(v, y[i]));
      expect(same(ra.boxes.xyxy, rb.boxes.xyxy)).toBe(true);
      expect(same(ra.boxes.conf, rb.boxes.conf)).toBe(true);
      expect(same(ra.boxes.cls, rb.boxes.cls)).toBe(true);
      // (JSON text: jest's deep equality is very slow on 300 masks' run lengths.)
      expect(JSON.stringify(await ra.masks.toRLE()) === JSON.stringify(await rb.masks.toRLE())).toBe(true);

      console.log(`${image}: ${ra.length} detections, boxes, scores and masks identical`);
    });
  });
});
