/**
 * Prompts on video: the same box, point or text prompt applied to every frame with FastSAMPrompt, in the
 * reference's priority (box, then text, then points), and following objects by their track ids.
 */
import { FastSAMError } from '../errors';
import type { ImageSource } from '../io/image';
import { checkKnownKeys, checkOptionsObject, invalid, is } from '../options/check';
import { answerPrompts, hasPrompts, type PromptRequest } from '../prompts/answer';
import { FastSAMPrompt } from '../prompts/prompt';
import { VideoResult } from './results';

/** A prompt applied to every frame. */
export type VideoPrompt = PromptRequest;

const PROMPT_KEYS = ['bboxes', 'points', 'labels', 'pointMode', 'texts', 'clip'] as const;

/** What can be checked before the first frame; the boxes and points themselves FastSAMPrompt checks. */
export function checkVideoPrompt(value: unknown, tracking: boolean): VideoPrompt {
  const prompt = checkOptionsObject('prompt', value) as VideoPrompt;
  checkKnownKeys('prompt option', prompt, PROMPT_KEYS, 'E_BAD_PROMPT');
  for (const key of ['bboxes', 'points', 'labels', 'texts'] as const) {
    if (prompt[key] !== undefined && (!Array.isArray(prompt[key]) || prompt[key].length === 0)) {
      invalid(`prompt.${key}`, 'a non-empty array', prompt[key], 'E_BAD_PROMPT');
    }
  }
  if (prompt.texts && !prompt.texts.every(is.nonEmptyString)) invalid('prompt.texts', 'non-empty strings', prompt.texts, 'E_BAD_PROMPT');
  if (prompt.texts && !prompt.clip) {
    throw new FastSAMError('E_BAD_PROMPT', 'text prompts need { clip }: a ClipScorer (ClipScorer.load(dir))');
  }
  if (prompt.labels && !prompt.points) throw new FastSAMError('E_BAD_PROMPT', 'prompt.labels needs prompt.points');
  if (tracking && prompt.points && !prompt.bboxes && !prompt.texts && (prompt.pointMode ?? 'instances') !== 'instances') {
    invalid(
      'prompt.pointMode when tracking',
      "'instances' (merged point masks are new regions without a track id)",
      prompt.pointMode,
      'E_BAD_PROMPT',
    );
  }
  return prompt;
}

export const hasPrompt = hasPrompts;

/**
 * The frame's answer to the prompt: box, then text, then points, else every detection. Selections keep
 * the frame's ids; a merged point mask is a new region (no id). `tracking` makes 'instances' the
 * default point mode, so a point picks tracked objects.
 */
export async function applyPrompt(result: VideoResult, prompt: VideoPrompt, tracking: boolean): Promise<VideoResult> {
  if (!hasPrompt(prompt)) return result;
  // Results from stream() keep their frame as source: text prompts crop it for CLIP.
  const asker = new FastSAMPrompt(result.source as ImageSource, result);
  const answer = await answerPrompts(asker, { ...prompt, pointMode: prompt.pointMode ?? (tracking ? 'instances' : 'merge') });
  return answer instanceof VideoResult ? answer : new VideoResult(answer, result);
}

/**
 * Following objects by id. Given ids, each frame keeps only those; with 'prompt', the prompt picks the
 * objects on the first frame it selects anything, and from then on their ids are followed (the prompt
 * is not applied again, so the objects can move away from where it pointed).
 */
export class Follower {
  private ids: Set<number> | undefined;

  constructor(
    follow: number | number[] | 'prompt',
    private readonly prompt: VideoPrompt | undefined,
  ) {
    if (follow === 'prompt') {
      if (!hasPrompt(prompt)) throw new FastSAMError('E_BAD_PROMPT', "follow: 'prompt' needs a box, point or text prompt");
    } else {
      const ids = Array.isArray(follow) ? follow : [follow];
      if (ids.length === 0 || !ids.every((id) => is.integer(id) && id >= 1)) {
        invalid('follow', "a track id (integer >= 1), a list of them, or 'prompt'", follow);
      }
      this.ids = new Set(ids);
    }
  }

  /** The ids being followed, once known. */
  get following(): number[] | undefined {
    return this.ids ? [...this.ids] : undefined;
  }

  async apply(tracked: VideoResult): Promise<VideoResult> {
    if (!this.ids) {
      const picked = await applyPrompt(tracked, this.prompt!, true);
      const ids = picked.ids;
      if (picked.length > 0 && ids) this.ids = new Set(ids);
      return picked;
    }
    const ids = tracked.ids ?? new Int32Array(0);
    const keep: number[] = [];
    ids.forEach((id, i) => {
      if (this.ids!.has(id)) keep.push(i);
    });
    return tracked.select(keep);
  }
}
