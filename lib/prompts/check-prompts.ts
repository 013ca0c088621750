/**
 * Checks what callers pass to box and point prompts (E_BAD_PROMPT for anything wrong or over the caps).
 * Pure like rules.ts (it uses only the check vocabulary and the error type), so the web page can check
 * its prompts the same way.
 */
import { invalid, is } from '../options/check';
import { type BoxPrompt, MAX_BOXES, MAX_POINTS, POINT_MODES, type PointMode, type PointPrompt } from './rules';

const BAD = 'E_BAD_PROMPT';

/** One prompt or a list of them: a list is an array whose first entry is itself an array. */
function asList(value: unknown, name: string, expected: string): unknown[] {
  if (!Array.isArray(value)) invalid(name, expected, value, BAD);
  return Array.isArray(value[0]) ? value : [value];
}

function checkCount(name: string, list: unknown[], max: number): void {
  if (list.length === 0) invalid(name, `at least one ${name.replace(/es$|s$/, '')}`, list, BAD);
  if (list.length > max) invalid(`the number of ${name}`, `at most ${max}`, list.length, BAD);
}

const finiteTuple = (value: unknown, length: number): value is number[] =>
  Array.isArray(value) && value.length === length && value.every((v) => is.finite(v));

/** [x1, y1, x2, y2] or a list of them, finite, with positive width and height, at most MAX_BOXES. */
export function checkBoxes(boxes: unknown): BoxPrompt[] {
  const list = asList(boxes, 'boxes', 'a box [x1, y1, x2, y2] or a list of boxes');
  checkCount('boxes', list, MAX_BOXES);
  return list.map((box, i) => {
    if (!finiteTuple(box, 4)) invalid(`box ${i}`, '[x1, y1, x2, y2] with finite numbers', box, BAD);
    if (box[2] <= box[0] || box[3] <= box[1]) invalid(`box ${i}`, 'a box with positive width and height', box, BAD);
    return box as BoxPrompt;
  });
}

/** [x, y] or a list of them, finite, at most MAX_POINTS. */
export function checkPoints(points: unknown): PointPrompt[] {
  const list = asList(points, 'points', 'a point [x, y] or a list of points');
  checkCount('points', list, MAX_POINTS);
  return list.map((point, i) => {
    if (!finiteTuple(point, 2)) invalid(`point ${i}`, '[x, y] with finite numbers', point, BAD);
    return point as PointPrompt;
  });
}

/** One label (0 background, 1 foreground) per point; all 1 when left out. */
export function checkLabels(labels: unknown, count: number): number[] {
  if (labels === undefined) return new Array<number>(count).fill(1);
  if (!Array.isArray(labels) || labels.length !== count) invalid('labels', `an array of ${count} labels (one per point)`, labels, BAD);
  if (!labels.every((l) => l === 0 || l === 1)) invalid('labels', '0 (background) or 1 (foreground) each', labels, BAD);
  return labels as number[];
}

export function checkPointMode(options: unknown): PointMode {
  if (options === undefined) return 'merge';
  if (!is.plainObject(options)) invalid('point options', 'an object', options, BAD);
  const mode = options.mode ?? 'merge';
  if (!is.oneOf(mode, POINT_MODES)) invalid('mode', `one of ${POINT_MODES.map((m) => `'${m}'`).join(', ')}`, mode, BAD);
  return mode;
}
