import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { buildOnnxModel } from '../../lib/onnx/builder';
import { ONNX_ELEM_TYPE, readOnnxModelInfo } from '../../lib/onnx/model-info';
import {
  MASK_COEFS,
  TinyBox,
  TinySegmentOptions,
  anchorCount,
  classifierModel,
  classifierParams,
  tinySegmentModel,
  writeFixture,
} from '../../scripts/fixtures/tiny-models';

// (Output typed arrays come from the host realm: test/jest-environment.js makes that work.)

type Feeds = Record<string, ort.Tensor>;
type Outputs = (name: string) => ort.Tensor;

// Runs a model once; the result looks outputs up by name and fails loudly on a missing one.
async function runModel(bytes: Uint8Array, feeds: Feeds): Promise<Outputs> {
  const session = await ort.InferenceSession.create(Buffer.from(bytes));
  try {
    const results = await session.run(feeds);
    return (name) => {
      const tensor = results[name];
      if (tensor === undefined) throw new Error(`no output ${name}`);
      return tensor;
    };
  } finally {
    await session.release();
  }
}

function floats(tensor: ort.Tensor): number[] {
  return Array.from(tensor.data as Float32Array);
}

function imageTensor(size: number, fill: (i: number) => number, batch = 1): ort.Tensor {
  const data = new Float32Array(batch * 3 * size * size).map((_, i) => fill(i));
  return new ort.Tensor('float32', data, [batch, 3, size, size]);
}

// Column j of a row-major [1, rows, anchors] tensor.
function column(tensor: ort.Tensor, j: number): number[] {
  const [, rows = 0, anchors = 0] = tensor.dims;
  const data = tensor.data as Float32Array;
  return Array.from({ length: rows }, (_, row) => data[row * anchors + j] ?? NaN);
}

const f32 = (values: number[]): number[] => values.map(Math.fround);

describe('buildOnnxModel', () => {
  it('writes the documented defaults', () => {
    const info = readOnnxModelInfo(
      buildOnnxModel({
        nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }],
        inputs: [{ name: 'x', dims: [1] }],
        outputs: [{ name: 'y', dims: [1] }],
      }),
    );
    expect(info).toMatchObject({ irVersion: 8, producerName: 'fastsam-node', opsetVersion: 17, metadata: {} });
  });

  it('writes every attribute type so that ONNX Runtime evaluates them', async () => {
    const bytes = buildOnnxModel({
      nodes: [
        { opType: 'Identity', inputs: ['x'], outputs: ['x_out'], name: 'keep_input' },
        { opType: 'Constant', inputs: [], outputs: ['f'], attributes: { value_float: { type: 'float', value: 2.5 } } },
        {
          opType: 'Constant',
          inputs: [],
          outputs: ['fs'],
          attributes: { value_floats: { type: 'floats', value: [1, -2, 0.1] } },
        },
        { opType: 'Constant', inputs: [], outputs: ['i'], attributes: { value_int: { type: 'int', value: -7 } } },
        {
          opType: 'Constant',
          inputs: [],
          outputs: ['is'],
          attributes: { value_ints: { type: 'ints', value: [-1, 5, 2 ** 40, 3n] } },
        },
        { opType: 'Constant', inputs: [], outputs: ['s'], attributes: { value_string: { type: 'string', value: 'héllo' } } },
        {
          opType: 'Constant',
          inputs: [],
          outputs: ['t'],
          attributes: { value: { type: 'tensor', value: { dataType: 'float32', dims: [2, 2], data: [1, 2, 3, 4] } } },
        },
        {
          opType: 'Constant',
          inputs: [],
          outputs: ['ti'],
          attributes: { value: { type: 'tensor', value: { dataType: 'int64', dims: [3], data: [-3n, 0, 9] } } },
        },
      ],
      inputs: [{ name: 'x', dims: [1] }],
      outputs: [
        { name: 'x_out', dims: [1] },
        { name: 'f', dims: [] },
        { name: 'fs', dims: [3] },
        { name: 'i', elemType: ONNX_ELEM_TYPE.INT64, dims: [] },
        { name: 'is', elemType: ONNX_ELEM_TYPE.INT64, dims: [4] },
        { name: 's', elemType: ONNX_ELEM_TYPE.STRING, dims: [] },
        { name: 't', dims: [2, 2] },
        { name: 'ti', elemType: ONNX_ELEM_TYPE.INT64, dims: [3] },
      ],
    });
    const out = await runModel(bytes, { x: new ort.Tensor('float32', new Float32Array([4]), [1]) });
    expect(floats(out('x_out'))).toEqual([4]);
    expect(floats(out('f'))).toEqual([2.5]);
    expect(out('f').dims).toEqual([]);
    expect(floats(out('fs'))).toEqual(f32([1, -2, 0.1]));
    expect(Array.from(out('i').data as BigInt64Array)).toEqual([-7n]);
    expect(Array.from(out('is').data as BigInt64Array)).toEqual([-1n, 5n, 2n ** 40n, 3n]);
    expect(out('s').data).toEqual(['héllo']);
    expect(out('t').dims).toEqual([2, 2]);
    expect(floats(out('t'))).toEqual([1, 2, 3, 4]);
    expect(Array.from(out('ti').data as BigInt64Array)).toEqual([-3n, 0n, 9n]);
  });

  it('writes float32 and int64 initializers that ONNX Runtime computes with', async () => {
    // y = Transpose(Reshape(2 * x @ W^T + 0.5 * b, [3, 1]), perm [1, 0])
    const bytes = buildOnnxModel({
      producerName: 'builder-test',
      producerVersion: '0.0.1',
      nodes: [
        {
          opType: 'Gemm',
          inputs: ['x', 'W', 'b'],
          outputs: ['g'],
          attributes: {
            alpha: { type: 'float', value: 2 },
            beta: { type: 'float', value: 0.5 },
            transB: { type: 'int', value: 1 },
          },
        },
        { opType: 'Reshape', inputs: ['g', 'shape'], outputs: ['r'] },
        { opType: 'Transpose', inputs: ['r'], outputs: ['y'], attributes: { perm: { type: 'ints', value: [1, 0] } } },
      ],
      initializers: [
        { name: 'W', dataType: 'float32', dims: [3, 2], data: new Float32Array([1, 0, 0, 1, 1, 1]) },
        { name: 'b', dataType: 'float32', dims: [3], data: [10, 20, 30] },
        { name: 'shape', dataType: 'int64', dims: [2], data: [3n, 1n] },
      ],
      inputs: [{ name: 'x', dims: [1, 2] }],
      outputs: [{ name: 'y', dims: [1, 3] }],
    });
    const out = await runModel(bytes, { x: new ort.Tensor('float32', new Float32Array([3, 4]), [1, 2]) });
    expect(out('y').dims).toEqual([1, 3]);
    expect(floats(out('y'))).toEqual([2 * 3 + 5, 2 * 4 + 10, 2 * 7 + 15]);
    expect(readOnnxModelInfo(bytes)).toMatchObject({ producerName: 'builder-test', producerVersion: '0.0.1' });
  });

  it('refuses tensors whose data does not match their dims', () => {
    const build = (): Uint8Array =>
      buildOnnxModel({
        nodes: [],
        initializers: [{ name: 'w', dataType: 'float32', dims: [2, 3], data: [1, 2, 3] }],
        inputs: [],
        outputs: [],
      });
    expect(build).toThrow(/w: dims \[2, 3\] need 6 values, got 3/);
  });
});

