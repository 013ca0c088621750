/**
 * What a segmentation ONNX model promises, read from the file itself: the Ultralytics YOLOv8-seg output
 * contract (output0 [B, 4+nc+nm, N], output1 [B, nm, H/4, W/4]) and its metadata (task, names, stride,
 * imgsz). FastSAM is the nc = 1 case.
 */
import { FastSAMError, messageOf } from '../errors';
import { checkInteger, checkSize, invalid, is } from '../options/check';
import { ALLOWED_STRIDES, MAX_BATCH, MAX_CLASSES, MAX_IMGSZ, MAX_MASK_COEFFICIENTS, MAX_METADATA_CHARS } from '../options/limits';
import type { OnnxModelInfo, OnnxValueInfo } from '../onnx/model-info';
import { parsePythonIntList, parsePythonNames } from '../onnx/python-literal';

/** What a loaded model promises, read from the ONNX file: its input, outputs and metadata (FastSAM.contract). */
export interface ModelContract {
  /** Always segmentation: other tasks are refused at load (E_MODEL_FORMAT). */
  task: 'segment';
  /** Class names by index, from the metadata; without any: 'object' for one class, else the index. */
  names: Record<number, string>;
  /** Number of classes (1 for FastSAM). */
  nc: number;
  /** Mask coefficients per detection (32 for every YOLOv8-seg). */
  nm: number;
  /** The network's largest stride (32): input sizes are multiples of it. */
  stride: number;
  /** Input height and width when fixed by the export; null when dynamic. */
  fixedSize: [number, number] | null;
  /** The size the model was exported at (metadata imgsz), else fixedSize, else 640. */
  imgsz: [number, number];
  /** Fixed batch size, or null when the batch axis is dynamic. */
  fixedBatch: number | null;
  /** The ONNX input's name. */
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

// Metadata is checked with the caps user options have (lib/options/limits.ts): a model file is input too.
const MODEL = 'E_MODEL_FORMAT' as const;

function parsed<T>(key: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text);
  } catch (error) {
    return fail(`unreadable '${key}' metadata (${messageOf(error)})`);
  }
}

function readNames(metadata: Record<string, string>, nc: number | null): Record<number, string> {
  if (metadata.names) {
    const names = parsed('names', metadata.names, (text) =>
      parsePythonNames(text, { maxChars: MAX_METADATA_CHARS, maxItems: MAX_CLASSES }),
    );
    const count = Object.keys(names).length;
    checkInteger('the number of names in the metadata', count, 1, MAX_CLASSES, MODEL);
    // Class indices are positions in output0's rows: exactly 0..nc-1.
    for (let i = 0; i < count; i++) {
      if (!Object.prototype.hasOwnProperty.call(names, i))
        invalid("the metadata 'names' keys", `0 to ${count - 1}`, Object.keys(names), MODEL);
    }
    return names;
  }
  const count = checkInteger('the number of classes output0 declares (rows - 4 - mask coefficients)', nc ?? 1, 1, MAX_CLASSES, MODEL);
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [i, count === 1 ? 'object' : String(i)]));
}

function readStride(metadata: Record<string, string>): number {
  if (!metadata.stride) return 32;
  const strides = parsed('stride', metadata.stride, (text) => parsePythonIntList(text, { maxChars: 256, maxItems: 8 }));
  const stride = Math.max(...strides);
  if (!strides.every((s) => s >= 1) || !ALLOWED_STRIDES.includes(stride)) {
    invalid("the metadata 'stride'", `a list whose largest value is one of ${ALLOWED_STRIDES.join(', ')}`, metadata.stride, MODEL);
  }
  return stride;
}

function readImgsz(metadata: Record<string, string>, stride: number): [number, number] | null {
  if (!metadata.imgsz) return null;
  const list = parsed('imgsz', metadata.imgsz, (text) => parsePythonIntList(text, { maxChars: 256, maxItems: 2 }));
  const size: [number, number] = [list[0], list[1] ?? list[0]];
  if (!size.every((side) => is.integer(side) && is.inRange(side, stride, MAX_IMGSZ) && side % stride === 0)) {
    invalid("the metadata 'imgsz'", `one or two multiples of the stride ${stride} in [${stride}, ${MAX_IMGSZ}]`, metadata.imgsz, MODEL);
  }
  return size;
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

  const nm = checkInteger('the mask coefficients output1 declares', fixedDim(out1.dims[1]) ?? 32, 1, MAX_MASK_COEFFICIENTS, MODEL);
  const rows = fixedDim(out0.dims[1]);
  const names = readNames(metadata, rows !== null ? rows - 4 - nm : null);
  const nc = Object.keys(names).length;
  if (rows !== null && rows !== 4 + nc + nm) {
    fail(`output0 with ${rows} rows for ${nc} classes and ${nm} mask coefficients (expected ${4 + nc + nm})`);
  }
  const h = fixedDim(input.dims[2]);
  const w = fixedDim(input.dims[3]);
  const fixedSize: [number, number] | null = h !== null && w !== null ? [h, w] : null;
  if (fixedSize) checkSize('the fixed input size', fixedSize, MAX_IMGSZ, MODEL);
  const fixedBatch = fixedDim(input.dims[0]);
  if (fixedBatch !== null) checkInteger('the fixed batch size', fixedBatch, 1, MAX_BATCH, MODEL);
  const stride = readStride(metadata);
  const imgsz = fixedSize ?? readImgsz(metadata, stride) ?? [640, 640];
  return {
    task: 'segment',
    names,
    nc,
    nm,
    stride,
    fixedSize,
    imgsz,
    fixedBatch,
    inputName: input.name,
    isFastSAM: overrides.fastsam ?? nc === 1,
  };
}
