/**
 * The typed interface of the native core addon (native/binding/), loaded with node-gyp-build: from
 * prebuilds/<platform>-<arch>/ in an installed package, or from build/Release/ after a local build.
 */
import * as path from 'node:path';
import nodeGypBuild from 'node-gyp-build';
import { FastSAMError, messageOf } from './errors';

export interface LetterboxRequest {
  newHeight: number;
  newWidth: number;
  stride: number;
  auto: boolean;
  scaleUp: boolean;
}

export interface LetterboxGeometry {
  unpadWidth: number;
  unpadHeight: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
  /** Tensor size: unpadded size plus padding. */
  width: number;
  height: number;
}

export interface DetectRequest {
  rows: number;
  anchors: number;
  nc: number;
  conf: number;
  iou: number;
  agnostic: boolean;
  maxDet: number;
  classes?: number[];
  /** Every class score above conf is its own candidate (the validator's NMS). */
  multiLabel?: boolean;
  fullImageBox: boolean;
  inputHeight: number;
  inputWidth: number;
  origHeight: number;
  origWidth: number;
}

export interface NativeDetections {
  nm: number;
  boxes: Float32Array;
  inputBoxes: Float32Array;
  conf: Float32Array;
  cls: Float32Array;
  coef: Float32Array;
}

export interface RenderRequest {
  nm: number;
  protoHeight: number;
  protoWidth: number;
  mode: 'letterbox' | 'native';
  inputHeight: number;
  inputWidth: number;
  maskHeight: number;
  maskWidth: number;
  format: 'crop' | 'rle';
}

export interface NativeCrops {
  /** n x [x, y, width, height] windows in mask coordinates. */
  windows: Int32Array;
  /** n + 1 offsets into `bits`. */
  offsets: Float64Array;
  bits: Uint8Array;
}

export interface NativeRles {
  offsets: Uint32Array;
  counts: Uint32Array;
}

/** Cropped masks as the native functions exchange them. */
export interface NativeCropSet {
  windows: Int32Array;
  offsets: Float64Array;
  bits: Uint8Array;
}

export interface NativeContours {
  /** x, y pairs in mask coordinates. */
  points: Int32Array;
  /** Per contour, its first point; one more entry at the end. */
  contourOffsets: Uint32Array;
  /** Per mask, its first contour; one more entry at the end. */
  maskOffsets: Uint32Array;
  holes: Uint8Array;
  parents: Int32Array;
}

export interface NativeBinding {
  letterboxGeometry(request: LetterboxRequest & { height: number; width: number }): LetterboxGeometry;
  letterbox(
    rgb: Uint8Array,
    request: LetterboxRequest & { height: number; width: number; offset: number },
    tensor: Float32Array,
  ): Promise<LetterboxGeometry>;
  detect(output0: Float32Array, request: DetectRequest): Promise<NativeDetections>;
  renderMasks(
    protos: Float32Array,
    coef: Float32Array,
    boxes: Float32Array,
    request: RenderRequest & { format: 'crop' },
  ): Promise<NativeCrops>;
  renderMasks(
    protos: Float32Array,
    coef: Float32Array,
    boxes: Float32Array,
    request: RenderRequest & { format: 'rle' },
  ): Promise<NativeRles>;
  paintIndexMap(protos: Float32Array, coef: Float32Array, boxes: Float32Array, request: RenderRequest): Promise<Int32Array>;
  traceContours(
    bits: Uint8Array,
    windows: Int32Array,
    offsets: Float64Array,
    options: { retrieval: 'external' | 'all'; simple: boolean },
  ): Promise<NativeContours>;
  /** Bit-packed crops (8 pixels a byte, LSB first, rows byte-aligned; mask i from packedStarts[i]) to bytes... */
  unpackMasks(packed: Uint8Array, windows: Int32Array, packedStarts: Float64Array): Promise<NativeCrops>;
  /** ...or to COCO RLE over the full maskHeight x maskWidth mask, read straight from the bits. */
  unpackMasks(
    packed: Uint8Array,
    windows: Int32Array,
    packedStarts: Float64Array,
    options: { format: 'rle'; maskHeight: number; maskWidth: number },
  ): Promise<NativeRles>;
  refineMasks(
    bits: Uint8Array,
    windows: Int32Array,
    offsets: Float64Array,
    options: { maskWidth: number; maskHeight: number },
  ): Promise<NativeCropSet>;
}

let binding: NativeBinding | undefined;

/** The package root: one level above lib/ (sources under ts-jest) or dist/ (compiled). */
export const packageRoot = path.resolve(__dirname, '..');

export function native(): NativeBinding {
  if (!binding) {
    try {
      binding = nodeGypBuild(packageRoot) as NativeBinding;
    } catch (error) {
      throw new FastSAMError(
        'E_NATIVE',
        `the fastsam native addon could not be loaded (${messageOf(error)}); ` +
          `where no prebuilt addon fits this platform, build it from source with \`npx cmake-js compile\` in ${packageRoot} ` +
          '(needs CMake and a C++17 compiler), or `npm run build:native` in a clone of the repository',
        { cause: error },
      );
    }
  }
  return binding;
}
