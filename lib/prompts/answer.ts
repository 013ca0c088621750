/**
 * Which prompt answers a request that carries several: the reference's Inference.py priority, box, then
 * text, then points, else everything. The CLI, the server, the queue workers and video frames all answer
 * through this one rule.
 */
import type { ClipScorer } from '../clip/scorer';
import type { Result } from '../masks/result';
import type { BoxPrompt, FastSAMPrompt, PointMode, PointPrompt } from './prompt';

/** The prompts a request may carry (CLI keys, form fields, a job, a video's per-frame prompt). */
export interface PromptRequest {
  /** Boxes (x1, y1, x2, y2 in image pixels): the best-matching mask of each. */
  bboxes?: BoxPrompt[];
  /** Points (x, y in image pixels), with `labels`. */
  points?: PointPrompt[];
  /** One per point: 1 foreground, 0 background. Default all 1. */
  labels?: number[];
  /** How points combine (see FastSAMPrompt.point). Default 'merge'. */
  pointMode?: PointMode;
  /** Texts, scored by CLIP (needs `clip`). */
  texts?: string[];
  /** The CLIP model that scores `texts`; without it texts are ignored. */
  clip?: ClipScorer;
}

export function hasPrompts(request: PromptRequest | undefined): request is PromptRequest {
  return !!request && !!(request.bboxes || request.points || request.texts);
}

/** The answer to the highest-priority prompt of the request, or every detection when it has none. */
export async function answerPrompts(prompt: FastSAMPrompt, request: PromptRequest): Promise<Result> {
  if (request.bboxes) return prompt.box(request.bboxes);
  if (request.texts && request.clip) return prompt.text(request.texts, { clip: request.clip });
  if (request.points) return prompt.point(request.points, request.labels, { mode: request.pointMode ?? 'merge' });
  return prompt.everything();
}
