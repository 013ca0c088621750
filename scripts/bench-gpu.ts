/**
 * The GPU stages against the CPU path, side by side in one process on one machine:
 *   - letterbox: the CUDA kernel (event time and wall time, upload and copy back included) vs the native
 *     CPU letterbox, for a bus-sized photo and a 12 MP one;
 *   - post-processing: detection (filter, sort, NMS, full-image box, scale) and mask assembly (cropped
 *     masks, bit-packed) on the GPU vs the CPU detect + renderMasks, on the golden raw outputs (bus, 206 retina masks)
 *     and on random 1024 outputs with a 12 MP original;
 *   - with a TensorRT build of the addon and --model: the whole predict on the GPU, per stage, and batch
 *     throughput.
 *
 *   npm run bench:gpu -- [--runs 20] [--model FastSAM-s.onnx] [--precision fp16] [--json out.json]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { decodeImage } from '../lib/io/image';
import { FastSAM } from '../lib/pipeline/fastsam';
import { native } from '../lib/native';
import { requireGpu } from '../lib/backends/tensorrt/load';
import type { GpuBinding, GpuPostprocessRequest } from '../lib/backends/tensorrt/binding';
import { seededRandom } from '../lib/plot/random';
import { arg, median } from './bench-utils';
import { readNpyFloat32 } from './fixtures/npy';

const shared = path.resolve(process.env.FASTSAM_SHARED_DIR ?? path.join(__dirname, '../../shared'));

/** Median wall time and, when fn returns stage times, the median of each stage. */
async function measure<T extends object | void>(
  runs: number,
  fn: () => Promise<T>,
): Promise<{ wall: number; stages: Record<string, number> }> {
  await fn();
  const walls: number[] = [];
  const stages: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const out = await fn();
    walls.push(performance.now() - start);
    for (const [k, v] of Object.entries((out as { times?: Record<string, number> } | undefined)?.times ?? {})) (stages[k] ??= []).push(v);
  }
  return { wall: median(walls), stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, median(v)])) };
}

interface Outputs {
  output0: Float32Array;
  output1: Float32Array;
  rows: number;
  anchors: number;
  nm: number;
  ph: number;
  pw: number;
  input: number;
  orig: [number, number];
  conf: number;
  iou: number;
}

function goldenBus(): Outputs | undefined {
  const dir = path.join(shared, 'golden/fastsam-s-random');
  if (!fs.existsSync(path.join(dir, 'bus-640-retina.output0.npy'))) return undefined;
  const meta = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(dir, 'bus-640-retina.json.gz'))).toString());
  const o0 = readNpyFloat32(path.join(dir, 'bus-640-retina.output0.npy'));
  const o1 = readNpyFloat32(path.join(dir, 'bus-640-retina.output1.npy'));
  return {
    output0: o0.data,
    output1: o1.data,
    rows: o0.dims[1],
    anchors: o0.dims[2],
    nm: o1.dims[1],
    ph: o1.dims[2],
    pw: o1.dims[3],
    input: 640,
    orig: meta.orig_shape,
    conf: meta.conf,
    iou: meta.iou,
  };
}

function randomOutputs(size: number, orig: [number, number]): Outputs {
  const random = seededRandom(11);
  const anchors = (size / 8) ** 2 + (size / 16) ** 2 + (size / 32) ** 2;
  const rows = 37;
  const ph = size / 4;
  const output0 = new Float32Array(rows * anchors);
  for (let a = 0; a < anchors; a++) {
    output0[a] = random() * size;
    output0[anchors + a] = random() * size;
    output0[2 * anchors + a] = 8 + random() * size * 0.3;
    output0[3 * anchors + a] = 8 + random() * size * 0.3;
    output0[4 * anchors + a] = random() ** 3;
    for (let k = 0; k < 32; k++) output0[(5 + k) * anchors + a] = random() * 2 - 1;
  }
  const output1 = Float32Array.from({ length: 32 * ph * ph }, () => random() * 2 - 1);
  return { output0, output1, rows, anchors, nm: 32, ph, pw: ph, input: size, orig, conf: 0.4, iou: 0.9 };
}

async function benchLetterbox(gpu: GpuBinding, runs: number, rows: string[][]): Promise<void> {
  for (const [h, w, size] of [
    [1080, 810, 640],
    [3000, 4000, 640],
    [3000, 4000, 1024],
  ]) {
    const random = seededRandom(h + w);
    const rgb = Uint8Array.from({ length: h * w * 3 }, () => (random() * 256) | 0);
    const request = { width: w, height: h, newHeight: size, newWidth: size, stride: 32, auto: false, scaleUp: true };
    const tensor = new Float32Array(3 * size * size);
    const cpu = await measure(runs, () =>
      native()
        .letterbox(rgb, { ...request, offset: 0 }, tensor)
        .then(() => undefined),
    );
    let kernel: number[] = [];
    const gpuWall = await measure(runs, async () => {
      const out = await gpu.letterbox(rgb, request);
      kernel.push(out.ms);
    });
    kernel = kernel.slice(1);
    rows.push([
      `letterbox ${w}x${h} -> ${size}`,
      cpu.wall.toFixed(2),
      `${median(kernel).toFixed(3)} upload + kernel; ${gpuWall.wall.toFixed(2)} wall (with staging in pinned memory and the tensor's copy back)`,
    ]);
  }
}

