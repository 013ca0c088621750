/**
 * Buffers transferred away while native work runs (issue 13's use-after-free): every async entry point of
 * the core addon is called, its inputs are detached at once (structuredClone with `transfer`, as a
 * postMessage to a worker does) or a few microtasks later, and the answer must equal the answer for
 * untouched copies, call after call, with the process alive. A tensor the caller hands in to be written
 * and then transfers is an error, never a write into freed memory. Also predict() on raw pixels whose
 * buffer is transferred mid-call, as the issue reproduced it.
 */
import { createHash } from 'node:crypto';
import { FastSAMError } from '../../lib/errors';
import { FastSAM } from '../../lib/pipeline/fastsam';
import type { Result } from '../../lib/masks/result';
import { native } from '../../lib/native';
import { MASK_COEFS, tinySegmentModel } from '../../scripts/fixtures/tiny-models';

/** Detaches the array's buffer, as transferring it to a worker does. */
function transfer(array: ArrayBufferView): void {
  structuredClone(array.buffer, { transfer: [array.buffer as ArrayBuffer] });
  expect(array.byteLength).toBe(0);
}

const copy = <T extends Uint8Array | Int32Array | Float32Array | Float64Array>(a: T): T => a.slice() as T;

/** A value with every typed array replaced by its type, length and hash: cheap to compare with toEqual. */
function digest(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return `${value.constructor.name}[${value.byteLength}] ${createHash('sha1').update(bytes).digest('hex')}`;
  }
  if (Array.isArray(value)) return value.map(digest);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, digest(v)]));
  return value;
}

const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

/** Runs `call` on fresh copies of `inputs` twice: once untouched, once transferring every input after `delay` microtasks. */
async function expectTransferSafe<A extends ArrayBufferView[]>(inputs: [...A], call: (...arrays: A) => Promise<unknown>): Promise<void> {
  const reference = digest(await call(...(inputs.map((a) => copy(a as Uint8Array)) as unknown as A)));
  for (const delay of [0, 0, 1, 3]) {
    const arrays = inputs.map((a) => copy(a as Uint8Array)) as unknown as A;
    const pending = call(...arrays);
    await ticks(delay);
    arrays.forEach(transfer);
    expect(digest(await pending)).toEqual(reference);
  }
}

function pseudoRandom(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

const rand = pseudoRandom(42);
const bytes = (n: number, max = 256) => Uint8Array.from({ length: n }, () => Math.floor(rand() * max));
const floats = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + rand() * (hi - lo));

const W = 97;
const H = 61;
const rgb = bytes(W * H * 3);
const letterboxRequest = { newHeight: 64, newWidth: 64, stride: 32, auto: false, scaleUp: true };

// Cropped masks as renderMasks returns them: two windows in a 40 x 50 mask.
const cropBits = bytes(12 * 9 + 20 * 5, 2);
const cropWindows = Int32Array.of(3, 4, 12, 9, 20, 30, 20, 5);
const cropOffsets = Float64Array.of(0, 108, 208);

const NM = 4;
const protos = floats(NM * 16 * 16, -1, 1);
const coef = floats(3 * NM, -1, 1);
const boxes = Float32Array.of(4, 4, 40, 40, 10, 20, 60, 50, -5, -5, 70, 70);
const renderRequest = { nm: NM, protoHeight: 16, protoWidth: 16, mode: 'letterbox' as const, inputHeight: 64, inputWidth: 64, maskHeight: 64, maskWidth: 64 };

