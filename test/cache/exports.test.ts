/**
 * Exported ONNX models are cached by content (checkpoint SHA-256 + options + exporter version), and the
 * whole path works end to end: a checkpoint served over loopback is downloaded, exported once, and loads.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cachedExport, exportKey, resolveOnnx } from '../../lib/cache';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { readOnnxModelInfo } from '../../lib/onnx/model-info';
import { syntheticCheckpoint } from '../../scripts/fixtures/checkpoint-yolov8seg';
import { describeWithShared, sharedPath } from '../helpers/shared';
import { startServer } from './server';

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-exports-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

const checkpoints = new Map<number, Uint8Array>();

function writeCheckpoint(seed: number): string {
  const file = path.join(home, 'yolov8n-seg.pt');
  if (!checkpoints.has(seed)) checkpoints.set(seed, syntheticCheckpoint({ scale: 'n', seed }).bytes);
  fs.writeFileSync(file, checkpoints.get(seed)!);
  return file;
}

describe('cached exports', () => {
  test('made once, reused, and keyed by checkpoint content and options', async () => {
    const checkpoint = writeCheckpoint(1);
    const first = await cachedExport(checkpoint, { imgsz: 64, home });
    expect(path.dirname(first)).toBe(path.join(home, 'exports'));
    expect(path.basename(first)).toMatch(/^yolov8n-seg-[0-9a-f]{16}-64x64-b1-opdefault-v1\.onnx$/);
    expect(readOnnxModelInfo(fs.readFileSync(first)).inputs[0].dims).toEqual([1, 3, 64, 64]);
    const mtime = fs.statSync(first).mtimeMs;
    expect(await cachedExport(checkpoint, { imgsz: 64, home })).toBe(first);
    expect(fs.statSync(first).mtimeMs).toBe(mtime);

    const dynamic = await cachedExport(checkpoint, { dynamic: true, home });
    expect(dynamic).not.toBe(first);
    writeCheckpoint(2); // same name, other weights
    const changed = await cachedExport(checkpoint, { imgsz: 64, home });
    expect(changed).not.toBe(first);
    expect(fs.readdirSync(path.join(home, 'exports')).filter((f) => f.endsWith('.onnx')).length).toBe(3);
  });

  test('option keys are stable and file-name safe', () => {
    expect(exportKey({})).toBe('default-b1-opdefault-v1');
    expect(exportKey({ imgsz: [480, 640], batch: 2, opset: 12 })).toBe('480x640-b2-op12-v1');
    expect(exportKey({ dynamic: true, imgsz: 1024 })).toBe('dynamic-b1-opdefault-v1');
  });

  test('bad options fail before any work', async () => {
    await expect(cachedExport(path.join(home, 'never-read.pt'), { imgsz: -1, home })).rejects.toMatchObject({ code: 'E_BAD_OPTION' });
    expect(fs.existsSync(path.join(home, 'exports'))).toBe(false);
  });

  test('ONNX files pass through resolveOnnx untouched', async () => {
    const onnx = path.join(home, 'model.onnx');
    fs.writeFileSync(onnx, 'x');
    expect(await resolveOnnx(onnx, { home })).toBe(onnx);
  });
});

describeWithShared('models/FastSAM-s-random.pt', 'end to end: a served checkpoint becomes a loadable model', () => {
  test('download over loopback, export once, load and predict', async () => {
    const server = await startServer({ '/FastSAM-s-random.pt': fs.readFileSync(sharedPath('models/FastSAM-s-random.pt')) });
    try {
      const options = { home, baseUrl: server.baseUrl, progress: false, imgsz: 640 } as const;
      const onnx = await resolveOnnx('FastSAM-s-random.pt', options);
      expect(await resolveOnnx('FastSAM-s-random.pt', options)).toBe(onnx);
      expect(server.requests.length).toBe(1);
      const model = await FastSAM.load(onnx);
      try {
        expect(model.contract.fixedSize).toEqual([640, 640]);
        expect(model.contract.isFastSAM).toBe(true);
        const [result] = await model.predict(sharedPath('data/images/bus.jpg'));
        expect(result.length).toBeGreaterThan(0);
      } finally {
        await model.dispose();
      }
    } finally {
      await server.close();
    }
  });
});
