/**
 * Bad input never crashes or hangs the process: each case rejects with a FastSAMError and a stable code,
 * and a loop of failing calls leaves memory flat.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { FastSAMError } from '../../lib/errors';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { postprocess } from '../../lib/pipeline/postprocess';
import { classifierModel, MASK_COEFS, tinySegmentModel } from '../../scripts/fixtures/tiny-models';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-bad-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function expectCode(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FastSAMError);
  expect((error as FastSAMError).code).toBe(code);
  if (message) expect((error as FastSAMError).message).toMatch(message);
}

/** A valid PNG whose header claims width x height (the pixel data is for 1 x 1). */
function pngClaiming(width: number, height: number, onePixel: Buffer): Buffer {
  const png = Buffer.from(onePixel);
  png.writeUInt32BE(width, 16); // IHDR data starts at byte 16
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(zlib.crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}

let model: FastSAM;
let jpeg: Buffer;

beforeAll(async () => {
  const protos = new Float32Array(MASK_COEFS * 16 * 16).fill(1);
  model = await FastSAM.load(
    tinySegmentModel({ size: 64, boxes: [{ cx: 32, cy: 32, w: 20, h: 20, score: 0.9, coef: new Array(32).fill(0.1) }], protos }),
  );
  jpeg = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 30, b: 60 } } })
    .jpeg()
    .toBuffer();
});
afterAll(() => model.dispose());

