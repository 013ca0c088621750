/**
 * What the prompts select, computed in the page with the library's own rules (lib/prompts/rules.ts,
 * measured on bitmaps by lib/prompts/bitmaps.ts): the same answer FastSAMPrompt gives in Node, instantly,
 * without another request. Only text prompts go to the server (CLIP).
 */
import type { SegmentDetection } from '../../formats/segment-answer';
import { maskToImage } from '../../masks/mask-frame';
import { type MaskBitmap, measureBitmaps, paintBitmaps } from '../../prompts/bitmaps';
import { type BoxPrompt, decidePoints, planBoxes, planPoints, type PointMode, type PointPrompt, selectByBoxes } from '../../prompts/rules';
import { cropBitmap, decodeMask, type Everything } from './masks';

/** One selected object: its mask (mask pixels), box (image pixels), score and class. */
export interface Selected {
  bitmap: MaskBitmap;
  box: [number, number, number, number];
  score: number;
  class: number;
  name: string;
  /** The detection it is, when it is one of the everything masks (not a merged mask). */
  index?: number;
}

function detectionSelected(everything: Everything, index: number): Selected {
  const d = everything.detections[index];
  return { bitmap: everything.masks[index], box: d.box, score: d.score, class: d.class, name: d.name, index };
}

export function selectIndices(everything: Everything, indices: Iterable<number>): Selected[] {
  return [...indices].map((i) => detectionSelected(everything, i));
}

export function selectByBoxPrompts(everything: Everything, boxes: BoxPrompt[]): Selected[] {
  if (boxes.length === 0 || everything.masks.length === 0) return [];
  const plan = planBoxes(boxes, everything.frame);
  return selectIndices(everything, selectByBoxes(plan, measureBitmaps(everything.masks, plan)));
}

export function selectByPointPrompts(everything: Everything, points: PointPrompt[], labels: number[], mode: PointMode): Selected[] {
  if (points.length === 0 || everything.masks.length === 0) return [];
  const plan = planPoints(points, labels, everything.frame, mode);
  const decision = decidePoints(plan, measureBitmaps(everything.masks, plan));
  if (decision.kind === 'select') return selectIndices(everything, decision.indices);
  const merged = cropBitmap(paintBitmaps(decision.ops, everything.masks, everything.shape), everything.shape);
  if (merged.width === 0) return []; // the prompt's one merged mask is empty: nothing to show
  const { frame } = everything;
  const [x1, y1] = maskToImage(frame, merged.x, merged.y);
  const [x2, y2] = maskToImage(frame, merged.x + merged.width, merged.y + merged.height);
  const [h0, w0] = frame.origShape;
  const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  const best = decision.contributors.reduce((s, i) => Math.max(s, everything.detections[i].score), 0);
  const first = everything.detections[decision.contributors[0] ?? 0];
  return [
    {
      bitmap: merged,
      box: [clamp(x1, w0), clamp(y1, h0), clamp(x2, w0), clamp(y2, h0)],
      score: best,
      class: first?.class ?? 0,
      name: first?.name ?? 'object',
    },
  ];
}

/** The server's answer to a text prompt, as selections. */
export function selectFromAnswer(everything: Everything, detections: SegmentDetection[]): Selected[] {
  return detections
    .filter((d) => d.mask)
    .map((d) => {
      const index = everything.detections.findIndex((e) => e.box.every((v, k) => v === d.box[k]) && e.score === d.score);
      return { bitmap: decodeMask(d.mask!), box: d.box, score: d.score, class: d.class, name: d.name, ...(index >= 0 ? { index } : {}) };
    });
}
