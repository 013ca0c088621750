/**
 * A frame drawn as our result plots draw (lib/plot/result-plot: masks blended at 0.5, boxes, labels),
 * as raw RGB for the video encoder. Tracked frames are coloured and labelled by track id, as
 * Ultralytics draws tracks: "id:3 person 0.87", one colour per id.
 */
import { Boxes } from '../masks/boxes';
import { decodeImage, type DecodedImage } from '../io/image';
import { plotResult } from '../plot/result-plot';
import { Result } from '../masks/result';
import { isVideoFrame } from './frames';
import type { VideoResult } from './results';

/**
 * plotResult colours and names detections by class; a track view makes each detection's class its id
 * and the id's name "id:N class-name", so the same drawing code colours and labels by track.
 */
export function trackView(result: Result, ids: Int32Array): Result {
  const { xyxy, conf, cls } = result.boxes;
  const names: Record<number, string> = {};
  ids.forEach((id, i) => (names[id] = `id:${id} ${result.names[cls[i]] ?? String(cls[i])}`));
  const boxes = new Boxes(xyxy, conf, Float32Array.from(ids), result.boxes.origShape);
  return new Result(result.origShape, names, boxes, result.masks, result.speed, result.path, result.source);
}

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