describe('core addon entry points survive their inputs being transferred mid-call', () => {
  test('letterbox, letterboxBatch', async () => {
    await expectTransferSafe([rgb], (pixels) => native().letterbox(pixels, { ...letterboxRequest, width: W, height: H }));
    await expectTransferSafe([rgb, rgb], (a, b) =>
      native().letterboxBatch(
        [
          { rgb: a, width: W, height: H },
          { rgb: b, width: W, height: H },
        ],
        letterboxRequest,
      ),
    );
    // Into a caller's tensor: written on completion while attached...
    const tensor = new Float32Array(3 * 64 * 64);
    await native().letterbox(copy(rgb), { ...letterboxRequest, width: W, height: H, offset: 0 }, tensor);
    const fresh = await native().letterbox(copy(rgb), { ...letterboxRequest, width: W, height: H });
    expect(tensor).toEqual(fresh.tensor);
    // ...and refused, not written, once transferred.
    const detached = new Float32Array(3 * 64 * 64);
    const pending = native().letterbox(copy(rgb), { ...letterboxRequest, width: W, height: H, offset: 0 }, detached);
    transfer(detached);
    await expect(pending).rejects.toThrow(/detached/);
  });

  test('detect', async () => {
    const rows = 4 + 1 + NM;
    const anchors = 50;
    const output0 = floats(rows * anchors, 0, 1);
    for (let a = 0; a < anchors; a++) {
      output0[a] = 10 + rand() * 40; // cx
      output0[anchors + a] = 10 + rand() * 40; // cy
      output0[2 * anchors + a] = 4 + rand() * 20; // w
      output0[3 * anchors + a] = 4 + rand() * 20; // h
    }
    const request = { rows, anchors, nc: 1, conf: 0.2, iou: 0.7, agnostic: false, maxDet: 300, fullImageBox: true, inputHeight: 64, inputWidth: 64, origHeight: 61, origWidth: 97 };
    await expectTransferSafe([output0], (o) => native().detect(o, request));
  });

  test('renderMasks (crops, RLE), paintIndexMap', async () => {
    await expectTransferSafe([protos, coef, boxes], (p, c, b) => native().renderMasks(p, c, b, { ...renderRequest, format: 'crop' }));
    await expectTransferSafe([protos, coef, boxes], (p, c, b) => native().renderMasks(p, c, b, { ...renderRequest, format: 'rle' }));
    await expectTransferSafe([protos, coef, boxes], (p, c, b) => native().paintIndexMap(p, c, b, { ...renderRequest, format: 'crop' }));
    // Prototypes held natively: copied once, then every render reads the copy.
    await expectTransferSafe([protos], async (p) => {
      const handle = await native().maskPrototypes(p, { nm: NM, protoHeight: 16, protoWidth: 16 });
      return native().renderMasks(handle, coef.slice(), boxes.slice(), { ...renderRequest, format: 'rle' });
    });
  });

  test('traceContours, refineMasks, measureMasks, paintMasks, smallestOnTop, cropsToRle', async () => {
    const size = { maskHeight: 40, maskWidth: 50 };
    await expectTransferSafe([cropBits, cropWindows, cropOffsets], (b, w, o) => native().traceContours(b, w, o, { retrieval: 'all', simple: true }));
    await expectTransferSafe([cropBits, cropWindows, cropOffsets], (b, w, o) => native().refineMasks(b, w, o, size));
    await expectTransferSafe([cropBits, cropWindows, cropOffsets, Int32Array.of(0, 0, 30, 30), Int32Array.of(5, 6, 25, 32)], (b, w, o, rects, pixels) =>
      native().measureMasks(b, w, o, { rects, pixels }),
    );
    await expectTransferSafe([cropBits, cropWindows, cropOffsets, Int32Array.of(0, 0, 0, 1, 2, 3)], (b, w, o, ops) =>
      native().paintMasks(b, w, o, { ops, ...size }),
    );
    await expectTransferSafe([cropBits, cropWindows, cropOffsets], (b, w, o) => native().smallestOnTop(b, w, o, size));
    await expectTransferSafe([cropBits, cropWindows, cropOffsets], (b, w, o) => native().cropsToRle(b, w, o, size));
  });

  test('unpackMasks, masksNearPoints, blendIndexMap', async () => {
    const packed = bytes(2 * 3 + 1 * 2);
    const windows = Int32Array.of(1, 1, 12, 3, 0, 0, 5, 2);
    const starts = Float64Array.of(0, 6);
    await expectTransferSafe([packed, windows, starts], (p, w, s) => native().unpackMasks(p, w, s));
    await expectTransferSafe([packed, windows, starts], (p, w, s) => native().unpackMasks(p, w, s, { format: 'rle', maskHeight: 8, maskWidth: 16 }));
    await expectTransferSafe([Float64Array.of(0, 0, 10, 10, 20, 20, 30, 30), Int32Array.of(25, 25)], (b, p) =>
      native().masksNearPoints(b, p, { reach: 2 }),
    );
    const index = Int32Array.from({ length: 64 * 64 }, () => Math.floor(rand() * 4) - 1);
    const tints = floats(9, 0, 200);
    await expectTransferSafe([rgb, index, tints], (image, i, t) =>
      native().blendIndexMap(image, i, t, { width: W, height: H, maskHeight: 64, maskWidth: 64, gain: 64 / 97, padX: 0, padY: 12, alpha: 0.6 }),
    );
  });

  test('clipImage, clipPreprocess', async () => {
    const geometry = { width: W, height: H, resizedWidth: 356, resizedHeight: 224, left: 66, top: 0, cropWidth: 224, cropHeight: 224 };
    const windows = Int32Array.of(0, 0, W, H, 10, 5, 40, 50);
    const tables = floats(768, -2, 2);
    const handles: unknown[] = [];
    await expectTransferSafe([rgb], async (image) => {
      const handle = await native().clipImage(image, geometry);
      handles.push(handle);
      return native().clipPreprocess(handle, copy(windows), { reuse: true }, copy(tables));
    });
    const handle = handles[0];
    await expectTransferSafe([windows, tables], (w, t) => native().clipPreprocess(handle, w, { reuse: false }, t));
  });
});