describe('classifierModel', () => {
  it('maps images [1,3,64,64] to logits [1,10] with the seeded weights', async () => {
    const bytes = classifierModel();
    const info = readOnnxModelInfo(bytes);
    expect(info.inputs).toEqual([{ name: 'images', elemType: ONNX_ELEM_TYPE.FLOAT, dims: [1, 3, 64, 64] }]);
    expect(info.outputs).toEqual([{ name: 'logits', elemType: ONNX_ELEM_TYPE.FLOAT, dims: [1, 10] }]);

    const plane = 64 * 64;
    const images = imageTensor(64, (i) => Math.floor(i / plane) + 1); // channel c holds c + 1
    const out = await runModel(bytes, { images });
    const { weight, bias } = classifierParams();
    // Channel means are 1, 2, 3, so logit k = bias[k] + sum over c of weight[k][c] * (c + 1).
    const expected = Array.from(bias, (b, k) => Array.from(weight.subarray(k * 3, k * 3 + 3)).reduce((sum, w, c) => sum + w * (c + 1), b));
    expect(out('logits').dims).toEqual([1, 10]);
    floats(out('logits')).forEach((v, k) => expect(v).toBeCloseTo(expected[k] ?? NaN, 5));
  });

  it('is deterministic per seed', () => {
    expect(classifierModel(3)).toEqual(classifierModel(3));
    expect(classifierModel(3)).not.toEqual(classifierModel(4));
  });
});

