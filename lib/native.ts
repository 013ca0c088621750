/**
 * The typed interface of the native core addon (native/binding/), loaded with node-gyp-build: from
 * prebuilds/<platform>-<arch>/ in an installed package, or from build/Release/ after a local build.
 */
import * as path from 'node:path';
import nodeGypBuild from 'node-gyp-build';
import { FastSAMError, type FastSAMErrorCode, messageOf } from './errors';

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
  /** scale_boxes' mapping between this letterbox and the image: letterbox = image * gain + pad (MaskFrame's). */
  gain: number;
  padX: number;
  padY: number;
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

/** What measureMasks returns: per mask its area and tight bounds, and what the options asked for. */
export interface NativeMeasures {
  areas: Uint32Array;
  /** n x [x1, y1, x2, y2) tight bounds in mask coordinates, zeros for an empty mask. */
  bounds: Int32Array;
  /** With `rects`: pixels of each mask inside each rect, rect-major (rects x n). */
  inside?: Uint32Array;
  /** With `pixels`: mask i holds the pixels hitPixels[hitOffsets[i] .. hitOffsets[i + 1]). */
  hitOffsets?: Uint32Array;
  hitPixels?: Uint32Array;
}

/** One image's prototypes held natively (copied and transposed once): what maskPrototypes() resolves to. */
export type PrototypesHandle = { readonly __brand: 'PrototypesHandle' };

/** Where a CLIP resize goes: the resized size, and the part of it that is wanted (Pillow-exact bicubic). */
export interface ResizeGeometry {
  resizedWidth: number;
  resizedHeight: number;
  left: number;
  top: number;
  cropWidth: number;
  cropHeight: number;
}

export interface NativeBinding {
  /** Copies and transposes one image's prototypes once, for every later renderMasks / paintIndexMap on it. */
  maskPrototypes(protos: Float32Array, options: { nm: number; protoHeight: number; protoWidth: number }): Promise<PrototypesHandle>;
  letterboxGeometry(request: LetterboxRequest & { height: number; width: number }): LetterboxGeometry;
  /**
   * One image into `tensor` at `offset` (written back on the JS thread when done; rejects if the tensor
   * was transferred meanwhile), or without a tensor into a new one (geometry.tensor). The pixels are
   * copied first: the caller may transfer them while the work runs.
   */
  letterbox(
    rgb: Uint8Array,
    request: LetterboxRequest & { height: number; width: number; offset: number },
    tensor: Float32Array,
  ): Promise<LetterboxGeometry>;
  letterbox(
    rgb: Uint8Array,
    request: LetterboxRequest & { height: number; width: number },
  ): Promise<LetterboxGeometry & { tensor: Float32Array }>;
  /**
   * Images of one letterboxed size into one new [slots, 3, H, W] tensor (slots >= images, the rest zeros), in
   * parallel; the tensor is a plain ArrayBuffer the addon allocated (transferable to a worker, never copied).
   */
  letterboxBatch(
    images: { rgb: Uint8Array; width: number; height: number }[],
    request: LetterboxRequest & { slots?: number },
  ): Promise<{ tensor: Float32Array; geometries: LetterboxGeometry[] }>;
  detect(output0: Float32Array, request: DetectRequest): Promise<NativeDetections>;
  renderMasks(
    protos: Float32Array | PrototypesHandle,
    coef: Float32Array,
    boxes: Float32Array,
    request: RenderRequest & { format: 'crop' },
  ): Promise<NativeCrops>;
  renderMasks(
    protos: Float32Array | PrototypesHandle,
    coef: Float32Array,
    boxes: Float32Array,
    request: RenderRequest & { format: 'rle' },
  ): Promise<NativeRles>;
  paintIndexMap(
    protos: Float32Array | PrototypesHandle,
    coef: Float32Array,
    boxes: Float32Array,
    request: RenderRequest,
  ): Promise<Int32Array>;
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
  /** Areas, tight bounds, pixels inside rects (k x 4) and which pixels (m x 2) each mask holds. */
  measureMasks(
    bits: Uint8Array,
    windows: Int32Array,
    offsets: Float64Array,
    options: { rects?: Int32Array; pixels?: Int32Array },
  ): Promise<NativeMeasures>;
  /** A paint plan (ops: k x [mask, 0 set | 1 clear | 2 add, amount]) as one tight crop: window [x, y, w, h]. */
  paintMasks(
    bits: Uint8Array,
    windows: Int32Array,
    offsets: Float64Array,
    options: { ops: Int32Array; maskHeight: number; maskWidth: number },
  ): Promise<{ window: Int32Array; bits: Uint8Array }>;
  /** Indices of the boxes (n x 4, mask coordinates) holding a pixel (m x 2) when widened by `reach`. */
  masksNearPoints(boxes: Float64Array, pixels: Int32Array, options: { reach: number }): Promise<Uint32Array>;
  /** Per mask pixel, the index of the smallest crop covering it (exact areas; ties: the lower index), or -1. */
  smallestOnTop(
    bits: Uint8Array,
    windows: Int32Array,
    offsets: Float64Array,
    options: { maskHeight: number; maskWidth: number },
  ): Promise<Int32Array>;
  /** COCO uncompressed RLE of each crop placed in the mask. */
  cropsToRle(
    bits: Uint8Array,
    windows: Int32Array,
    offsets: Float64Array,
    options: { maskHeight: number; maskWidth: number },
  ): Promise<NativeRles>;
  /** A copy of rgb with tint k (3 floats: colour * alpha + 0.5) blended where the index map holds k. */
  blendIndexMap(
    rgb: Uint8Array,
    index: Int32Array,
    tints: Float32Array,
    options: {
      width: number;
      height: number;
      maskHeight: number;
      maskWidth: number;
      gain: number;
      padX: number;
      padY: number;
      alpha: number;
    },
  ): Promise<Uint8Array>;
  /** An image held natively for Pillow-exact bicubic resizes to one geometry: an opaque handle. */
  clipImage(rgb: Uint8Array, options: { width: number; height: number } & ResizeGeometry): Promise<unknown>;
  /** One crop per window (n x [x0, y0, x1, y1), white outside): bytes, or planar floats through 3 x 256 tables. */
  clipPreprocess(handle: unknown, windows: Int32Array, options: { reuse: boolean }): Promise<Uint8Array>;
  clipPreprocess(handle: unknown, windows: Int32Array, options: { reuse: boolean }, tables: Float32Array): Promise<Float32Array>;
}

