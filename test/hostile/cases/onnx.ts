/**
 * Hostile ONNX files: headers declaring absurd shapes, and metadata (names, imgsz, stride) that a model
 * file could use to make every predict allocate gigabytes or fail untyped. Built with lib/onnx/builder.ts
 * and scripts/fixtures/tiny-models.ts, loaded and run through the public FastSAM class.
 */
import { buildOnnxModel } from '../../../lib/onnx/builder';
import { FastSAM } from '../../../lib/pipeline/fastsam';
import { oneBoxModel } from '../../../scripts/fixtures/tiny-models';

const SIZE = 64;

/** A header only (no nodes): what readContract sees before ONNX Runtime ever does. */
function header(
  input: (number | string)[],
  out0: (number | string)[],
  out1: (number | string)[],
  metadata: Record<string, string> = {},
): Uint8Array {
  return buildOnnxModel({
    nodes: [],
    inputs: [{ name: 'images', dims: input }],
    outputs: [
      { name: 'output0', dims: out0 },
      { name: 'output1', dims: out1 },
    ],
    metadata,
  });
}

async function loadAndPredict(bytes: Uint8Array, imgsz?: number): Promise<number> {
  const model = await FastSAM.load(bytes);
  try {
    const [result] = await model.predict(
      { data: new Uint8Array(SIZE * SIZE * 3).fill(90), width: SIZE, height: SIZE, channels: 3 },
      imgsz ? { imgsz } : {},
    );
    return result.length;
  } finally {
    await model.dispose();
  }
}

function tiny(metadata: Record<string, string>, dynamic = true): Uint8Array {
  return oneBoxModel({ dynamic, metadata });
}

/** No names metadata and output0 declaring 100 M rows (~134 bytes): Array.from({ length: 1e8 }) aborted. */
export async function hundredMillionRows(): Promise<number> {
  const bytes = header([1, 3, 640, 640], [1, 100_000_000, 8400], [1, 32, 160, 160]);
  return loadAndPredict(bytes).then(() => bytes.length);
}

export async function hugeMaskCoefficients(): Promise<number> {
  return loadAndPredict(header([1, 3, 640, 640], [1, 100, 8400], [1, 1_000_000_000, 160, 160]));
}

export async function hugeFixedInput(): Promise<number> {
  return loadAndPredict(header([1, 3, 1_000_000, 1_000_000], [1, 37, 8400], [1, 32, 160, 160]));
}

export async function hugeFixedBatch(): Promise<number> {
  return loadAndPredict(header([1_000_000_000, 3, 640, 640], [1_000_000_000, 37, 8400], [1_000_000_000, 32, 160, 160]));
}

export async function tooManyNames(): Promise<number> {
  const names = `{${Array.from({ length: 100_001 }, (_, i) => `${i}: 'c'`).join(', ')}}`;
  return loadAndPredict(header([1, 3, 640, 640], [1, 100_037, 8400], [1, 32, 160, 160], { names }));
}

export async function namesWithGaps(): Promise<number> {
  return loadAndPredict(header([1, 3, 640, 640], [1, 38, 8400], [1, 32, 160, 160], { names: "{0: 'a', 7: 'b'}" }));
}

export async function hugeNamesText(): Promise<number> {
  return loadAndPredict(header([1, 3, 640, 640], [1, 37, 8400], [1, 32, 160, 160], { names: `{0: '${'x'.repeat(9_000_000)}'}` }));
}

/** imgsz [32768, 32768] on a dynamic model: a 12 GiB letterbox, then an untyped RangeError. */
export const imgszHuge = (): Promise<number> => loadAndPredict(tiny({ imgsz: '[32768, 32768]' }));
/** imgsz [-64, 0], stride [0], stride [1e9]: a raw native TypeError on every predict. */
export const imgszNegative = (): Promise<number> => loadAndPredict(tiny({ imgsz: '[-64, 0]' }));
export const strideZero = (): Promise<number> => loadAndPredict(tiny({ stride: '[0]' }));
export const strideHuge = (): Promise<number> => loadAndPredict(tiny({ stride: '[1000000000]' }));
export const strideExponent = (): Promise<number> => loadAndPredict(tiny({ stride: '[1e9]' }));
export const imgszHex = (): Promise<number> => loadAndPredict(tiny({ imgsz: '[0x40, 0x40]' }));
export const imgszOffStride = (): Promise<number> => loadAndPredict(tiny({ imgsz: '[100, 100]' }));

/** The same tiny model with honest metadata: one detection. */
export const honest = (): Promise<number> => loadAndPredict(tiny({ imgsz: '[64, 64]', stride: '32' }));
