/**
 * FastSAM's plot (FastSAMPrompt.plot, spec 5): each mask over the image with alpha 0.6, smallest on top,
 * random (seedable) colours or a fixed blue, optional contours (2 px, blue at 0.8) and the optional
 * morphological clean-up; boxes as blue rectangles, foreground points yellow, background magenta.
 */
import type { DecodedImage } from '../io/image';
import { refineMasks, smallestOnTop, traceContours } from '../masks/mask-ops';
import type { Result } from '../masks/result';
import { PlotCanvas, type Rgb, seededRandom } from './canvas';
import { blendIndexMap } from './overlay';
import { drawContours } from './lines';
import { boxSvg, pointSvg } from './shapes';

/** Options of FastSAMPrompt.plot(): FastSAM's own picture of a prompt's answer. */
export interface PromptPlotOptions {
  /** Random colour per mask (default true); else FastSAM's blue (30, 144, 255). */
  randomColor?: boolean;
  /** Seed of the random colours (default 0): the same seed gives the same picture. */
  seed?: number;
  /** Morphological clean-up of each mask before drawing: close 3x3, then open 8x8 (default true). */
  betterQuality?: boolean;
  /** Draw each mask's contours (default true). */
  withContours?: boolean;
  /** Boxes to draw (xyxy, image pixels). */
  boxes?: number[][];
  /** Points to draw ([x, y], image pixels), coloured by `labels`. */
  points?: number[][];
  /** One label per point: 1 foreground (yellow), 0 background (magenta). Default all 1. */
  labels?: number[];
}

export const FASTSAM_BLUE: Rgb = [30, 144, 255];
const CONTOUR_BLUE: Rgb = [0, 0, 255];
const MASK_ALPHA = 0.6;

export async function plotPrompt(image: DecodedImage, result: Result, options: PromptPlotOptions = {}): Promise<PlotCanvas> {
  const canvas = new PlotCanvas(new Uint8Array(image.rgb), image.width, image.height);
  const frame = result.masks.frame;
  if (result.masks.length > 0) {
    const random = seededRandom(options.seed ?? 0);
    const colours = Array.from({ length: result.masks.length }, (): Rgb =>
      (options.randomColor ?? true) ? ([random() * 255, random() * 255, random() * 255].map(Math.round) as Rgb) : FASTSAM_BLUE,
    );
    const betterQuality = options.betterQuality ?? true;
    const withContours = options.withContours ?? true;
    // Masks only: paint the index map natively, never materialising a mask. The clean-up and contours
    // need each mask's pixels.
    let masks = betterQuality || withContours ? await result.masks.all() : [];
    if (betterQuality) masks = await refineMasks(masks);
    const index = betterQuality ? await smallestOnTop(masks, frame.shape) : await result.masks.indexMap();
    await blendIndexMap(canvas, index, frame, colours, MASK_ALPHA);
    if (withContours) drawContours(canvas, (await traceContours(masks, 'all', true)).flat(), frame, CONTOUR_BLUE, 0.8);
  }
  for (const box of options.boxes ?? []) canvas.addSvg(boxSvg(box, [0, 0, 255], 1));
  // matplotlib's 'y' and 'm', which the reference's scatter uses; s=20 at 100 dpi is ~3 px radius.
  (options.points ?? []).forEach(([x, y], i) => {
    canvas.addSvg(pointSvg(x, y, (options.labels?.[i] ?? 1) === 1 ? [191, 191, 0] : [191, 0, 191], 3));
  });
  return canvas;
}
