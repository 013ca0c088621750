/**
 * What a segmentation ONNX model promises, read from the file itself: the Ultralytics YOLOv8-seg output
 * contract (output0 [B, 4+nc+nm, N], output1 [B, nm, H/4, W/4]) and its metadata (task, names, stride,
 * imgsz). FastSAM is the nc = 1 case.
 */
import { FastSAMError } from '../errors';
import type { OnnxModelInfo, OnnxValueInfo } from '../onnx/model-info';
import { parsePythonIntList, parsePythonNames } from '../onnx/python-literal';

export interface ModelContract {
  task: 'segment';
  names: Record<number, string>;
  nc: number;
  /** Mask coefficients per detection (32 for every YOLOv8-seg). */
  nm: number;
  stride: number;
  /** Input height and width when fixed by the export; null when dynamic. */
  fixedSize: [number, number] | null;
  /** The size the model was exported at (metadata imgsz), else fixedSize, else 640. */
  imgsz: [number, number];
  /** Fixed batch size, or null when the batch axis is dynamic. */
  fixedBatch: number | null;
  inputName: string;
  /** FastSAM semantics: the full-image-box step and FastSAM's default thresholds. */
  isFastSAM: boolean;
}

const EXPECTED =
  'an Ultralytics YOLOv8-seg / FastSAM ONNX export: one float input [B,3,H,W] and outputs ' +
  'output0 [B,4+nc+32,N] and output1 [B,32,H/4,W/4]';

function fail(found: string): never {
  throw new FastSAMError('E_MODEL_FORMAT', `expected ${EXPECTED}; found ${found}`);
}

function describe(values: OnnxValueInfo[]): string {
  return values.map((v) => `${v.name} [${v.dims.join(',')}]`).join(', ') || 'none';
}

const fixedDim = (dim: number | string | undefined): number | null => (typeof dim === 'number' && dim > 0 ? dim : null);

function readNames(metadata: Record<string, string>, nc: number | null): Record<number, string> {
  if (metadata.names) {
    try {
      return parsePythonNames(metadata.names);
    } catch (error) {
      fail(`unreadable 'names' metadata (${(error as Error).message})`);
    }
  }
  const count = nc ?? 1;
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [i, count === 1 ? 'object' : String(i)]));
}

export function readContract(info: OnnxModelInfo, overrides: { fastsam?: boolean } = {}): ModelContract {
  const { metadata } = info;
  if (metadata.task && metadata.task !== 'segment') fail(`a '${metadata.task}' model (metadata task)`);
  if (info.inputs.length !== 1 || info.outputs.length !== 2) {
    fail(`inputs: ${describe(info.inputs)}; outputs: ${describe(info.outputs)}`);
  }
  const [input] = info.inputs;
  const [out0, out1] = info.outputs;
  if (input.dims.length !== 4 || (input.dims[1] !== 3 && typeof input.dims[1] === 'number')) {
    fail(`input ${describe([input])}`);
  }
  if (out0.dims.length !== 3 || out1.dims.length !== 4) fail(`outputs ${describe(info.outputs)}`);

  const nm = fixedDim(out1.dims[1]) ?? 32;
  const rows = fixedDim(out0.dims[1]);
  const names = readNames(metadata, rows !== null ? rows - 4 - nm : null);
  const nc = Object.keys(names).length;
  if (rows !== null && rows !== 4 + nc + nm) {
    fail(`output0 with ${rows} rows for ${nc} classes and ${nm} mask coefficients (expected ${4 + nc + nm})`);
  }
  const h = fixedDim(input.dims[2]);
  const w = fixedDim(input.dims[3]);
  const fixedSize: [number, number] | null = h !== null && w !== null ? [h, w] : null;
  const stride = metadata.stride ? Math.max(...parsePythonIntList(metadata.stride)) : 32;
  let imgsz: [number, number] = fixedSize ?? [640, 640];
  if (!fixedSize && metadata.imgsz) {
    const list = parsePythonIntList(metadata.imgsz);
    imgsz = [list[0], list[1] ?? list[0]];
  }
  return {
    task: 'segment',
    names,
    nc,
    nm,
    stride,
    fixedSize,
    imgsz,
    fixedBatch: fixedDim(input.dims[0]),
    inputName: input.name,
    isFastSAM: overrides.fastsam ?? nc === 1,
  };
}
