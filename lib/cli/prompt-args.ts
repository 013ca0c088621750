/** Prompts on the command line: bboxes=[[x1,y1,x2,y2],...] points=[[x,y],...] labels=[1,0] texts="a dog". */
import { FastSAMError } from '../errors';
import type { BoxPrompt, PointPrompt } from '../prompts/prompt';

function parseJsonNumbers(key: string, text: string): unknown {
  try {
    return JSON.parse(text.trim().startsWith('[') ? text : `[${text}]`);
  } catch {
    throw new FastSAMError('E_BAD_OPTION', `${key}=${text} is not a list of numbers (e.g. ${key}=[[10,20,200,300]])`);
  }
}

/** A flat list of n*k numbers, or a list of k-lists, as k-tuples. */
function tuples(key: string, text: string, k: number): number[][] {
  const value = parseJsonNumbers(key, text);
  const list = Array.isArray(value) && value.every((v) => typeof v === 'number') ? chunk(value as number[], k, key, text) : value;
  if (!Array.isArray(list) || !list.every((t) => Array.isArray(t) && t.length === k && t.every((v) => typeof v === 'number'))) {
    throw new FastSAMError('E_BAD_OPTION', `${key}=${text}: expected groups of ${k} numbers`);
  }
  return list as number[][];
}

function chunk(values: number[], k: number, key: string, text: string): number[][] {
  if (values.length % k !== 0) throw new FastSAMError('E_BAD_OPTION', `${key}=${text}: expected groups of ${k} numbers`);
  return Array.from({ length: values.length / k }, (_, i) => values.slice(i * k, i * k + k));
}

export interface CliPrompts {
  bboxes?: BoxPrompt[];
  points?: PointPrompt[];
  labels?: number[];
  texts?: string[];
}

export function parsePrompts(values: Record<string, string>): CliPrompts {
  const prompts: CliPrompts = {};
  if (values.bboxes) prompts.bboxes = tuples('bboxes', values.bboxes, 4) as BoxPrompt[];
  if (values.points) prompts.points = tuples('points', values.points, 2) as PointPrompt[];
  if (values.labels) prompts.labels = (parseJsonNumbers('labels', values.labels) as unknown[]).flat() as number[];
  if (values.texts)
    prompts.texts = values.texts
      .split('|')
      .map((t) => t.trim())
      .filter(Boolean);
  if (prompts.labels && !prompts.points) throw new FastSAMError('E_BAD_OPTION', 'labels= needs points=');
  return prompts;
}