describe('images', () => {
  test('a missing file', () => expectCode(model.predict(path.join(tmp, 'nope.jpg')), 'E_FILE_NOT_FOUND', /nope\.jpg/));

  test('a directory', () => expectCode(model.predict(tmp), 'E_FILE_NOT_FOUND'));

  test('a truncated JPEG', async () => {
    const file = path.join(tmp, 'truncated.jpg');
    fs.writeFileSync(file, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    await expectCode(model.predict(file), 'E_IMAGE_DECODE', /truncated\.jpg/);
  });

  test('a text file posing as an image', async () => {
    const file = path.join(tmp, 'notes.png');
    fs.writeFileSync(file, 'this is not an image\n');
    await expectCode(model.predict(file), 'E_IMAGE_DECODE');
  });

  test('an empty buffer', () => expectCode(model.predict(Buffer.alloc(0)), 'E_IMAGE_DECODE', /empty/));

  test('zero-size and inconsistent raw pixels', async () => {
    await expectCode(model.predict({ data: new Uint8Array(0), width: 0, height: 0, channels: 3 }), 'E_BAD_SOURCE');
    await expectCode(model.predict({ data: new Uint8Array(10), width: 2, height: 2, channels: 3 }), 'E_BAD_SOURCE');
    await expectCode(model.predict({ data: new Uint8Array(8), width: 2, height: 2, channels: 2 as unknown as 3 }), 'E_BAD_SOURCE');
  });

  test('a source of the wrong type', async () => {
    await expectCode(model.predict(42 as unknown as string), 'E_BAD_SOURCE');
    await expectCode(model.predict(null as unknown as string), 'E_BAD_SOURCE');
  });

  test('a decompression bomb is refused from its header, before decoding', async () => {
    const onePixel = await sharp({ create: { width: 1, height: 1, channels: 3, background: 'white' } })
      .png()
      .toBuffer();
    const bomb = pngClaiming(100_000, 100_000, onePixel);
    await expectCode(model.predict(bomb), 'E_IMAGE_TOO_LARGE', /100000x100000/);
    await expectCode(model.predict(jpeg, { maxPixels: 1000 }), 'E_IMAGE_TOO_LARGE');
  });

  test('grayscale, alpha and 16-bit images are accepted', async () => {
    const gray = await sharp(jpeg).grayscale().png().toBuffer();
    const rgba = await sharp(jpeg).ensureAlpha().png().toBuffer();
    const deep = await sharp(jpeg).toColourspace('rgb16').png().toBuffer();
    const results = await model.predict([gray, rgba, deep, { data: new Uint8Array(64 * 48), width: 64, height: 48, channels: 1 }]);
    expect(results.map((r) => r.origShape)).toEqual([
      [200, 300],
      [200, 300],
      [200, 300],
      [48, 64],
    ]);
  });

  test('EXIF orientation is applied', async () => {
    const rotated = await sharp(jpeg).withMetadata({ orientation: 6 }).jpeg().toBuffer(); // 90° clockwise
    const [result] = await model.predict(rotated);
    expect(result.origShape).toEqual([300, 200]);
  });
});

describe('models', () => {
  test('a missing model file', () => expectCode(FastSAM.load(path.join(tmp, 'missing.onnx')), 'E_FILE_NOT_FOUND'));

  test('a classifier ONNX says what was expected and what was found', async () => {
    const file = path.join(tmp, 'classifier.onnx');
    fs.writeFileSync(file, classifierModel());
    await expectCode(FastSAM.load(file), 'E_MODEL_FORMAT', /expected .*output0.*found.*classify/s);
    // Without the task metadata, the shapes alone give it away.
    const info = await FastSAM.load(classifierModel()).catch((e: FastSAMError) => e);
    expect((info as FastSAMError).code).toBe('E_MODEL_FORMAT');
  });

  test('bytes that are not ONNX at all', async () => {
    await expectCode(FastSAM.load(jpeg), 'E_MODEL_FORMAT', /not an ONNX model/);
    await expectCode(FastSAM.load(Buffer.alloc(0)), 'E_MODEL_FORMAT');
    await expectCode(
      FastSAM.load(Buffer.from(tinySegmentModel({ size: 64, boxes: [], protos: new Float32Array(32 * 256) }).subarray(0, 500))),
      'E_MODEL_FORMAT',
    );
  });

  test('an unknown backend, and tensorrt where it is not built', async () => {
    // Options are checked before the model is even read.
    await expectCode(
      FastSAM.load(classifierModel(), { backend: 'gpu' as 'cpu' }),
      'E_BAD_OPTION',
      /backend must be one of 'cpu', 'tensorrt', 'auto'/,
    );
    const bytes = tinySegmentModel({ size: 64, boxes: [], protos: new Float32Array(32 * 256) });
    await expectCode(FastSAM.load(bytes, { backend: 'gpu' as 'cpu' }), 'E_BAD_OPTION');
    await expectCode(FastSAM.load(bytes, { backend: 'tensorrt' }), 'E_BACKEND_UNAVAILABLE', /tensorrt/);
    const auto = await FastSAM.load(bytes, { backend: 'auto' });
    expect(auto.backendName).toBe('cpu');
    await auto.dispose();
  });
});

describe('options', () => {
  test.each([
    [{ conf: 1.5 }, /conf/],
    [{ conf: Number.NaN }, /conf/],
    [{ iou: -0.1 }, /iou/],
    [{ maxDet: 0 }, /maxDet/],
    [{ maxDet: 2.5 }, /maxDet/],
    [{ imgsz: 1024 }, /imgsz must be 64x64 \(this model was exported with a fixed input/],
    [{ imgsz: -3 }, /imgsz/],
    [{ batch: 0 }, /batch/],
    [{ classes: ['person'] as unknown as number[] }, /classes/],
    [{ confidence: 0.5 } as object, /unknown predict option 'confidence'/],
    [{ conff: 0.5 } as object, /unknown predict option 'conff' \(did you mean 'conf'\?\)/],
    // Types are checked, not coerced: a truthy number or string is not a boolean.
    [{ agnosticNms: 1 } as object, /agnosticNms must be true or false, got 1/],
    [{ retinaMasks: 'yes' } as object, /retinaMasks must be true or false, got "yes"/],
    // A class index past int32 used to wrap to class 0 natively.
    [{ classes: [2 ** 32] }, /classes must be an array of at most \d+ integers in \[0, \d+\], got \[4294967296\]/],
    [{ signal: 'stop' } as object, /signal must be an AbortSignal/],
    [{ maxPixels: 0 }, /maxPixels/],
  ])('%p', (options, message) => expectCode(model.predict(jpeg, options), 'E_BAD_OPTION', message));

  test('options that are not an object are E_BAD_OPTION, for predict and stream alike', async () => {
    await expectCode(model.predict(jpeg, 42 as unknown as object), 'E_BAD_OPTION', /predict options must be an object, got 42/);
    const stream = model.stream([jpeg], { conf: 'high' as unknown as number });
    await expectCode(stream.next(), 'E_BAD_OPTION', /conf must be a number in \[0, 1\], got "high"/);
  });

  test('postprocess rejects outputs that do not fit the contract', async () => {
    const output0 = { data: new Float32Array(37 * 10), dims: [1, 37, 10] };
    await expectCode(
      postprocess({ output0, output1: { data: new Float32Array(5), dims: [1, 5] } }, { inputShape: [64, 64], origShape: [64, 64] }),
      'E_MODEL_FORMAT',
    );
    await expectCode(
      postprocess(
        { output0, output1: { data: new Float32Array(32 * 4), dims: [1, 32, 2, 2] } },
        { inputShape: [64, 64], origShape: [0, 64] },
      ),
      'E_BAD_OPTION',
    );
    // Shapes are required: their absence is a typed error, not a TypeError.
    const outputs = { output0, output1: { data: new Float32Array(32 * 4), dims: [1, 32, 2, 2] } };
    await expectCode(postprocess(outputs, {} as never), 'E_BAD_OPTION', /inputShape must be/);
    await expectCode(postprocess(outputs, { inputShape: [64, 64] } as never), 'E_BAD_OPTION', /origShape must be/);
    await expectCode(postprocess(undefined as never, { inputShape: [64, 64], origShape: [64, 64] }), 'E_BAD_OPTION', /outputs must be/);
  });

  test('use after dispose is a clear error', async () => {
    const disposable = await FastSAM.load(tinySegmentModel({ size: 64, boxes: [], protos: new Float32Array(32 * 256) }));
    await disposable.dispose();
    await expectCode(disposable.predict(jpeg), 'E_DISPOSED');
  });
});

test('200 failing calls leave the process alive and its memory flat', async () => {
  const failing = [
    () => model.predict(Buffer.from('garbage')),
    () => model.predict(path.join(tmp, 'missing.jpg')),
    () => model.predict(jpeg, { conf: 2 }),
    () => model.predict(jpeg.subarray(0, 300)),
    () => FastSAM.load(classifierModel()),
  ];
  const runRound = async (n: number) => {
    for (let i = 0; i < n; i++) await failing[i % failing.length]().catch(() => undefined);
  };
  await runRound(50); // warm up allocators and caches
  global.gc?.();
  const before = process.memoryUsage().rss;
  await runRound(200);
  global.gc?.();
  const growthMb = (process.memoryUsage().rss - before) / 2 ** 20;
  expect(growthMb).toBeLessThan(40);
  // And the model still works afterwards.
  const [result] = await model.predict(jpeg);
  expect(result.origShape).toEqual([200, 300]);
});
