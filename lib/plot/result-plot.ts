/**
 * Ultralytics' Results.plot() look for plain segmentation results: class-coloured masks blended at 0.5,
 * boxes with "name 0.87" labels, line width max(round((H + W) / 2 * 0.003), 2).
 */
import { FastSAMError } from '../errors';
import { type DecodedImage, decodeImage, type ImageSource } from '../io/image';
import { Result as ResultClass, type Result } from '../masks/result';
import { PlotCanvas, type Rgb } from './canvas';
import { blendIndexMap } from './overlay';
import { boxSvg, labelSvg } from './shapes';

// Ultralytics' 20-colour palette, indexed by class.
const PALETTE = [
  'FF3838',
  'FF9D97',
  'FF701F',
  'FFB21D',
  'CFD231',
  '48F90A',
  '92CC17',
  '3DDB86',
  '1A9334',
  '00D4BB',
  '2C99A8',
  '00C2FF',
  '344593',
  '6473FF',
  '0018EC',
  '8438FF',
  '520085',
  'CB38FF',
  'FF95C8',
  'FF37C7',
].map((hex): Rgb => [parseInt(hex.slice(0, 2), 16), parseInt(hex.slice(2, 4), 16), parseInt(hex.slice(4, 6), 16)]);

export const classColour = (cls: number): Rgb => PALETTE[((cls % PALETTE.length) + PALETTE.length) % PALETTE.length];

/** Options of Result.plot(): what Ultralytics' Results.plot() draws. Every part is on by default. */
export interface ResultPlotOptions {
  /** Draw the boxes. Default true. */
  boxes?: boolean;
  /** Label each box with its class name. Default true. */
  labels?: boolean;
  /** Add the confidence to labels ("person 0.87"). Default true. */
  conf?: boolean;
  /** Blend the class-coloured masks in at 0.5. Default true. */
  masks?: boolean;
}

export async function plotResult(image: DecodedImage, result: Result, options: ResultPlotOptions = {}): Promise<PlotCanvas> {
  const canvas = new PlotCanvas(new Uint8Array(image.rgb), image.width, image.height);
  const { xyxy, conf, cls } = result.boxes;
  if (options.masks ?? true) {
    await blendIndexMap(canvas, await result.masks.indexMap(), result.masks.frame, Array.from(cls, classColour), 0.5);
  }
  const lineWidth = Math.max(Math.round(((image.height + image.width) / 2) * 0.003), 2);
  const fontSize = Math.max(lineWidth * 5, 10);
  for (let i = result.length - 1; i >= 0; i--) {
    const colour = classColour(cls[i]);
    const box = xyxy.subarray(i * 4, i * 4 + 4);
    if (options.boxes ?? true) canvas.addSvg(boxSvg(box, colour, lineWidth));
    if (options.labels ?? true) {
      const name = result.names[cls[i]] ?? String(cls[i]);
      const text = (options.conf ?? true) ? `${name} ${conf[i].toFixed(2)}` : name;
      canvas.addSvg(labelSvg(text, box[0], box[1], colour, fontSize));
    }
  }
  return canvas;
}

declare module '../masks/result' {
  interface Result {
    /**
     * Ultralytics-style picture: class-coloured masks, boxes, "name 0.87" labels. Written to `output`
     * (.png/.jpg) when given; returns the encoded image. `source` is needed for results of postprocess().
     */
    plot(options?: ResultPlotOptions & { output?: string; source?: ImageSource }): Promise<Buffer>;
  }
}

// Plotting adds itself to the result model, so the result model never depends on plotting.
ResultClass.prototype.plot = async function plot(
  this: Result,
  options: ResultPlotOptions & { output?: string; source?: ImageSource } = {},
): Promise<Buffer> {
  const source = options.source ?? this.source;
  if (source === undefined) throw new FastSAMError('E_BAD_OPTION', 'plot() needs the image: pass { source }');
  const canvas = await plotResult(await decodeImage(source), this, options);
  return options.output ? canvas.save(options.output) : canvas.encode('png');
};
