/**
 * Run by transfer-asan.test.ts under AddressSanitizer (node --expose-gc, libasan preloaded, the addon
 * built with -fsanitize=address): calls every async entry point of the core addon, transfers each input's
 * buffer right away and collects garbage, so the transferred memory is freed while the work runs. Any read
 * of it is a heap-use-after-free report and a non-zero exit. Usage: node --expose-gc transfer-driver.js <addon.node>
 */
'use strict';
const addon = require(process.argv[2]);

const transfer = (array) => globalThis.structuredClone(array.buffer, { transfer: [array.buffer] });
const bytes = (n, max = 256) => Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) % max);
const floats = (n, lo, hi) => Float32Array.from({ length: n }, (_, i) => lo + (((i * 2654435761) % 1000) / 1000) * (hi - lo));

/** Calls `call` on the inputs, transfers them all, frees them, and waits (a rejection is fine here). */
async function hammer(name, make, call, times = 5) {
  for (let k = 0; k < times; k++) {
    const inputs = make();
    const pending = call(...inputs);
    inputs.forEach(transfer);
    global.gc();
    await pending.catch(() => undefined);
  }
  console.log(`${name}: ok`);
}

(async () => {
  const W = 600;
  const H = 400;
  const lb = { newHeight: 640, newWidth: 640, stride: 32, auto: false, scaleUp: true };
  await hammer('letterbox', () => [bytes(W * H * 3)], (rgb) => addon.letterbox(rgb, { ...lb, width: W, height: H }));
  await hammer('letterbox into a tensor', () => [bytes(W * H * 3), new Float32Array(3 * 640 * 640)], (rgb, tensor) =>
    addon.letterbox(rgb, { ...lb, width: W, height: H, offset: 0 }, tensor),
  );
  await hammer('letterboxBatch', () => [bytes(W * H * 3)], (rgb) => addon.letterboxBatch([{ rgb, width: W, height: H }], lb));
  const rows = 4 + 1 + 32;
  const anchors = 2000;
  await hammer('detect', () => [floats(rows * anchors, 0, 60)], (o) =>
    addon.detect(o, { rows, anchors, nc: 1, conf: 0.5, iou: 0.7, agnostic: false, maxDet: 300, fullImageBox: true, inputHeight: 640, inputWidth: 640, origHeight: H, origWidth: W }),
  );
  const render = { nm: 32, protoHeight: 160, protoWidth: 160, mode: 'letterbox', inputHeight: 640, inputWidth: 640, maskHeight: 640, maskWidth: 640 };
  const maskInputs = () => [floats(32 * 160 * 160, -1, 1), floats(10 * 32, -1, 1), Float32Array.from({ length: 40 }, (_, i) => (i % 4 < 2 ? 50 : 500))];
  await hammer('renderMasks', maskInputs, (p, c, b) => addon.renderMasks(p, c, b, { ...render, format: 'crop' }));
  await hammer('renderMasks rle', maskInputs, (p, c, b) => addon.renderMasks(p, c, b, { ...render, format: 'rle' }));
  await hammer('paintIndexMap', maskInputs, (p, c, b) => addon.paintIndexMap(p, c, b, { ...render, format: 'crop' }));
  await hammer('maskPrototypes', maskInputs, async (p, c, b) => {
    const [coef, boxes] = [c.slice(), b.slice()];
    const handle = await addon.maskPrototypes(p, { nm: 32, protoHeight: 160, protoWidth: 160 });
    return addon.renderMasks(handle, coef, boxes, { ...render, format: 'crop' });
  });
  const crops = () => [bytes(300 * 200, 2), Int32Array.of(10, 10, 300, 200), Float64Array.of(0, 60000)];
  const size = { maskHeight: 400, maskWidth: 600 };
  await hammer('traceContours', crops, (b, w, o) => addon.traceContours(b, w, o, { retrieval: 'all', simple: true }));
  await hammer('refineMasks', crops, (b, w, o) => addon.refineMasks(b, w, o, size));
  await hammer('measureMasks', () => [...crops(), Int32Array.of(0, 0, 100, 100), Int32Array.of(20, 20)], (b, w, o, rects, pixels) =>
    addon.measureMasks(b, w, o, { rects, pixels }),
  );
  await hammer('paintMasks', () => [...crops(), Int32Array.of(0, 0, 0)], (b, w, o, ops) => addon.paintMasks(b, w, o, { ops, ...size }));
  await hammer('smallestOnTop', crops, (b, w, o) => addon.smallestOnTop(b, w, o, size));
  await hammer('cropsToRle', crops, (b, w, o) => addon.cropsToRle(b, w, o, size));
  const packed = () => [bytes(38 * 200), Int32Array.of(10, 10, 300, 200), Float64Array.of(0)];
  await hammer('unpackMasks', packed, (p, w, s) => addon.unpackMasks(p, w, s));
  await hammer('unpackMasks rle', packed, (p, w, s) => addon.unpackMasks(p, w, s, { format: 'rle', ...size }));
  await hammer('masksNearPoints', () => [Float64Array.of(0, 0, 10, 10), Int32Array.of(5, 5)], (b, p) => addon.masksNearPoints(b, p, { reach: 8 }));
  await hammer('blendIndexMap', () => [bytes(W * H * 3), Int32Array.from({ length: W * H }, (_, i) => (i % 3) - 1), floats(6, 0, 200)], (rgb, index, tints) =>
    addon.blendIndexMap(rgb, index, tints, { width: W, height: H, maskHeight: H, maskWidth: W, gain: 1, padX: 0, padY: 0, alpha: 0.6 }),
  );
  const clip = { width: W, height: H, resizedWidth: 336, resizedHeight: 224, left: 56, top: 0, cropWidth: 224, cropHeight: 224 };
  await hammer('clipImage', () => [bytes(W * H * 3)], (rgb) => addon.clipImage(rgb, clip));
  const handle = await addon.clipImage(bytes(W * H * 3), clip);
  await hammer('clipPreprocess', () => [Int32Array.of(10, 10, 300, 200, 0, 0, W, H), floats(768, -2, 2)], (windows, tables) =>
    addon.clipPreprocess(handle, windows, { reuse: true }, tables),
  );
  console.log('transfer driver: every entry point done');
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
