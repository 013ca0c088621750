/**
 * Validation timings on this machine: the COCOeval cross-check (bbox and segm) and coco8-seg dataset
 * validation with the real int8 YOLOv8n-seg (320) and the random FastSAM-s (640). Needs ../shared.
 *   npx tsx scripts/bench-val.ts
 */
import * as path from 'node:path';
import { evaluateCocoFiles } from '../lib/val/coco/files';
import { validateDataset } from '../lib/val/validator';

const SHARED = path.resolve(__dirname, '../../shared');

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await run();
  console.log(`${label}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return out;
}

async function main(): Promise<void> {
  const coco = path.join(SHARED, 'data/coco/eval-val2014-100');
  for (const [type, file] of [
    ['bbox', 'instances_val2014_fakebbox100_results.json'],
    ['segm', 'instances_val2014_fakesegm100_results.json'],
  ]) {
    const { evaluations } = await timed(`COCOeval ${type} (100 images, 734 detections)`, () =>
      evaluateCocoFiles(path.join(coco, 'instances_val2014_100.json'), path.join(coco, file)),
    );
    console.log(`  stats ${evaluations[0].stats.map((v) => v.toFixed(4)).join(' ')}`);
  }
  const data = path.join(SHARED, 'data/coco8-seg.yaml');
  const runs: Array<[string, string, number, boolean]> = [
    ['yolov8n-seg int8', 'data/onnx/yolov8n-seg_int8_320.onnx', 320, false],
    ['yolov8n-seg int8, single_cls', 'data/onnx/yolov8n-seg_int8_320.onnx', 320, true],
    ['FastSAM-s random, single_cls', 'models/FastSAM-s-random-640.onnx', 640, true],
  ];
  for (const [label, model, imgsz, singleCls] of runs) {
    const r = await timed(`coco8-seg val, ${label} at ${imgsz}`, () =>
      validateDataset(path.join(SHARED, model), data, { imgsz, singleCls }),
    );
    const s = r.speed;
    console.log(`  ${JSON.stringify(r.metrics)}`);
    console.log(
      `  per image: ${s.preprocess.toFixed(1)} ms preprocess, ${s.inference.toFixed(1)} ms inference, ${s.postprocess.toFixed(1)} ms postprocess`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
