/**
 * Painting masks onto the canvas. Masks live in mask coordinates (see MaskFrame); every image pixel
 * looks up its mask pixel through the letterbox (nearest), so non-retina masks land where they belong.
 * The blend runs natively, off the JS thread.
 */
import { type MaskFrame } from '../masks/mask-frame';
import { native } from '../native';
import type { PlotCanvas, Rgb } from './canvas';

/** Blends colour[index] over every covered image pixel: out = (1 - alpha) * image + alpha * colour. */
export async function blendIndexMap(canvas: PlotCanvas, index: Int32Array, frame: MaskFrame, colours: Rgb[], alpha: number): Promise<void> {
  const [maskHeight, maskWidth] = frame.shape;
  // alpha * colour + 0.5 per mask, in float32: the blend is then one multiply-add and a truncation.
  const tints = new Float32Array(colours.length * 3);
  colours.forEach((c, i) => tints.set([c[0] * alpha + 0.5, c[1] * alpha + 0.5, c[2] * alpha + 0.5], i * 3));
  canvas.rgb = await native().blendIndexMap(canvas.rgb, index, tints, {
    width: canvas.width,
    height: canvas.height,
    maskHeight,
    maskWidth,
    gain: frame.gain,
    padX: frame.padX,
    padY: frame.padY,
    alpha,
  });
}