describe('predict on raw pixels transferred mid-call', () => {
  let model: FastSAM;
  const protosOf = () => {
    const p = new Float32Array(MASK_COEFS * 16 * 16).fill(-1);
    for (let y = 4; y < 12; y++) for (let x = 4; x < 12; x++) p[y * 16 + x] = 1;
    return p;
  };

  beforeAll(async () => {
    const onehot = Array.from({ length: MASK_COEFS }, (_, i) => (i === 0 ? 1 : 0));
    model = await FastSAM.load(tinySegmentModel({ size: 64, boxes: [{ cx: 32, cy: 32, w: 30, h: 30, score: 0.9, coef: onehot }], protos: protosOf(), dynamic: true }));
  });
  afterAll(() => model.dispose());

  // Transferred before the addon copied them, the pixels are gone: a typed error. Transferred after, the
  // work goes on from the copy: the untouched answer. Never a crash or wrong pixels.
  test('each call answers as for untouched pixels, or rejects with E_BAD_SOURCE', async () => {
    const [width, height] = [1200, 900];
    const data = bytes(width * height * 3);
    const [reference] = await model.predict({ data: copy(data), width, height, channels: 3 }, { imgsz: 256 });
    const referenceRle = await reference.masks.toRLE();
    const macrotask = () => new Promise((resolve) => setImmediate(resolve));
    for (const wait of [() => ticks(0), () => ticks(3), () => ticks(20), macrotask, async () => (await macrotask(), macrotask())]) {
      const pixels = copy(data);
      const pending = model.predict({ data: pixels, width, height, channels: 3 }, { imgsz: 256 });
      await wait();
      transfer(pixels);
      const outcome: Result[] | Error = await pending.then(
        (results) => results,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      );
      if (outcome instanceof Error) {
        expect(outcome).toBeInstanceOf(FastSAMError);
        expect((outcome as FastSAMError).code).toBe('E_BAD_SOURCE');
        continue;
      }

      const [result] = outcome;
      expect(Array.from(result.boxes.xyxy)).toEqual(Array.from(reference.boxes.xyxy));
      expect(await result.masks.toRLE()).toEqual(referenceRle);
    }
  }, 60_000);
});
