/**
 * The CUDA pre/post-processing kernels (native/cuda) against the CPU path (native/core): fed the same
 * golden raw outputs and images, they must give bit-identical tensors, boxes, scores, coefficients and mask
 * crops. The kernels are compiled without FMA contraction and evaluate the same float operations in the
 * same order, so no slack is allowed; the one exception is a NaN's payload bits (the GPU makes canonical
 * NaNs where the CPU propagates the input's), so a NaN equals any NaN. Runs only with FASTSAM_TEST_GPU=1
 * (test/helpers/gpu.ts).
 */
import * as fs from 'node:fs';
import { decodeImage } from '../../lib/io/image';
import { native } from '../../lib/native';
import type { GpuBinding, GpuImageResult, GpuPostprocessRequest } from '../../lib/backends/tensorrt/binding';
import { seededRandom } from '../../lib/plot/random';
import { describeGpu } from '../helpers/gpu';
import { hasShared, readGzipJson, readNpyFloat32, sharedPath } from '../helpers/shared';
import { FastSAMError } from '../../lib/errors';

type Typed = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Bit-for-bit equality (Object.is: +0 and -0 differ), except that any NaN equals any NaN. */
function expectBitIdentical(actual: Typed, expected: Typed, label: string): void {
  expect(`${label}: ${actual.length} values`).toBe(`${label}: ${expected.length} values`);
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(b)) return;
  const i = Array.from(actual).findIndex((v, k) => !Object.is(v, expected[k]));
  if (i >= 0) throw new Error(`${label} differs at ${i}: GPU ${actual[i]} vs CPU ${expected[i]}`);
}

/** An argument error: the wrapped addon rejects with a FastSAMError E_BAD_OPTION carrying `message`. */
async function expectBadOption(run: () => Promise<unknown>, message: RegExp): Promise<void> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FastSAMError);
  expect((error as FastSAMError).code).toBe('E_BAD_OPTION');
  expect((error as Error).message).toMatch(message);
}

interface Outputs {
  output0: Float32Array;
  output1: Float32Array;
  rows: number;
  anchors: number;
  nm: number;
  ph: number;
  pw: number;
}

interface Case {
  nc: number;
  conf: number;
  iou: number;
  maxDet?: number;
  classes?: number[];
  agnostic?: boolean;
  fullImageBox: boolean;
  input: [number, number];
  origShapes: Array<[number, number]>;
  mode: 'letterbox' | 'native';
}

/** The CPU path (core addon) for image b: detect, then every mask as a crop. */
async function cpuImage(out: Outputs, c: Case, b: number) {
  const per0 = out.rows * out.anchors;
  const per1 = out.nm * out.ph * out.pw;
  const [origHeight, origWidth] = c.origShapes[b];
  const det = await native().detect(out.output0.subarray(b * per0, (b + 1) * per0), {
    rows: out.rows,
    anchors: out.anchors,
    nc: c.nc,
    conf: c.conf,
    iou: c.iou,
    agnostic: c.agnostic ?? false,
    maxDet: c.maxDet ?? 300,
    ...(c.classes ? { classes: c.classes } : {}),
    fullImageBox: c.fullImageBox,
    inputHeight: c.input[0],
    inputWidth: c.input[1],
    origHeight,
    origWidth,
  });
  const native_ = c.mode === 'native';
  const crops = await native().renderMasks(out.output1.subarray(b * per1, (b + 1) * per1), det.coef, native_ ? det.boxes : det.inputBoxes, {
    nm: out.nm,
    protoHeight: out.ph,
    protoWidth: out.pw,
    mode: c.mode,
    inputHeight: c.input[0],
    inputWidth: c.input[1],
    maskHeight: native_ ? origHeight : c.input[0],
    maskWidth: native_ ? origWidth : c.input[1],
    format: 'crop',
  });
  return { det, crops };
}

function gpuRequest(out: Outputs, c: Case): GpuPostprocessRequest {
  return {
    batch: c.origShapes.length,
    rows: out.rows,
    anchors: out.anchors,
    nc: c.nc,
    nm: out.nm,
    protoHeight: out.ph,
    protoWidth: out.pw,
    conf: c.conf,
    iou: c.iou,
    agnostic: c.agnostic ?? false,
    maxDet: c.maxDet ?? 300,
    ...(c.classes ? { classes: c.classes } : {}),
    fullImageBox: c.fullImageBox,
    inputHeight: c.input[0],
    inputWidth: c.input[1],
    origShapes: c.origShapes,
    mode: c.mode,
  };
}

