/**
 * Native errors reach callers as FastSAMErrors with the code the addon set (native/binding/errors.h):
 * argument errors E_BAD_OPTION, data transferred away before the call E_BAD_SOURCE, anything uncoded
 * E_NATIVE; synchronous entry points throw, asynchronous ones reject (never throw at the call).
 */
import { FastSAMError } from '../../lib/errors';
import { asNativeError, native } from '../../lib/native';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { MASK_COEFS, tinySegmentModel } from '../../scripts/fixtures/tiny-models';

async function rejection(run: () => Promise<unknown>): Promise<FastSAMError> {
  let pending: Promise<unknown> | undefined;
  expect(() => {
    pending = run(); // an async entry point never throws at the call
  }).not.toThrow();
  const error = await pending!.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FastSAMError);
  return error as FastSAMError;
}

const detectRequest = {
  rows: 4 + 1 + 2,
  anchors: 3,
  nc: 1,
  conf: 0.1,
  iou: 0.5,
  agnostic: false,
  maxDet: 10,
  fullImageBox: false,
  inputHeight: 64,
  inputWidth: 64,
  origHeight: 64,
  origWidth: 64,
};

describe('typed native errors', () => {
  test('bad arguments reject with E_BAD_OPTION', async () => {
    expect((await rejection(() => native().detect(new Float32Array(5), detectRequest))).code).toBe('E_BAD_OPTION');
    expect((await rejection(() => native().detect(new Float32Array(21), { ...detectRequest, agnostic: 1 as unknown as boolean }))).code).toBe(
      'E_BAD_OPTION',
    );
    const bad = await rejection(() => native().renderMasks('x' as unknown as Float32Array, new Float32Array(0), new Float32Array(0), {} as never));
    expect(bad.code).toBe('E_BAD_OPTION');
  });

  test.each([[2 ** 32], [-1], [1.5], [Number.NaN], ['0']])('classes: [%p] is refused, not wrapped', async (cls) => {
    const error = await rejection(() => native().detect(new Float32Array(21), { ...detectRequest, classes: [cls as number] }));
    expect(error.code).toBe('E_BAD_OPTION');
    expect(error.message).toMatch(/classes/);
  });

  test('a synchronous entry point throws a FastSAMError', () => {
    let thrown: unknown;
    try {
      native().letterboxGeometry({ height: 0, width: 10, newHeight: 64, newWidth: 64, stride: 32, auto: false, scaleUp: true });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FastSAMError);
    expect((thrown as FastSAMError).code).toBe('E_BAD_OPTION');
  });

  test('pixels transferred away before the call: E_BAD_SOURCE', async () => {
    const rgb = new Uint8Array(4 * 4 * 3);
    structuredClone(rgb.buffer, { transfer: [rgb.buffer] });
    const error = await rejection(() =>
      native().letterbox(rgb, { width: 4, height: 4, newHeight: 64, newWidth: 64, stride: 32, auto: false, scaleUp: true }),
    );
    expect(error.code).toBe('E_BAD_SOURCE');
    expect(error.message).toMatch(/detached/);
  });

  test('uncoded or foreign errors become E_NATIVE; FastSAMErrors pass through', () => {
    expect(asNativeError(new Error('boom')).code).toBe('E_NATIVE');
    expect(asNativeError(Object.assign(new Error('x'), { code: 'ENOENT' })).code).toBe('E_NATIVE');
    expect(asNativeError('a string').message).toBe('a string');
    const own = new FastSAMError('E_BAD_PROMPT', 'mine');
    expect(asNativeError(own)).toBe(own);
  });

  test('predict with classes: [2 ** 32] rejects with E_BAD_OPTION', async () => {
    const onehot = Array.from({ length: MASK_COEFS }, (_, i) => (i === 0 ? 1 : 0));
    const model = await FastSAM.load(
      tinySegmentModel({ size: 64, boxes: [{ cx: 32, cy: 32, w: 20, h: 20, score: 0.9, coef: onehot }], protos: new Float32Array(MASK_COEFS * 256) }),
    );
    try {
      const image = { data: new Uint8Array(64 * 64 * 3), width: 64, height: 64, channels: 3 as const };
      const error = await model.predict(image, { classes: [2 ** 32] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FastSAMError);
      expect((error as FastSAMError).code).toBe('E_BAD_OPTION');
    } finally {
      await model.dispose();
    }
  });
});
