/**
 * Export options and checkpoint variants on a small synthetic YOLOv8n-seg: static vs dynamic, batch,
 * every supported opset, size rounding and defaults, metadata, and the older checkpoint layouts
 * Ultralytics has written (flat module paths, depth/width multiples, namespace args, EMA, numpy scalars).
 */
import * as ort from 'onnxruntime-node';
import { Checkpoint } from '../../lib/checkpoint';
import { exportCheckpoint, type ExportOptions, joinParts, MAX_OPSET, MIN_OPSET } from '../../lib/export';
import { readOnnxModelInfo } from '../../lib/onnx/model-info';
import { py } from '../../scripts/fixtures/checkpoint-writer';
import { type SyntheticOptions, syntheticCheckpoint } from '../../scripts/fixtures/checkpoint-yolov8seg';
import { difference } from './compare';
import { readGraph } from './onnx-graph';

const base = syntheticCheckpoint({ scale: 'n', seed: 7 });

const cache = new Map<string, Uint8Array>();

// Exports of the base checkpoint are memoised: several tests compare against the same ones.
function exportBytes(options: ExportOptions, checkpoint: Uint8Array = base.bytes): Uint8Array {
  const key = checkpoint === base.bytes ? JSON.stringify(options) : undefined;
  const hit = key === undefined ? undefined : cache.get(key);
  if (hit) return hit;
  const bytes = joinParts(exportCheckpoint(Checkpoint.read(checkpoint), options).parts);
  if (key !== undefined) cache.set(key, bytes);
  return bytes;
}

function image(h: number, w: number, batch = 1, seed = 0): Float32Array {
  return new Float32Array(batch * 3 * h * w).map((_, i) => (((i + seed) * 2654435761) % 997) / 997);
}

async function run(onnx: Uint8Array, input: Float32Array, dims: number[]): Promise<{ output0: Float32Array; output1: Float32Array }> {
  const session = await ort.InferenceSession.create(Buffer.from(onnx));
  try {
    const out = await session.run({ images: new ort.Tensor('float32', input, dims) });
    return { output0: out.output0.data as Float32Array, output1: out.output1.data as Float32Array };
  } finally {
    await session.release();
  }
}

function expectEqualOutputs(
  a: { output0: Float32Array; output1: Float32Array },
  b: { output0: Float32Array; output1: Float32Array },
): void {
  expect(difference(a.output0, b.output0).maxRel).toBeLessThanOrEqual(1e-6);
  expect(difference(a.output1, b.output1).maxRel).toBeLessThanOrEqual(1e-6);
}

describe('export options', () => {
  test('static and dynamic exports agree at a rectangular size (anchors baked in vs computed)', async () => {
    const input = image(96, 160);
    const fixed = await run(exportBytes({ imgsz: [96, 160] }), input, [1, 3, 96, 160]);
    const dynamic = await run(exportBytes({ dynamic: true }), input, [1, 3, 96, 160]);
    expect(fixed.output0.length).toBe(37 * (12 * 20 + 6 * 10 + 3 * 5));
    expectEqualOutputs(fixed, dynamic);
  });

  test('a batch-2 export gives each image what a batch-1 export gives it', async () => {
    const [a, b] = [image(64, 64, 1, 1), image(64, 64, 1, 2)];
    const pair = new Float32Array(a.length * 2);
    pair.set(a);
    pair.set(b, a.length);
    const batched = await run(exportBytes({ imgsz: 64, batch: 2 }), pair, [2, 3, 64, 64]);
    const single = exportBytes({ imgsz: 64 });
    const [ra, rb] = [await run(single, a, [1, 3, 64, 64]), await run(single, b, [1, 3, 64, 64])];
    const half0 = batched.output0.length / 2;
    const half1 = batched.output1.length / 2;
    expectEqualOutputs({ output0: batched.output0.subarray(0, half0), output1: batched.output1.subarray(0, half1) }, ra);
    expectEqualOutputs({ output0: batched.output0.subarray(half0), output1: batched.output1.subarray(half1) }, rb);
    expect(readOnnxModelInfo(exportBytes({ imgsz: 64, batch: 2 })).metadata.batch).toBe('2');
  });

  // 11/12: Split by attribute, Resize with a roi, DFL by MatMul; 13: the torch-exporter form; 18/19/21:
  // the last opset of IR 8, 9 and 10.
  const OPSETS = [MIN_OPSET, 12, 13, 18, 19, MAX_OPSET];
  test(`opsets ${OPSETS.join(', ')} load in ONNX Runtime and compute the same`, async () => {
    const input = image(64, 64);
    const reference = await run(exportBytes({ imgsz: 64 }), input, [1, 3, 64, 64]);
    for (const opset of OPSETS) {
      const onnx = exportBytes({ imgsz: 64, opset });
      expect(readOnnxModelInfo(onnx).opsetVersion).toBe(opset);
      expectEqualOutputs(await run(onnx, input, [1, 3, 64, 64]), reference);
    }
  });

  test('sizes round up to the stride; the default is the checkpoint training imgsz', () => {
    expect(readOnnxModelInfo(exportBytes({ imgsz: 70 })).inputs[0].dims).toEqual([1, 3, 96, 96]);
    expect(readOnnxModelInfo(exportBytes({ imgsz: [70, 100] })).inputs[0].dims).toEqual([1, 3, 96, 128]);
    const trained320 = syntheticCheckpoint({ scale: 'n', zeros: true, trainImgsz: 320 }).bytes;
    const info = readOnnxModelInfo(exportBytes({}, trained320));
    expect(info.inputs[0].dims).toEqual([1, 3, 320, 320]);
    expect(info.metadata.imgsz).toBe('[320, 320]');
  });

  test('metadata names the training data when the checkpoint records it', () => {
    const trained = syntheticCheckpoint({ scale: 'n', zeros: true, data: '/datasets/coco8-seg.yaml' }).bytes;
    expect(readOnnxModelInfo(exportBytes({ imgsz: 64 }, trained)).metadata.description).toBe(
      'Ultralytics YOLOv8n-seg model trained on coco8-seg.yaml',
    );
  });
});

describe('older checkpoint layouts export to the same model', () => {
  const weightsOf = (onnx: Uint8Array): Map<string, Float32Array> =>
    new Map([...readGraph(onnx).floats].filter(([name]) => name.startsWith('model.')).map(([name, t]) => [name, t.data]));
  let expected: Map<string, Float32Array>;
  beforeAll(() => {
    expected = weightsOf(exportBytes({ imgsz: 64 }));
  });

  test.each<[string, Partial<SyntheticOptions>]>([
    ['flat ultralytics.nn.modules paths (early 8.0)', { layout: 'flat' }],
    ['depth_multiple / width_multiple yaml', { yamlStyle: 'multiples' }],
    [
      'IterableSimpleNamespace args, EMA weights, numpy metrics, a pickled loss object',
      {
        namespaceArgs: true,
        criterion: true,
        ema: true,
        extra: [
          [
            'best_fitness',
            py.reduce(py.global('numpy.core.multiarray', 'scalar'), [
              py.reduce(py.global('numpy', 'dtype'), ['f8', false, true]),
              Buffer.alloc(8),
            ]),
          ],
        ],
      },
    ],
  ])('%s', (_, variant) => {
    const actual = weightsOf(exportBytes({ imgsz: 64 }, syntheticCheckpoint({ scale: 'n', seed: 7, ...variant }).bytes));
    expect([...actual.keys()]).toEqual([...expected.keys()]);
    for (const [name, data] of expected) expect(Buffer.from(actual.get(name)!.buffer).equals(Buffer.from(data.buffer))).toBe(true);
  });
});