async function expectGpuMatchesCpu(gpu: GpuBinding, out: Outputs, c: Case): Promise<GpuImageResult[]> {
  const { images } = await gpu.postprocess(out.output0, out.output1, gpuRequest(out, c));
  expect(images).toHaveLength(c.origShapes.length);
  for (let b = 0; b < images.length; b++) {
    const { det, crops } = await cpuImage(out, c, b);
    const g = images[b];
    for (const key of ['boxes', 'inputBoxes', 'conf', 'cls', 'coef'] as const) expectBitIdentical(g[key], det[key], `image ${b} ${key}`);
    const unpacked = await native().unpackMasks(g.packed, g.windows, g.packedStarts);
    expectBitIdentical(unpacked.windows, crops.windows, `image ${b} mask windows`);
    expectBitIdentical(unpacked.offsets, crops.offsets, `image ${b} mask offsets`);
    expectBitIdentical(unpacked.bits, crops.bits, `image ${b} mask pixels`);
  }
  return images;
}

/** Random raw outputs with many overlapping candidates, to stress sorting ties, NMS and crops. */
function randomOutputs(seed: number, nc: number, batch = 1, anchors = 8400, size = 640): Outputs {
  const random = seededRandom(seed);
  const nm = 32;
  const rows = 4 + nc + nm;
  const ph = size / 4;
  const output0 = new Float32Array(batch * rows * anchors);
  const output1 = new Float32Array(batch * nm * ph * ph);
  for (let b = 0; b < batch; b++) {
    const base = b * rows * anchors;
    for (let a = 0; a < anchors; a++) {
      output0[base + a] = random() * size;
      output0[base + anchors + a] = random() * size;
      output0[base + 2 * anchors + a] = 4 + random() * size * 0.6;
      output0[base + 3 * anchors + a] = 4 + random() * size * 0.6;
      // Quantised scores: many exact ties, which both paths must order by anchor.
      for (let k = 0; k < nc; k++) output0[base + (4 + k) * anchors + a] = Math.round(random() * 64) / 64;
      for (let k = 0; k < nm; k++) output0[base + (4 + nc + k) * anchors + a] = random() * 2 - 1;
    }
  }
  for (let i = 0; i < output1.length; i++) output1[i] = random() * 2 - 1;
  return { output0, output1, rows, anchors, nm, ph, pw: ph };
}

function goldenOutputs(dir: string, name: string): Outputs {
  const o0 = readNpyFloat32(sharedPath('golden', dir, `${name}.output0.npy`));
  const o1 = readNpyFloat32(sharedPath('golden', dir, `${name}.output1.npy`));
  return { output0: o0.data, output1: o1.data, rows: o0.dims[1], anchors: o0.dims[2], nm: o1.dims[1], ph: o1.dims[2], pw: o1.dims[3] };
}

function goldenCases(dir: string): string[] {
  if (!hasShared('golden', dir)) return [];
  return fs
    .readdirSync(sharedPath('golden', dir))
    .filter((f) => f.endsWith('.output0.npy'))
    .map((f) => f.replace('.output0.npy', ''));
}

