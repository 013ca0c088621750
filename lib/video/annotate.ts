/**
 * A frame drawn as our result plots draw (lib/plot/result-plot: masks blended at 0.5, boxes, labels),
 * as raw RGB for the video encoder. Tracked frames are coloured and labelled by track id, as
 * Ultralytics draws tracks: "id:3 person 0.87", one colour per id.
 */
import { decodeImage, type DecodedImage } from '../io/image';
import { plotResult } from '../plot/result-plot';
import { isVideoFrame } from './frames';
import type { VideoResult } from './results';
import { trackView } from './track-view';

async function frameImage(result: VideoResult): Promise<DecodedImage> {
  const source = result.source!;
  if (isVideoFrame(source)) return { rgb: source.data, width: source.width, height: source.height };
  return decodeImage(source);
}

/** The annotated frame: width x height x 3 RGB bytes (the frame itself is not modified). */
export async function annotateFrame(result: VideoResult): Promise<{
  /** width × height × 3 bytes, row-major. */
  rgb: Buffer;
  /** Pixels. */
  width: number;
  /** Pixels. */
  height: number;
}> {
  const image = await frameImage(result);
  const ids = result.ids;
  const canvas = await plotResult(image, ids ? trackView(result, ids) : result);
  return { rgb: await canvas.toRgb(), width: image.width, height: image.height };
}
