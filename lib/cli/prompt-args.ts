/** Prompts on the command line: bboxes=[[x1,y1,x2,y2],...] points=[[x,y],...] labels=[1,0] texts="a dog|a cat" point_mode=. */
import { FastSAMError } from '../errors';
import type { ParsedKeys } from '../options/key-schema';
import type { PromptRequest } from '../prompts/answer';
import type { BoxPrompt, PointMode, PointPrompt } from '../prompts/prompt';

export function promptsFromKeys(keys: ParsedKeys): PromptRequest {
  const prompts: PromptRequest = {};
  if (keys.bboxes) prompts.bboxes = keys.bboxes as BoxPrompt[];
  if (keys.points) prompts.points = keys.points as PointPrompt[];
  if (keys.labels) prompts.labels = keys.labels as number[];
  if (keys.point_mode) prompts.pointMode = keys.point_mode as PointMode;
  if (keys.texts) {
    prompts.texts = (keys.texts as string)
      .split('|')
      .map((t) => t.trim())
      .filter(Boolean);
  }
  if (prompts.labels && !prompts.points) throw new FastSAMError('E_BAD_OPTION', 'labels= needs points=');
  return prompts;
}