async function benchPostprocess(gpu: GpuBinding, runs: number, name: string, out: Outputs, rows: string[][]): Promise<void> {
  const request: GpuPostprocessRequest = {
    batch: 1,
    rows: out.rows,
    anchors: out.anchors,
    nc: 1,
    nm: out.nm,
    protoHeight: out.ph,
    protoWidth: out.pw,
    conf: out.conf,
    iou: out.iou,
    agnostic: false,
    maxDet: 300,
    fullImageBox: true,
    inputHeight: out.input,
    inputWidth: out.input,
    origShapes: [out.orig],
    mode: 'native',
  };
  const detectRequest = { ...request, origHeight: out.orig[0], origWidth: out.orig[1] };
  const cpuDetect = await measure(runs, () =>
    native()
      .detect(out.output0, detectRequest)
      .then(() => undefined),
  );
  const det = await native().detect(out.output0, detectRequest);
  const renderRequest = {
    nm: out.nm,
    protoHeight: out.ph,
    protoWidth: out.pw,
    mode: 'native' as const,
    inputHeight: out.input,
    inputWidth: out.input,
    maskHeight: out.orig[0],
    maskWidth: out.orig[1],
    format: 'crop' as const,
  };
  const cpuMasks = await measure(runs, () =>
    native()
      .renderMasks(out.output1, det.coef, det.boxes, renderRequest)
      .then(() => undefined),
  );
  const g = await measure(runs, () => gpu.postprocess(out.output0, out.output1, request));
  const [image] = (await gpu.postprocess(out.output0, out.output1, request)).images;
  const unpack = await measure(runs, () =>
    native()
      .unpackMasks(image.packed, image.windows, image.packedStarts)
      .then(() => undefined),
  );
  const n = det.conf.length;
  rows.push([
    `${name}: detect (${n} kept)`,
    cpuDetect.wall.toFixed(2),
    `${g.stages.detect.toFixed(3)} (+ ${g.stages.upload.toFixed(3)} upload of the raw outputs)`,
  ]);
  rows.push([
    `${name}: ${n} masks, cropped`,
    cpuMasks.wall.toFixed(2),
    `${g.stages.masks.toFixed(3)} = host windows ${(g.stages.masks - g.stages.masksKernels - g.stages.masksCopy).toFixed(3)} + kernels ${g.stages.masksKernels.toFixed(3)} + copy back ${g.stages.masksCopy.toFixed(3)} (${(image.packed.length / 1e6).toFixed(1)} MB bit-packed); ${g.wall.toFixed(2)} wall for the whole call`,
  ]);
  rows.push([`${name}: unpack all ${n} masks to bytes (only when asked for)`, '-', `${unpack.wall.toFixed(2)} (CPU, native)`]);
}

/** The whole predict through TensorRT (decode aside): per-stage times at batch 1, then batch throughput. */
async function benchEngine(modelPath: string, precision: 'fp16' | 'fp32', runs: number, rows: string[][]): Promise<void> {
  const decoded = await decodeImage(path.join(shared, 'data/images/bus.jpg'));
  const image = { data: decoded.rgb, width: decoded.width, height: decoded.height, channels: 3 as const };
  for (const maxBatch of [1, 8]) {
    const model = await FastSAM.load(modelPath, { backend: 'tensorrt', precision, maxBatch });
    const batch = new Array(maxBatch).fill(image);
    const speeds: Array<{ preprocess: number; inference: number; postprocess: number }> = [];
    const wall = await measure(runs, async () => {
      const results = await model.predict(batch);
      speeds.push(results[0].speed);
    });
    const stage = (key: 'preprocess' | 'inference' | 'postprocess') => median(speeds.map((s) => s[key])).toFixed(3);
    if (maxBatch === 1) {
      rows.push([
        `TensorRT ${precision} predict bus.jpg, batch 1 (letterbox / network / detect + masks)`,
        '-',
        `${wall.wall.toFixed(2)} wall; stages ${stage('preprocess')} / ${stage('inference')} / ${stage('postprocess')} (preprocess includes the JS-side copy)`,
      ]);
    } else {
      rows.push([`TensorRT ${precision} throughput, batch ${maxBatch}`, '-', `${((maxBatch / wall.wall) * 1000).toFixed(0)} images/s`]);
    }
    await model.dispose();
  }
}

async function main(): Promise<void> {
  const runs = Number(arg('runs') ?? 20);
  const { binding: gpu, probe } = requireGpu(0, { engine: false });
  const device = probe.devices[0];
  const rows: string[][] = [];
  await benchLetterbox(gpu, runs, rows);
  const bus = goldenBus();
  if (bus) await benchPostprocess(gpu, runs, 'bus.jpg golden outputs', bus, rows);
  else rows.push(['bus.jpg golden outputs', 'skipped: ../shared absent', '']);
  await benchPostprocess(gpu, runs, 'random 1024 outputs, 12 MP', randomOutputs(1024, [3000, 4000]), rows);
  const engine = probe.tensorrt ? 'TensorRT ' + probe.tensorrt : 'none: this GPU addon was built without TensorRT, so no inference stage';
  const modelPath = arg('model');
  if (probe.tensorrt && modelPath) await benchEngine(modelPath, (arg('precision') ?? 'fp16') as 'fp16' | 'fp32', runs, rows);
  else if (modelPath) rows.push(['TensorRT predict', '-', 'skipped: the GPU addon has no TensorRT']);

  const machine = `${device.name} (cc ${device.computeCapability.join('.')}, driver CUDA ${probe.cudaDriver}, runtime ${probe.cudaRuntime}); host ${os.cpus()[0]?.model} x${os.cpus().length}`;
  const lines = [
    `GPU stages vs CPU path, median of ${runs} runs, milliseconds. ${machine}. Engine: ${engine}.`,
    '',
    '| stage | CPU (native core) | GPU |',
    '| --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  console.log(lines.join('\n'));
  const json = arg('json');
  if (json) fs.writeFileSync(json, JSON.stringify({ machine, runs, rows, engine }, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