describe('tinySegmentModel', () => {
  const size = 64;
  const maskSize = size / 4;
  const protos = new Float32Array(MASK_COEFS * maskSize * maskSize).map((_, i) => Math.sin(i) * 3);
  const coef = (offset: number): number[] => Array.from({ length: MASK_COEFS }, (_, i) => (i - offset) / 8);
  const first: TinyBox = { cx: 20, cy: 24, w: 16, h: 12, score: 0.9, coef: coef(0) };
  const boxes: TinyBox[] = [first, { cx: 40.5, cy: 8.25, w: 5, h: 30, score: 0.3, coef: coef(16) }];

  it('has the YOLOv8-seg shapes and Ultralytics metadata', async () => {
    const bytes = tinySegmentModel({ size, boxes, protos });
    const info = readOnnxModelInfo(bytes);
    expect(info.inputs).toEqual([{ name: 'images', elemType: ONNX_ELEM_TYPE.FLOAT, dims: [1, 3, 64, 64] }]);
    expect(info.outputs.map((o) => [o.name, o.dims])).toEqual([
      ['output0', [1, 37, 84]],
      ['output1', [1, 32, 16, 16]],
    ]);
    expect(info.metadata).toEqual({
      description: expect.any(String),
      author: 'fastsam-node fixtures',
      stride: '32',
      task: 'segment',
      batch: '1',
      imgsz: '[64, 64]',
      names: "{0: 'object'}",
    });
  });

  it('outputs the given boxes in the first columns, zeros elsewhere, and the protos', async () => {
    const out = await runModel(tinySegmentModel({ size, boxes, protos }), { images: imageTensor(size, () => 0.5) });
    expect(out('output0').dims).toEqual([1, 4 + 1 + MASK_COEFS, anchorCount(size)]);
    expect(anchorCount(size)).toBe(64 + 16 + 4);
    boxes.forEach((box, j) => {
      expect(column(out('output0'), j)).toEqual(f32([box.cx, box.cy, box.w, box.h, box.score, ...box.coef]));
    });
    for (let j = boxes.length; j < anchorCount(size); j++) {
      expect(column(out('output0'), j).every((v) => v === 0)).toBe(true);
    }
    expect(out('output1').dims).toEqual([1, MASK_COEFS, maskSize, maskSize]);
    expect(out('output1').data).toEqual(protos);
  });

  it('really consumes the input (NaN in, NaN out)', async () => {
    const out = await runModel(tinySegmentModel({ size, boxes, protos }), { images: imageTensor(size, () => NaN) });
    expect(floats(out('output0')).every(Number.isNaN)).toBe(true);
    expect(floats(out('output1')).every(Number.isNaN)).toBe(true);
  });

  it('places scores at the class row and writes names for several classes', async () => {
    const nc = 3;
    const bytes = tinySegmentModel({
      size: 32,
      nc,
      names: { 0: 'cat', 1: "it's", 2: 'dog' },
      boxes: [{ cx: 1, cy: 2, w: 3, h: 4, score: 0.75, cls: 2, coef: coef(1) }],
      protos: new Float32Array(MASK_COEFS * 8 * 8),
      metadata: { author: 'someone else', extra: 'yes' },
    });
    const info = readOnnxModelInfo(bytes);
    expect(info.metadata).toMatchObject({
      names: `{0: 'cat', 1: "it's", 2: 'dog'}`,
      imgsz: '[32, 32]',
      author: 'someone else',
      extra: 'yes',
      task: 'segment',
    });
    const out = await runModel(bytes, { images: imageTensor(32, () => 1) });
    expect(out('output0').dims).toEqual([1, 4 + nc + MASK_COEFS, 16 + 4 + 1]);
    expect(column(out('output0'), 0)).toEqual(f32([1, 2, 3, 4, 0, 0, 0.75, ...coef(1)]));
  });

  it('declares symbolic dims when dynamic and still runs', async () => {
    const bytes = tinySegmentModel({ size, boxes, protos, dynamic: true });
    const info = readOnnxModelInfo(bytes);
    expect(info.inputs.map((i) => i.dims)).toEqual([['batch', 3, 'height', 'width']]);
    expect(info.outputs.map((o) => o.dims)).toEqual([
      ['batch', 37, 'anchors'],
      ['batch', 32, 'mask_height', 'mask_width'],
    ]);
    // Outputs follow the input's batch size and stay at the fixture's spatial size whatever the input's.
    const out = await runModel(bytes, { images: imageTensor(96, () => 0.25, 2) });
    expect(out('output0').dims).toEqual([2, 37, anchorCount(size)]);
    expect(out('output1').dims).toEqual([2, 32, size / 4, size / 4]);
    expect(column(out('output0'), 0)).toEqual(f32([20, 24, 16, 12, 0.9, ...coef(0)]));
  });

  it.each<[string, Partial<TinySegmentOptions>, RegExp]>([
    ['a size that is not a multiple of 32', { size: 48 }, /multiple of 32/],
    ['a box with 31 coefficients', { boxes: [{ ...first, coef: coef(0).slice(1) }] }, /31 coefficients/],
    ['a class outside nc', { boxes: [{ ...first, cls: 1 }] }, /class 1 not in \[0, 1\)/],
    ['protos of the wrong length', { protos: new Float32Array(10) }, /protos has 10 values/],
    ['more boxes than anchors', { size: 32, boxes: new Array<TinyBox>(22).fill(first) }, /do not fit 21 anchors/],
  ])('refuses %s', (_name, override, message) => {
    expect(() => tinySegmentModel({ size, boxes, protos, ...override })).toThrow(message);
  });
});

describe('writeFixture', () => {
  it('creates directories and writes bytes ONNX Runtime can load from disk', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-fixture-'));
    try {
      const file = path.join(dir, 'nested', 'classifier.onnx');
      writeFixture(file, classifierModel());
      expect(new Uint8Array(fs.readFileSync(file))).toEqual(classifierModel());
      const session = await ort.InferenceSession.create(file);
      expect(session.outputNames).toEqual(['logits']);
      await session.release();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
