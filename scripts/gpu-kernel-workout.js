#!/usr/bin/env node
/**
 * Exercises every GPU kernel path once (letterbox with and without resizing, thin and large images;
 * detection with ties, class filters, NaN, nothing kept, 80 classes, a batch; masks in both modes, at 1024
 * with a 12 MP original) so that compute-sanitizer can watch them: test/gpu/sanitizer.test.ts runs it
 * under memcheck, racecheck and initcheck. Plain JS on the built addons, so the sanitizer sees one process.
 *
 *   compute-sanitizer --tool memcheck node scripts/gpu-kernel-workout.js [path/to/fastsam_tensorrt.node]
 */
const path = require('node:path');

const addon =
  process.argv[2] ?? process.env.FASTSAM_GPU_ADDON ?? path.join(__dirname, '..', 'build-gpu', 'Release', 'fastsam_tensorrt.node');
const gpu = require(addon);
// The library's own seeded PRNG, from the compiled package (npm test builds dist/ first).
const { seededRandom: random } = require(path.join(__dirname, '..', 'dist', 'random.js'));

function outputs(seed, nc, batch, anchors, size) {
  const r = random(seed);
  const rows = 4 + nc + 32;
  const ph = size / 4;
  const output0 = new Float32Array(batch * rows * anchors);
  for (let b = 0; b < batch; b++) {
    const base = b * rows * anchors;
    for (let a = 0; a < anchors; a++) {
      output0[base + a] = r() * size;
      output0[base + anchors + a] = r() * size;
      output0[base + 2 * anchors + a] = 4 + r() * size * 0.5;
      output0[base + 3 * anchors + a] = 4 + r() * size * 0.5;
      for (let k = 0; k < nc; k++) output0[base + (4 + k) * anchors + a] = Math.round(r() * 32) / 32;
      for (let k = 0; k < 32; k++) output0[base + (4 + nc + k) * anchors + a] = r() * 2 - 1;
    }
  }
  const output1 = Float32Array.from({ length: batch * 32 * ph * ph }, () => r() * 2 - 1);
  return { output0, output1, rows, anchors, ph, size };
}

function request(o, nc, extra) {
  return {
    batch: 1,
    rows: o.rows,
    anchors: o.anchors,
    nc,
    nm: 32,
    protoHeight: o.ph,
    protoWidth: o.ph,
    conf: 0.4,
    iou: 0.7,
    agnostic: false,
    maxDet: 300,
    fullImageBox: nc === 1,
    inputHeight: o.size,
    inputWidth: o.size,
    origShapes: [[1080, 810]],
    mode: 'native',
    ...extra,
  };
}

async function main() {
  for (const [h, w, auto] of [
    [1080, 810, false],
    [640, 640, false],
    [1, 7, false],
    [33, 17, false],
    [480, 640, true],
    [3000, 4000, false],
  ]) {
    const r = random(h * w);
    const rgb = Uint8Array.from({ length: h * w * 3 }, () => (r() * 256) | 0);
    await gpu.letterbox(rgb, { width: w, height: h, newHeight: 640, newWidth: 640, stride: 32, auto, scaleUp: true });
  }
  const fastsam = outputs(1, 1, 1, 8400, 640);
  await gpu.postprocess(fastsam.output0, fastsam.output1, request(fastsam, 1, {}));
  await gpu.postprocess(fastsam.output0, fastsam.output1, request(fastsam, 1, { mode: 'letterbox', conf: 0.2, maxDet: 5 }));
  await gpu.postprocess(fastsam.output0, fastsam.output1, request(fastsam, 1, { conf: 1 }));
  const multi = outputs(2, 80, 2, 2100, 320);
  await gpu.postprocess(
    multi.output0,
    multi.output1,
    request(multi, 80, {
      batch: 2,
      origShapes: [
        [480, 640],
        [1200, 700],
      ],
      conf: 0.9,
      classes: [0, 3, 79],
    }),
  );
  multi.output0[5 * 2100 + 7] = Number.NaN;
  multi.output0[3] = Number.NaN;
  await gpu.postprocess(
    multi.output0,
    multi.output1,
    request(multi, 80, {
      batch: 2,
      origShapes: [
        [480, 640],
        [1200, 700],
      ],
      conf: 0.9,
      agnostic: true,
    }),
  );
  const large = outputs(3, 1, 1, 21504, 1024);
  await gpu.postprocess(large.output0, large.output1, request(large, 1, { origShapes: [[3000, 4000]], conf: 0.9 }));
  console.log('gpu kernel workout done');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
