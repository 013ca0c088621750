/**
 * What the exporter refuses, and how: bad options are E_BAD_OPTION; files that are not checkpoints, and
 * checkpoints that do not match their own architecture or are not YOLOv8-seg, are E_MODEL_FORMAT with a
 * message that says what is wrong. Nothing is exported half right.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Checkpoint } from '../../lib/checkpoint';
import { exportCheckpoint, exportOnnx, type ExportOptions } from '../../lib/export';
import { buildOnnxModel, buildOnnxModelParts, type OnnxModelSpec } from '../../lib/onnx/builder';
import { writeZip } from '../../scripts/fixtures/checkpoint-writer';
import { type SyntheticOptions, syntheticCheckpoint } from '../../scripts/fixtures/checkpoint-yolov8seg';

const good = syntheticCheckpoint({ scale: 'n', zeros: true }).bytes;

function exportWith(variant: Partial<SyntheticOptions>): () => unknown {
  const bytes = syntheticCheckpoint({ scale: 'n', zeros: true, ...variant }).bytes;
  return () => exportCheckpoint(Checkpoint.read(bytes), { imgsz: 64 });
}

describe('bad export options are E_BAD_OPTION', () => {
  test.each<[string, ExportOptions]>([
    ['imgsz 0', { imgsz: 0 }],
    ['imgsz with three sides', { imgsz: [64, 64, 64] }],
    ['fractional imgsz', { imgsz: 64.5 }],
    ['opset 10', { opset: 10 }],
    ['opset 22', { opset: 22 }],
    ['batch 0', { batch: 0 }],
    ['dynamic as a string', { dynamic: 'yes' as unknown as boolean }],
    ['an unknown option', { half: true } as unknown as ExportOptions],
  ])('%s', (_, options) => {
    expect(() => exportCheckpoint(Checkpoint.read(good), options)).toThrow(expect.objectContaining({ code: 'E_BAD_OPTION' }));
  });
});

describe('checkpoints that cannot be exported are E_MODEL_FORMAT', () => {
  test.each<[string, Partial<SyntheticOptions>, RegExp]>([
    ['weights of another scale than model.yaml says', { yamlScale: 's' }, /model\.yaml \(scale 's'\) gives/],
    ['a weight the architecture does not use', { extraWeight: true }, /weights its architecture does not use: model\.0\.stray/],
    ['a layer type YOLOv8-seg does not have', { yamlRename: [2, 'C3'] }, /layer 2 is a C3/],
    ['a detection model', { headClass: 'Detect' }, /detection model/],
    ['an activation other than SiLU', { yamlAct: 'nn.ReLU()' }, /activation nn\.ReLU\(\)/],
  ])('%s', (_, variant, message) => {
    expect(exportWith(variant)).toThrow(expect.objectContaining({ code: 'E_MODEL_FORMAT', message: expect.stringMatching(message) }));
  });

  test.each<[string, Uint8Array, RegExp]>([
    ['random bytes', new Uint8Array(4096).map((_, i) => (i * 7919) % 256), /not a zip archive/],
    ['an ONNX model', buildOnnxModel({ nodes: [], inputs: [], outputs: [] }), /not a zip archive/],
    ['a zip without data.pkl', writeZip([{ name: 'a/readme.txt', data: Buffer.from('hi') }]), /no data\.pkl/],
    [
      'a TorchScript archive',
      writeZip([
        { name: 'a/data.pkl', data: Uint8Array.of(0x80, 2, 0x7d, 0x2e) },
        { name: 'a/constants.pkl', data: Uint8Array.of(0x2e) },
      ]),
      /TorchScript/,
    ],
    [
      'the legacy torch format',
      Uint8Array.of(0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19),
      /legacy/,
    ],
  ])('%s', (_, bytes, message) => {
    expect(() => Checkpoint.read(bytes, { label: 'x.pt' })).toThrow(
      expect.objectContaining({ code: 'E_MODEL_FORMAT', message: expect.stringMatching(message) }),
    );
  });

  test('a missing file is E_FILE_NOT_FOUND', async () => {
    await expect(exportOnnx(path.join(os.tmpdir(), 'no-such-checkpoint.pt'))).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
  });

  test('a directory is E_FILE_NOT_FOUND too', async () => {
    await expect(exportOnnx(fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-dir-')))).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
  });
});

describe('buildOnnxModelParts', () => {
  test('writes exactly the bytes of buildOnnxModel, in chunks that reference the weights', () => {
    const weights = new Float32Array([1.5, -2, 3.25, 0]);
    const spec: OnnxModelSpec = {
      producerVersion: '1',
      opsetImports: [{ version: 17 }],
      metadata: { a: 'b', names: "{0: 'object'}" },
      nodes: [{ opType: 'Add', inputs: ['x', 'w'], outputs: ['y'], attributes: { note: { type: 'string', value: 'hi' } } }],
      initializers: [
        { name: 'w', dims: [4], dataType: 'float32', data: weights },
        { name: 'shape', dims: [2], dataType: 'int64', data: [1, -1] },
        { name: 'list', dims: [2], dataType: 'float32', data: [0.5, 0.25] },
      ],
      inputs: [{ name: 'x', dims: ['batch', 4] }],
      outputs: [{ name: 'y', dims: ['batch', 4] }],
    };
    const parts = buildOnnxModelParts(spec);
    expect(Buffer.concat(parts).equals(Buffer.from(buildOnnxModel(spec)))).toBe(true);
    expect(parts.some((p) => p.buffer === weights.buffer)).toBe(true);
  });
});
