import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { buildOnnxModel } from '../../lib/onnx/builder';
import { ONNX_ELEM_TYPE, readOnnxModelInfo } from '../../lib/onnx/model-info';
import { ProtoWriter } from '../../lib/onnx/protobuf';

const FASTSAM_PATH = path.resolve(__dirname, '../../../shared/models/FastSAM-s-random-640.onnx');
const YOLO_INT8_PATH = path.resolve(__dirname, '../../../shared/data/onnx/yolov8n-seg_int8_320.onnx');

// Shared models live outside the repo; skip (loudly) where a checkout lacks them.
function describeIfFile(file: string): jest.Describe {
  if (fs.existsSync(file)) return describe;
  console.warn(`skipping tests that need ${file}: file not present`);
  return describe.skip;
}

// The graph shape both tests below share: one input, one output, one Relu.
function reluModel(extra: Partial<Parameters<typeof buildOnnxModel>[0]> = {}): Uint8Array {
  return buildOnnxModel({
    nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }],
    inputs: [{ name: 'x', dims: ['batch', 3, 8, 8] }],
    outputs: [{ name: 'y', dims: ['batch', 3, 8, 8] }],
    ...extra,
  });
}

// Graph inputs/outputs as ONNX Runtime sees them, to cross-check our reader.
async function ortShapes(bytes: Uint8Array): Promise<Record<string, ReadonlyArray<number | string>>> {
  const session = await ort.InferenceSession.create(Buffer.from(bytes));
  try {
    const shapes: Record<string, ReadonlyArray<number | string>> = {};
    for (const meta of [...session.inputMetadata, ...session.outputMetadata]) {
      if (meta.isTensor) shapes[meta.name] = meta.shape;
    }
    return shapes;
  } finally {
    await session.release();
  }
}

describe('readOnnxModelInfo on built models', () => {
  it('reads versions, producer, opset, metadata and value infos', () => {
    const info = readOnnxModelInfo(
      reluModel({
        irVersion: 7,
        producerName: 'unit-test',
        producerVersion: '1.2.3',
        opsetImports: [
          { domain: 'com.microsoft', version: 1 },
          { domain: '', version: 13 },
        ],
        metadata: { task: 'segment', names: "{0: 'object'}", empty: '' },
      }),
    );
    expect(info).toEqual({
      irVersion: 7,
      producerName: 'unit-test',
      producerVersion: '1.2.3',
      opsetVersion: 13,
      metadata: { task: 'segment', names: "{0: 'object'}", empty: '' },
      inputs: [{ name: 'x', elemType: ONNX_ELEM_TYPE.FLOAT, dims: ['batch', 3, 8, 8] }],
      outputs: [{ name: 'y', elemType: ONNX_ELEM_TYPE.FLOAT, dims: ['batch', 3, 8, 8] }],
    });
  });

  it("accepts 'ai.onnx' as the default domain", () => {
    const info = readOnnxModelInfo(reluModel({ opsetImports: [{ domain: 'ai.onnx', version: 11 }] }));
    expect(info.opsetVersion).toBe(11);
  });

  it('reports opset 0 when the default domain is not imported', () => {
    const info = readOnnxModelInfo(reluModel({ opsetImports: [{ domain: 'custom', version: 3 }] }));
    expect(info.opsetVersion).toBe(0);
  });

  it('excludes graph inputs that are initializers (old IR style)', async () => {
    const bytes = buildOnnxModel({
      irVersion: 3,
      opsetImports: [{ version: 9 }],
      nodes: [{ opType: 'Add', inputs: ['x', 'bias'], outputs: ['y'] }],
      initializers: [{ name: 'bias', dataType: 'float32', dims: [2], data: [1, 2] }],
      inputs: [
        { name: 'x', dims: [2] },
        { name: 'bias', dims: [2] },
      ],
      outputs: [{ name: 'y', dims: [2] }],
    });
    const info = readOnnxModelInfo(bytes);
    expect(info.inputs.map((i) => i.name)).toEqual(['x']);
    // ONNX Runtime agrees that only x must be fed.
    const session = await ort.InferenceSession.create(Buffer.from(bytes));
    expect(session.inputNames).toEqual(['x']);
    await session.release();
  });

  it('reads elem types other than float and agrees with ONNX Runtime on shapes', async () => {
    const bytes = buildOnnxModel({
      nodes: [{ opType: 'Identity', inputs: ['ids'], outputs: ['out'] }],
      inputs: [{ name: 'ids', elemType: ONNX_ELEM_TYPE.INT64, dims: ['n', 4] }],
      outputs: [{ name: 'out', elemType: ONNX_ELEM_TYPE.INT64, dims: ['n', 4] }],
    });
    const info = readOnnxModelInfo(bytes);
    expect(info.inputs[0]).toEqual({ name: 'ids', elemType: ONNX_ELEM_TYPE.INT64, dims: ['n', 4] });
    expect(await ortShapes(bytes)).toEqual({ ids: ['n', 4], out: ['n', 4] });
  });
});

