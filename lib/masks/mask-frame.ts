/**
 * Where masks live relative to the image: retina masks are at the original size; letterboxed masks are
 * at the network input size, with the image scaled by `gain` and offset by the letterbox padding. The
 * mapping is scale_boxes' (spec 3.4), so prompts and polygons map through the letterbox correctly.
 */
export interface MaskFrame {
  /** [height, width] of the masks. */
  shape: [number, number];
  /** [height, width] of the original image. */
  origShape: [number, number];
  /** Image pixels -> mask pixels: mask = image * gain + pad. */
  gain: number;
  padX: number;
  padY: number;
}

/** Python's round(): half to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function maskFrame(maskShape: [number, number], origShape: [number, number]): MaskFrame {
  const [mh, mw] = maskShape;
  const [h0, w0] = origShape;
  if (mh === h0 && mw === w0) return { shape: maskShape, origShape, gain: 1, padX: 0, padY: 0 };
  const gain = Math.min(mh / h0, mw / w0);
  return {
    shape: maskShape,
    origShape,
    gain,
    padX: roundHalfEven((mw - w0 * gain) / 2 - 0.1),
    padY: roundHalfEven((mh - h0 * gain) / 2 - 0.1),
  };
}

export function imageToMask(frame: MaskFrame, x: number, y: number): [number, number] {
  return [x * frame.gain + frame.padX, y * frame.gain + frame.padY];
}

export function maskToImage(frame: MaskFrame, x: number, y: number): [number, number] {
  return [(x - frame.padX) / frame.gain, (y - frame.padY) / frame.gain];
}
