/**
 * Which prompt wins when a request carries several: the reference's Inference.py order, boxes, then
 * texts, then points, else every mask. One home for the rule, for the services that take prompts with
 * a request (the queue worker today; `fastsam predict` and the server apply the same order).
 */
import type { ClipScorer } from '../clip/scorer';
import { FastSAMError } from '../errors';
import type { Result } from '../masks/result';
import type { BoxPrompt, FastSAMPrompt, PointMode, PointPrompt } from './prompt';

export interface PromptSet {
  boxes?: BoxPrompt[];
  points?: PointPrompt[];
  /** Per point: 1 foreground, 0 background. Default: all 1. */
  labels?: number[];
  pointMode?: PointMode;
  texts?: string[];
}

/** Whether the set asks for anything beyond every mask. */
export function hasPrompt(prompts: PromptSet | undefined): boolean {
  return Boolean(prompts && (prompts.boxes || prompts.texts || prompts.points));
}

/** The prompted Result (the unprompted one when the set is empty). Texts need CLIP. */
export async function applyPrompts(prompt: FastSAMPrompt, prompts: PromptSet | undefined, clip?: ClipScorer): Promise<Result> {
  if (prompts?.boxes) return prompt.box(prompts.boxes);
  if (prompts?.texts) {
    if (!clip) throw new FastSAMError('E_BAD_OPTION', 'text prompts need CLIP: load a ClipScorer (on the command line, clip=DIR)');
    return prompt.text(prompts.texts, { clip });
  }
  if (prompts?.points) return prompt.point(prompts.points, prompts.labels, { mode: prompts.pointMode });
  return prompt.everything();
}