describe('readOnnxModelInfo on hand-written protobuf', () => {
  // A dimension with neither dim_value nor dim_param, an unknown field in
  // every message, and a non-tensor type: things our builder never writes.
  function handWrittenModel(): Uint8Array {
    const w = new ProtoWriter();
    w.writeVarintField(1, 9);
    w.writeDoubleField(30, 1); // unknown fixed64 field
    w.writeMessageField(7, (graph) => {
      graph.writeMessageField(1, (node) => node.writeStringField(4, 'Relu'));
      graph.writeMessageField(11, (input) => {
        input.writeStringField(1, 'x');
        input.writeFloatField(9, 1); // unknown fixed32 field
        input.writeMessageField(2, (type) =>
          type.writeMessageField(1, (tensor) => {
            tensor.writeVarintField(1, ONNX_ELEM_TYPE.UINT8);
            tensor.writeMessageField(2, (shape) => {
              shape.writeMessageField(1, (dim) => dim.writeVarintField(1, 2));
              shape.writeMessageField(1, (dim) => dim.writeStringField(3, 'denotation only'));
              shape.writeMessageField(1, (dim) => dim.writeStringField(2, 'w'));
            });
          }),
        );
      });
      graph.writeMessageField(12, (output) => {
        output.writeStringField(1, 'seq');
        output.writeMessageField(2, (type) => type.writeMessageField(4, (sequence) => sequence.writeVarintField(1, 1)));
      });
      graph.writeMessageField(12, (output) => output.writeStringField(1, 'untyped'));
    });
    w.writeMessageField(8, (opset) => opset.writeVarintField(2, 18)); // domain omitted = default
    w.writeMessageField(14, (entry) => entry.writeStringField(1, 'k').writeStringField(2, 'v1'));
    w.writeMessageField(14, (entry) => entry.writeStringField(1, 'k').writeStringField(2, 'v2'));
    return w.finish();
  }

  it("reads '?' dims, non-tensor types and skips unknown fields", () => {
    expect(readOnnxModelInfo(handWrittenModel())).toEqual({
      irVersion: 9,
      producerName: '',
      producerVersion: '',
      opsetVersion: 18,
      metadata: { k: 'v2' },
      inputs: [{ name: 'x', elemType: ONNX_ELEM_TYPE.UINT8, dims: [2, '?', 'w'] }],
      outputs: [
        { name: 'seq', elemType: 0, dims: [] },
        { name: 'untyped', elemType: 0, dims: [] },
      ],
    });
  });

  it('excludes inputs named by sparse initializers', () => {
    const w = new ProtoWriter();
    w.writeVarintField(1, 8);
    w.writeMessageField(7, (graph) => {
      graph.writeMessageField(15, (sparse) => sparse.writeMessageField(1, (values) => values.writeStringField(8, 's')));
      graph.writeMessageField(11, (input) => input.writeStringField(1, 's'));
      graph.writeMessageField(11, (input) => input.writeStringField(1, 'x'));
    });
    expect(readOnnxModelInfo(w.finish()).inputs.map((i) => i.name)).toEqual(['x']);
  });
});

