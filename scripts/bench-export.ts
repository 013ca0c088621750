/**
 * How long checkpoint -> ONNX takes: reading the checkpoint, building the graph (fp16 widening and
 * BatchNorm folding included) and serialising, for the shared FastSAM-s checkpoint and a synthetic
 * FastSAM-x-sized one (zero weights, same shapes).
 *   npx tsx scripts/bench-export.ts [--json]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Checkpoint } from '../lib/checkpoint';
import { exportCheckpoint, type ExportOptions } from '../lib/export';
import { syntheticCheckpoint } from './fixtures/checkpoint-yolov8seg';

interface Row {
  model: string;
  imgsz: string;
  readMs: number;
  exportMs: number;
  megabytes: number;
}

function bench(model: string, bytes: Uint8Array, options: ExportOptions): Row {
  const t0 = performance.now();
  const checkpoint = Checkpoint.read(bytes, { label: model });
  const t1 = performance.now();
  const exported = exportCheckpoint(checkpoint, options);
  const t2 = performance.now();
  return {
    model,
    imgsz: exported.dynamic ? 'dynamic' : exported.imgsz.join('x'),
    readMs: Math.round(t1 - t0),
    exportMs: Math.round(t2 - t1),
    megabytes: Math.round(exported.byteLength / 1e5) / 10,
  };
}

const rows: Row[] = [];
const shared = path.resolve(__dirname, '../../shared/models/FastSAM-s-random.pt');
if (fs.existsSync(shared)) {
  const bytes = fs.readFileSync(shared);
  for (const options of [{ imgsz: 640 }, { imgsz: 1024 }, { dynamic: true }]) rows.push(bench('FastSAM-s', bytes, options));
} else {
  console.warn(`(${shared} is absent: FastSAM-s rows skipped)`);
}
rows.push(bench('FastSAM-x (synthetic)', syntheticCheckpoint({ scale: 'x', zeros: true }).bytes, { imgsz: 1024 }));

if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
else console.table(rows);
