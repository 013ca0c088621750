/**
 * One frame as the CLI's JSON line: { source, frame, time, detections: [{ id, box, score, class, name,
 * mask }] }, boxes xyxy in frame pixels (3 decimals), scores to 5 decimals (as COCO results are
 * written), masks as COCO compressed RLE at the mask size (the frame's with retina masks).
 */
import { compressRle, type CompressedRLE } from '../formats/coco';
import type { VideoResult } from './results';

export interface FrameDetectionJSON {
  id?: number;
  box: [number, number, number, number];
  score: number;
  class: number;
  name: string;
  mask?: CompressedRLE;
}

export interface FrameJSON {
  source: string;
  frame: number;
  time?: number;
  detections: FrameDetectionJSON[];
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export async function frameJson(source: string, result: VideoResult, options: { masks?: boolean } = {}): Promise<FrameJSON> {
  const { xyxy, conf, cls } = result.boxes;
  const ids = result.ids;
  const rles = options.masks === false ? undefined : await result.masks.toRLE();
  const detections = Array.from({ length: result.length }, (_, i): FrameDetectionJSON => ({
    ...(ids ? { id: ids[i] } : {}),
    box: [0, 1, 2, 3].map((k) => round(xyxy[i * 4 + k], 3)) as [number, number, number, number],
    score: round(conf[i], 5),
    class: cls[i],
    name: result.names[cls[i]] ?? String(cls[i]),
    ...(rles ? { mask: compressRle(rles[i]) } : {}),
  }));
  return { source, frame: result.frame, ...(result.time !== undefined ? { time: round(result.time, 6) } : {}), detections };
}