describe('readOnnxModelInfo on bytes that are not a model', () => {
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  const cases: Array<[string, Uint8Array]> = [
    ['empty bytes', new Uint8Array(0)],
    ['a PNG header', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])],
    ['a JPEG header', new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46])],
    ['JSON text', text('{"model": "FastSAM-s", "version": 1}')],
    ['a PyTorch zip header', text('PK\u0003\u0004\u0000\u0000\u0008\u0000')],
    ['a message without a graph', new ProtoWriter().writeVarintField(1, 8).writeStringField(2, 'x').finish()],
    ['a message without ir_version', new ProtoWriter().writeMessageField(7, () => undefined).finish()],
    ['a graph field with the wrong wire type', new ProtoWriter().writeVarintField(1, 8).writeVarintField(7, 1).finish()],
    ['an ir_version with the wrong wire type', new ProtoWriter().writeStringField(1, '8').finish()],
  ];

  it.each(cases)('throws a clear Error for %s', (_name, bytes) => {
    expect(() => readOnnxModelInfo(bytes)).toThrow(/Not a valid ONNX model/);
  });

  it('throws for every truncation of a valid model and never hangs', () => {
    const bytes = reluModel({ metadata: { task: 'segment' } });
    let thrown = 0;
    for (let end = 0; end < bytes.length; end++) {
      try {
        readOnnxModelInfo(bytes.subarray(0, end));
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        thrown++;
      }
    }
    // A cut right after a complete top-level field can still parse; most cuts must not.
    expect(thrown).toBeGreaterThan(bytes.length * 0.9);
  });

  it('wraps the reason in a plain Error', () => {
    const attempt = (): unknown => readOnnxModelInfo(new Uint8Array([0x08, 0x80]));
    expect(attempt).toThrow(/truncated/);
    try {
      attempt();
    } catch (err) {
      expect(Object.getPrototypeOf(err)).toBe(Error.prototype);
    }
  });
});

describeIfFile(FASTSAM_PATH)('shared model FastSAM-s-random-640.onnx', () => {
  const bytes = fs.existsSync(FASTSAM_PATH) ? fs.readFileSync(FASTSAM_PATH) : Buffer.alloc(0);

  it('reads the YOLOv8-seg contract (weights are skipped, not read)', () => {
    const info = readOnnxModelInfo(bytes);
    expect(info.inputs).toEqual([{ name: 'images', elemType: ONNX_ELEM_TYPE.FLOAT, dims: [1, 3, 640, 640] }]);
    expect(info.outputs).toEqual([
      { name: 'output0', elemType: ONNX_ELEM_TYPE.FLOAT, dims: [1, 37, 8400] },
      { name: 'output1', elemType: ONNX_ELEM_TYPE.FLOAT, dims: [1, 32, 160, 160] },
    ]);
    expect(info.metadata).toMatchObject({ task: 'segment', stride: '32', imgsz: '[640, 640]', names: "{0: 'object'}" });
    expect(info.irVersion).toBeGreaterThanOrEqual(3);
    expect(info.opsetVersion).toBeGreaterThanOrEqual(11);
  });

  it('agrees with ONNX Runtime on names and shapes', async () => {
    expect(await ortShapes(bytes)).toEqual({
      images: [1, 3, 640, 640],
      output0: [1, 37, 8400],
      output1: [1, 32, 160, 160],
    });
  });
});

describeIfFile(YOLO_INT8_PATH)('shared model yolov8n-seg_int8_320.onnx', () => {
  const bytes = fs.existsSync(YOLO_INT8_PATH) ? fs.readFileSync(YOLO_INT8_PATH) : Buffer.alloc(0);

  it('reads 80 class names and a 320 input', () => {
    const info = readOnnxModelInfo(bytes);
    expect(info.inputs).toEqual([{ name: 'images', elemType: ONNX_ELEM_TYPE.FLOAT, dims: [1, 3, 320, 320] }]);
    expect(info.outputs.map((o) => o.dims)).toEqual([
      [1, 116, 2100],
      [1, 32, 80, 80],
    ]);
    expect(info.metadata.task).toBe('segment');
    expect(info.metadata.imgsz).toBe('[320, 320]');
    const classIds = [...(info.metadata.names ?? '').matchAll(/(\d+): '/g)].map((m) => Number(m[1]));
    expect(classIds).toEqual(Array.from({ length: 80 }, (_, i) => i));
  });

  it('agrees with ONNX Runtime on names and shapes', async () => {
    const info = readOnnxModelInfo(bytes);
    const expected = Object.fromEntries([...info.inputs, ...info.outputs].map((v) => [v.name, v.dims]));
    expect(await ortShapes(bytes)).toEqual(expected);
  });
});