describeGpu('CUDA kernels match the CPU path', (gpu) => {
  test('probe lists a CUDA device', () => {
    const probe = gpu().probe();
    expect(probe.cudaDriver).toMatch(/^\d+\.\d+$/);
    expect(probe.devices.length).toBeGreaterThan(0);
    expect(probe.devices[0].computeCapability[0]).toBeGreaterThanOrEqual(7);
  });

  describe('letterbox', () => {
    const sizes: Array<[number, number, boolean]> = [
      [667, 1000, false],
      [1080, 810, false],
      [33, 17, false],
      [640, 640, false],
      [480, 640, true],
      [1, 7, false],
      [2000, 3000, false],
    ];
    test.each(sizes)('%ix%i (auto %s) is byte-identical to the CPU letterbox', async (height, width, auto) => {
      const random = seededRandom(height * 7919 + width);
      const rgb = new Uint8Array(width * height * 3);
      for (let i = 0; i < rgb.length; i++) rgb[i] = Math.floor(random() * 256);
      const request = { width, height, newHeight: 640, newWidth: 640, stride: 32, auto, scaleUp: true };
      const g = native().letterboxGeometry(request);
      const cpu = new Float32Array(3 * g.height * g.width);
      await native().letterbox(rgb, { ...request, offset: 0 }, cpu);
      const out = await gpu().letterbox(rgb, request);
      expect(out.geometry).toEqual(g);
      expectBitIdentical(out.tensor, cpu, 'tensor');
    });

    const golden = 'golden/fastsam-s-random/dogs-640-retina.input.npy';
    (hasShared(golden) ? test : test.skip)('a real photo gives the reference tensor exactly', async () => {
      const meta = readGzipJson<{ image: string }>(sharedPath('golden/fastsam-s-random/dogs-640-retina.json.gz'));
      const image = await decodeImage(sharedPath(meta.image));
      const out = await gpu().letterbox(image.rgb, {
        width: image.width,
        height: image.height,
        newHeight: 640,
        newWidth: 640,
        stride: 32,
        auto: false,
        scaleUp: true,
      });
      expectBitIdentical(out.tensor, readNpyFloat32(sharedPath(golden)).data, 'tensor');
    });
  });

  describe('golden raw outputs', () => {
    const fastsam = goldenCases('fastsam-s-random');
    const yolo = goldenCases('yolov8n-seg-int8');
    if (fastsam.length + yolo.length === 0) test.skip('needs ../shared/golden', () => undefined);
    test.each(fastsam)('FastSAM %s', async (name) => {
      const meta = readGzipJson<{
        conf: number;
        iou: number;
        retina: boolean;
        orig_shape: [number, number];
        input_shape: number[];
        boxes: number[][];
      }>(sharedPath('golden', 'fastsam-s-random', `${name}.json.gz`));
      const out = goldenOutputs('fastsam-s-random', name);
      const [image] = await expectGpuMatchesCpu(gpu(), out, {
        nc: 1,
        conf: meta.conf,
        iou: meta.iou,
        fullImageBox: true,
        input: [meta.input_shape[2], meta.input_shape[3]],
        origShapes: [meta.orig_shape],
        mode: meta.retina ? 'native' : 'letterbox',
      });
      // And directly against the reference: the same detections, boxes within 1e-3 px.
      expect(image.conf.length).toBe(meta.boxes.length);
      meta.boxes.forEach((row, i) => {
        for (let k = 0; k < 4; k++) expect(Math.abs(image.boxes[i * 4 + k] - row[k])).toBeLessThanOrEqual(1e-3);
      });
    });
    test.each(
      yolo.flatMap(
        (name) =>
          [
            [name, 'letterbox'],
            [name, 'native'],
          ] as Array<[string, 'letterbox' | 'native']>,
      ),
    )('YOLOv8n-seg %s (%s masks)', async (name, mode) => {
      const meta = readGzipJson<{ conf: number; iou: number; nc: number; orig_shape: [number, number]; input_shape: number[] }>(
        sharedPath('golden', 'yolov8n-seg-int8', `${name}.json.gz`),
      );
      await expectGpuMatchesCpu(gpu(), goldenOutputs('yolov8n-seg-int8', name), {
        nc: meta.nc,
        conf: meta.conf,
        iou: meta.iou,
        fullImageBox: false,
        input: [meta.input_shape[2], meta.input_shape[3]],
        origShapes: [meta.orig_shape],
        mode,
      });
    });
  });

  describe('random outputs (ties, many candidates, filters)', () => {
    test('FastSAM, thousands of candidates, retina masks', async () => {
      const [image] = await expectGpuMatchesCpu(gpu(), randomOutputs(1, 1), {
        nc: 1,
        conf: 0.25,
        iou: 0.7,
        fullImageBox: true,
        input: [640, 640],
        origShapes: [[1080, 810]],
        mode: 'native',
      });
      expect(image.conf.length).toBe(300);
    });
    test('80 classes, class-aware NMS, letterbox masks, a batch of two sizes', async () => {
      await expectGpuMatchesCpu(gpu(), randomOutputs(2, 80, 2), {
        nc: 80,
        conf: 0.9,
        iou: 0.5,
        fullImageBox: false,
        input: [640, 640],
        origShapes: [
          [480, 640],
          [1200, 700],
        ],
        mode: 'letterbox',
      });
    });
    test('class filter, agnostic NMS and a small maxDet', async () => {
      await expectGpuMatchesCpu(gpu(), randomOutputs(3, 80), {
        nc: 80,
        conf: 0.5,
        iou: 0.6,
        agnostic: true,
        classes: [0, 5, 17, 79],
        maxDet: 7,
        fullImageBox: false,
        input: [640, 640],
        origShapes: [[640, 640]],
        mode: 'native',
      });
    });
    test('NaN scores and coordinates are handled like the CPU', async () => {
      const out = randomOutputs(4, 3, 1, 2000);
      for (let a = 0; a < 2000; a += 37) out.output0[(4 + (a % 3)) * 2000 + a] = Number.NaN;
      for (let a = 5; a < 2000; a += 53) out.output0[(a % 4) * 2000 + a] = Number.NaN;
      await expectGpuMatchesCpu(gpu(), out, {
        nc: 3,
        conf: 0.3,
        iou: 0.7,
        fullImageBox: false,
        input: [640, 640],
        origShapes: [[500, 900]],
        mode: 'native',
      });
    });
    test('nothing above the threshold gives empty results', async () => {
      const images = await expectGpuMatchesCpu(gpu(), randomOutputs(5, 1), {
        nc: 1,
        conf: 1,
        iou: 0.7,
        fullImageBox: true,
        input: [640, 640],
        origShapes: [[100, 100]],
        mode: 'native',
      });
      expect(images[0].conf.length).toBe(0);
    });
    test('a 1024 input (21504 anchors) with a 12 MP original', async () => {
      await expectGpuMatchesCpu(gpu(), randomOutputs(6, 1, 1, 21504, 1024), {
        nc: 1,
        conf: 0.6,
        iou: 0.9,
        fullImageBox: true,
        input: [1024, 1024],
        origShapes: [[3000, 4000]],
        mode: 'native',
      });
    }, 120_000);
  });

  test('concurrent calls (several lanes at once) all give the same answer', async () => {
    const out = randomOutputs(7, 1);
    const request = gpuRequest(out, {
      nc: 1,
      conf: 0.4,
      iou: 0.9,
      fullImageBox: true,
      input: [640, 640],
      origShapes: [[810, 1080]],
      mode: 'native',
    });
    const runs = await Promise.all(Array.from({ length: 6 }, () => gpu().postprocess(out.output0, out.output1, request)));
    for (const run of runs.slice(1)) {
      expectBitIdentical(run.images[0].boxes, runs[0].images[0].boxes, 'boxes');
      expectBitIdentical(run.images[0].packed, runs[0].images[0].packed, 'packed mask pixels');
    }
  });

  test('bad arguments are typed errors, a missing device a rejection', async () => {
    const out = randomOutputs(8, 1, 1, 100);
    const request = gpuRequest(out, {
      nc: 1,
      conf: 0.4,
      iou: 0.9,
      fullImageBox: true,
      input: [640, 640],
      origShapes: [[10, 10]],
      mode: 'native',
    });
    await expectBadOption(() => gpu().postprocess(out.output0.subarray(1), out.output1, request), /output0 must hold/);
    await expectBadOption(() => gpu().postprocess(out.output0, out.output1, { ...request, origShapes: [] }), /origShapes/);
    await expectBadOption(() => gpu().postprocess(out.output0, out.output1, { ...request, nc: 2 }), /4 \+ nc \+ nm/);
    await expectBadOption(
      () =>
        gpu().letterbox(new Uint8Array(5), { width: 2, height: 2, newHeight: 640, newWidth: 640, stride: 32, auto: false, scaleUp: true }),
      /width \* height \* 3/,
    );
    await expect(gpu().postprocess(out.output0, out.output1, { ...request, device: 999 })).rejects.toThrow(/CUDA device/);
  });
});