/** The codes the addons set on their errors (native/binding/errors.h); anything else is E_NATIVE. */
const NATIVE_CODES: ReadonlySet<FastSAMErrorCode> = new Set<FastSAMErrorCode>([
  'E_BAD_OPTION',
  'E_BAD_SOURCE',
  'E_MODEL_FORMAT',
  'E_DISPOSED',
  'E_INFERENCE',
  'E_BACKEND_UNAVAILABLE',
  'E_NATIVE',
]);

/** What an addon threw or rejected with, as the FastSAMError the README promises (code from the addon). */
export function asNativeError(error: unknown): FastSAMError {
  if (error instanceof FastSAMError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const known = typeof code === 'string' && NATIVE_CODES.has(code as FastSAMErrorCode);
  return new FastSAMError(known ? (code as FastSAMErrorCode) : 'E_NATIVE', messageOf(error), { cause: error });
}

/**
 * An addon object (the exports, or an object it returns) whose every method throws and rejects only
 * FastSAMErrors. Methods named in `sync` return plain values; every other method returns a promise, so an
 * argument error it throws at once becomes a rejection like the rest.
 */
export function wrapNative<T extends object>(target: T, sync: readonly string[] = []): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(object, key, receiver) {
      const value: unknown = Reflect.get(object, key, receiver);
      if (typeof value !== 'function') return value;
      if (!wrapped.has(key)) {
        const fn = value as (...args: unknown[]) => unknown;
        const isSync = typeof key === 'string' && sync.includes(key);
        wrapped.set(key, (...args: unknown[]) => {
          let result: unknown;
          try {
            result = fn.apply(object, args);
          } catch (error) {
            if (isSync) throw asNativeError(error);
            return Promise.reject(asNativeError(error));
          }
          if (result instanceof Promise) {
            return result.catch((error: unknown) => {
              throw asNativeError(error);
            });
          }
          return result;
        });
      }
      return wrapped.get(key);
    },
  });
}

let binding: NativeBinding | undefined;

/** The package root: one level above lib/ (sources under ts-jest) or dist/ (compiled). */
export const packageRoot = path.resolve(__dirname, '..');

/** The core addon, every call wrapped so its errors are FastSAMErrors (letterboxGeometry is synchronous). */
export function native(): NativeBinding {
  if (!binding) {
    try {
      binding = wrapNative(nodeGypBuild(packageRoot) as NativeBinding, ['letterboxGeometry']);
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
