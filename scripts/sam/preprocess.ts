/**
 * SAM's image and prompt preprocessing: resize the longest side to the encoder input (1024), normalise
 * with ImageNet mean/std on the 0-255 scale, zero-pad bottom/right to a square, CHW float32. Prompt
 * coordinates are scaled into that frame. Decoding goes through the same decoder FastSAM uses.
 */
import sharp from 'sharp';
import { type ImageSource, decodeImage } from '../../lib/io/image';

const MEAN = [123.675, 116.28, 103.53];
const STD = [58.395, 57.12, 57.375];

export interface SamImage {
  /** [1, 3, size, size] values, CHW. */
  pixels: Float32Array;
  size: number;
  /** Original image size, and the factor from image pixels to encoder-input pixels. */
  width: number;
  height: number;
  scale: number;
}

export async function preprocessForSam(source: ImageSource, size = 1024): Promise<SamImage> {
  const image = await decodeImage(source);
  const scale = size / Math.max(image.width, image.height);
  const w = Math.floor(image.width * scale + 0.5);
  const h = Math.floor(image.height * scale + 0.5);
  const resized = await sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(w, h, { kernel: 'linear', fit: 'fill' })
    .raw()
    .toBuffer();
  const pixels = new Float32Array(3 * size * size); // padding stays 0, as SAM pads after normalising
  const plane = size * size;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const o = y * size + x;
      for (let c = 0; c < 3; c++) pixels[c * plane + o] = (resized[i + c] - MEAN[c]) / STD[c];
    }
  }
  return { pixels, size, width: image.width, height: image.height, scale };
}

export type Point = readonly [number, number];

/** Image-pixel points to encoder-input pixels, flattened x, y, x, y, ... */
export function toInputFrame(points: readonly Point[], scale: number): Float32Array {
  const out = new Float32Array(points.length * 2);
  points.forEach(([x, y], i) => {
    out[2 * i] = x * scale;
    out[2 * i + 1] = y * scale;
  });
  return out;
}

/** The automatic mask generator's grid: n x n cell centres over the image, in image pixels. */
export function pointGrid(n: number, width: number, height: number): Point[] {
  const points: Point[] = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) points.push([((i + 0.5) / n) * width, ((j + 0.5) / n) * height]);
  return points;
}
