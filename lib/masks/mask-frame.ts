/**
 * Where masks live relative to the image: retina masks are at the original size; letterboxed masks are
 * at the network input size, with the image scaled by `gain` and offset by the letterbox padding. The
 * mapping is scale_boxes' (spec 3.4), so prompts and polygons map through the letterbox as boxes do. Its
 * numbers come from the native core (the letterbox geometry's gain, padX, padY: native/core/geometry.h),
 * never recomputed here. Pure: the prompt rules bundle this file for the browser.
 */
export interface MaskFrame {
  /** [height, width] of the masks. */
  shape: [number, number];
  /** [height, width] of the original image. */
  origShape: [number, number];
  /** Image pixels -> mask pixels: mask = image * gain + pad. */
  gain: number;
  /** Horizontal letterbox padding, in mask pixels. */
  padX: number;
  /** Vertical letterbox padding, in mask pixels. */
  padY: number;
}

/** scale_boxes' mapping of a letterbox: what the addon's letterbox geometry carries (LetterboxGeometry fits). */
export interface FrameMapping {
  gain: number;
  padX: number;
  padY: number;
}

/**
 * The frame of masks of `maskShape` for an image of `origShape`: the identity when they are the same size
 * (retina masks), else the letterbox's `mapping` (from the letterbox that made the input, or the addon's
 * letterboxGeometry: see lib/masks/frame-mapping.ts).
 */
export function maskFrame(maskShape: [number, number], origShape: [number, number], mapping?: FrameMapping): MaskFrame {
  const [mh, mw] = maskShape;
  const [h0, w0] = origShape;
  if (mh === h0 && mw === w0) return { shape: maskShape, origShape, gain: 1, padX: 0, padY: 0 };
  if (!mapping) throw new RangeError(`masks of ${mw}x${mh} for a ${w0}x${h0} image need the letterbox's mapping`);
  return { shape: maskShape, origShape, gain: mapping.gain, padX: mapping.padX, padY: mapping.padY };
}

export function imageToMask(frame: MaskFrame, x: number, y: number): [number, number] {
  return [x * frame.gain + frame.padX, y * frame.gain + frame.padY];
}

export function maskToImage(frame: MaskFrame, x: number, y: number): [number, number] {
  return [(x - frame.padX) / frame.gain, (y - frame.padY) / frame.gain];
}
