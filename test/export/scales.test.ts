/**
 * Every YOLOv8-seg scale (n/s/m/l/x) exports and runs, not only FastSAM's s and x. The synthetic
 * checkpoints are built like Ultralytics builds yolov8-seg.yaml; their parameter counts equal the ones
 * Ultralytics publishes (spec section 8), and our fused graphs hold exactly the fused parameter counts.
 */
import * as ort from 'onnxruntime-node';
import { Checkpoint } from '../../lib/checkpoint';
import { exportCheckpoint, joinParts } from '../../lib/export';
import { type Scale, syntheticCheckpoint } from '../../scripts/fixtures/checkpoint-yolov8seg';
import { readGraph } from './onnx-graph';

// Spec section 8: nc = 1 parameter counts, unfused and fused (Conv + BatchNorm folded).
const PUBLISHED: Partial<Record<Scale, { unfused: number; fused: number }>> = {
  s: { unfused: 11_790_483, fused: 11_779_987 },
  x: { unfused: 71_751_811, fused: 71_721_619 },
};

function fusedParameters(onnx: Uint8Array): number {
  let n = 0;
  for (const [name, t] of readGraph(onnx).floats) if (name.startsWith('model.')) n += t.data.length;
  return n;
}

describe('every YOLOv8-seg scale', () => {
  test.each(['n', 's', 'm', 'l', 'x'] as Scale[])('%s: exports with the published parameter counts (n and s also run)', async (scale) => {
    // Zero weights above n keep this fast; the structure is what is under test.
    const synthetic = syntheticCheckpoint({ scale, zeros: scale !== 'n' });
    const exported = exportCheckpoint(Checkpoint.read(synthetic.bytes), { imgsz: 64 });
    const onnx = joinParts(exported.parts);
    const published = PUBLISHED[scale];
    if (published) {
      expect(synthetic.parameters).toBe(published.unfused);
      expect(fusedParameters(onnx)).toBe(published.fused);
    }
    expect(exported.output0Shape).toEqual([1, 37, 8 * 8 + 4 * 4 + 2 * 2]);
    expect(exported.output1Shape).toEqual([1, 32, 16, 16]);
    expect(exported.metadata.description).toBe(`Ultralytics YOLOv8${scale}-seg model (untrained)`);
    // ONNX Runtime runs the smaller ones; m/l/x differ from them only in channel and repeat counts.
    if (!['n', 's'].includes(scale)) return;
    const session = await ort.InferenceSession.create(Buffer.from(onnx));
    try {
      const input = new Float32Array(3 * 64 * 64).map((_, i) => (i % 251) / 251);
      const out = await session.run({ images: new ort.Tensor('float32', input, [1, 3, 64, 64]) });
      expect(out.output0.dims).toEqual([1, 37, 84]);
      expect(Array.from(out.output0.data as Float32Array).every(Number.isFinite)).toBe(true);
    } finally {
      await session.release();
    }
  });

  test('s with 80 classes matches the published YOLOv8s-seg size (11,821,056 parameters)', () => {
    const synthetic = syntheticCheckpoint({ scale: 's', nc: 80, zeros: true });
    expect(synthetic.parameters).toBe(11_821_056);
    const exported = exportCheckpoint(Checkpoint.read(synthetic.bytes), { imgsz: 64 });
    expect(exported.output0Shape).toEqual([1, 4 + 80 + 32, 84]);
    expect(exported.metadata.names.startsWith("{0: 'class0', 1: 'class1'")).toBe(true);
  });

  test('a yaml with scales but no scale key takes the scale its weights were built with', () => {
    // parse_model would assume 'n' (the first); the pickled s-sized modules are what the model is.
    const synthetic = syntheticCheckpoint({ scale: 's', zeros: true, yamlStyle: 'scales-unnamed' });
    expect(exportCheckpoint(Checkpoint.read(synthetic.bytes), { imgsz: 64 }).output0Shape).toEqual([1, 37, 84]);
  });
});
