/**
 * Request options on the wire, named as on the CLI (`conf iou imgsz max_det retina_masks agnostic_nms`,
 * prompts `bboxes points labels point_mode texts`, and `better_quality`, `format`), to predict options
 * and prompts. Values come as strings (query keys, form fields: parsed as the CLI parses them) or as
 * JSON values (KServe parameters). Unknown keys are E_BAD_OPTION, malformed prompts E_BAD_PROMPT.
 *
 * This is the server's stand-in for the shared per-command key schema (lib/options, lib/cli) that is on
 * its way: when it lands, `parseWireOptions` maps through it instead of the table below.
 */
import {
  checkBoolean,
  checkInteger,
  checkKnownKeys,
  checkOneOf,
  checkUnitInterval,
  invalid,
  is,
  type InputErrorCode,
} from '../options/check';
import { MAX_DETECTIONS, MAX_IMGSZ } from '../options/limits';
import type { BoxPrompt, PointMode, PointPrompt, PredictOptions } from '../index';

export const WIRE_KEYS = [
  'conf',
  'iou',
  'imgsz',
  'max_det',
  'retina_masks',
  'agnostic_nms',
  'bboxes',
  'points',
  'labels',
  'point_mode',
  'texts',
  'better_quality',
  'format',
] as const;

export type AnswerFormat = 'json' | 'png';

export interface WirePrompts {
  bboxes?: BoxPrompt[];
  points?: PointPrompt[];
  labels?: number[];
  pointMode: PointMode;
  texts?: string[];
}

export interface WireOptions {
  predict: Pick<PredictOptions, 'conf' | 'iou' | 'imgsz' | 'maxDet' | 'retinaMasks' | 'agnosticNms'>;
  prompts: WirePrompts;
  /** Morphological clean-up of each answered mask (close 3x3, open 8x8), as the CLI's better_quality. */
  betterQuality: boolean;
  format: AnswerFormat;
}

/** Most prompt elements one request may carry (a page sends a handful; this bounds the work). */
export const MAX_PROMPTS = 1000;
const MAX_TEXT_LENGTH = 1000;

function numberFrom(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' || !Number.isFinite(Number(trimmed)) ? value : Number(trimmed);
}

function booleanFrom(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (/^(true|1|yes)$/i.test(value.trim())) return true;
  if (/^(false|0|no)$/i.test(value.trim())) return false;
  return value;
}

/** JSON text as the CLI accepts it: "[[1,2],[3,4]]", "[1,2,3,4]" or "1,2,3,4"; other values pass through. */
function jsonFrom(name: string, value: unknown, code: InputErrorCode): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  try {
    return JSON.parse(text.startsWith('[') ? text : `[${text}]`);
  } catch {
    return invalid(name, 'a JSON list of numbers', value, code);
  }
}

/** A flat list of n*k numbers or a list of k-lists, as k-tuples. */
function tuples(name: string, value: unknown, k: number, shape: string): number[][] {
  const list = jsonFrom(name, value, 'E_BAD_PROMPT');
  const finite = (v: unknown) => is.finite(v);
  let groups: unknown = list;
  if (Array.isArray(list) && list.length > 0 && list.every(finite) && list.length % k === 0) {
    groups = Array.from({ length: list.length / k }, (_, i) => list.slice(i * k, i * k + k));
  }
  if (!Array.isArray(groups) || groups.length === 0 || groups.length > MAX_PROMPTS) {
    invalid(name, `a list of 1 to ${MAX_PROMPTS} ${shape}`, value, 'E_BAD_PROMPT');
  }
  groups.forEach((group, i) => {
    if (!Array.isArray(group) || group.length !== k || !group.every(finite)) invalid(`${name}[${i}]`, shape, group, 'E_BAD_PROMPT');
  });
  return groups as number[][];
}

function labelsFrom(value: unknown): number[] {
  const list = jsonFrom('labels', value, 'E_BAD_PROMPT');
  const flat = Array.isArray(list) ? list.flat() : list;
  if (!Array.isArray(flat) || flat.length > MAX_PROMPTS || !flat.every((v) => v === 0 || v === 1)) {
    invalid('labels', 'a list of 0 (background) and 1 (foreground)', value, 'E_BAD_PROMPT');
  }
  return flat as number[];
}

/** "a dog|a cat" (the CLI's form), a JSON list of strings, or a list. */
function textsFrom(value: unknown): string[] {
  let list: unknown = value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('[')) {
      try {
        list = JSON.parse(text);
      } catch {
        invalid('texts', 'texts separated by | or a JSON list of strings', value, 'E_BAD_PROMPT');
      }
    } else list = text.split('|');
  }
  if (!Array.isArray(list)) return invalid('texts', 'texts separated by | or a list of strings', value, 'E_BAD_PROMPT');
  const texts = list.map((t) => (typeof t === 'string' ? t.trim() : t)).filter((t) => t !== '');
  if (texts.length === 0 || texts.length > MAX_PROMPTS || !texts.every((t) => is.string(t) && t.length <= MAX_TEXT_LENGTH)) {
    invalid('texts', `1 to ${MAX_PROMPTS} non-empty texts of at most ${MAX_TEXT_LENGTH} characters`, value, 'E_BAD_PROMPT');
  }
  return texts as string[];
}

function imgszFrom(value: unknown): number | [number, number] {
  let v = numberFrom(value);
  if (typeof v === 'string') v = jsonFrom('imgsz', v, 'E_BAD_OPTION');
  if (Array.isArray(v) && v.length === 2) {
    return [checkInteger('imgsz', v[0], 1, MAX_IMGSZ), checkInteger('imgsz', v[1], 1, MAX_IMGSZ)];
  }
  if (Array.isArray(v) && v.length === 1) v = v[0];
  return checkInteger('imgsz', v, 1, MAX_IMGSZ);
}

/**
 * Reads the wire options of one request. `values` holds one value per key (callers refuse repeated
 * keys); strings are parsed, JSON values checked as they are.
 */
export function parseWireOptions(values: Record<string, unknown>): WireOptions {
  checkKnownKeys('option', values, WIRE_KEYS);
  const v = values;
  const predict: WireOptions['predict'] = {};
  if (v.conf !== undefined) predict.conf = checkUnitInterval('conf', numberFrom(v.conf));
  if (v.iou !== undefined) predict.iou = checkUnitInterval('iou', numberFrom(v.iou));
  if (v.imgsz !== undefined) predict.imgsz = imgszFrom(v.imgsz);
  if (v.max_det !== undefined) predict.maxDet = checkInteger('max_det', numberFrom(v.max_det), 1, MAX_DETECTIONS);
  if (v.retina_masks !== undefined) predict.retinaMasks = checkBoolean('retina_masks', booleanFrom(v.retina_masks));
  if (v.agnostic_nms !== undefined) predict.agnosticNms = checkBoolean('agnostic_nms', booleanFrom(v.agnostic_nms));

  const prompts: WirePrompts = { pointMode: 'merge' };
  if (v.bboxes !== undefined) prompts.bboxes = tuples('bboxes', v.bboxes, 4, '[x1, y1, x2, y2]') as BoxPrompt[];
  if (v.points !== undefined) prompts.points = tuples('points', v.points, 2, '[x, y]') as PointPrompt[];
  if (v.labels !== undefined) {
    if (!prompts.points) invalid('labels', 'given with points', v.labels, 'E_BAD_PROMPT');
    prompts.labels = labelsFrom(v.labels);
    if (prompts.labels.length !== prompts.points.length) {
      invalid('labels', `one label per point (${prompts.points.length})`, v.labels, 'E_BAD_PROMPT');
    }
  }
  if (v.point_mode !== undefined) prompts.pointMode = checkOneOf('point_mode', v.point_mode, ['merge', 'instances', 'additive'] as const);
  if (v.texts !== undefined) prompts.texts = textsFrom(v.texts);

  return {
    predict,
    prompts,
    betterQuality: v.better_quality === undefined ? false : checkBoolean('better_quality', booleanFrom(v.better_quality)),
    format: v.format === undefined ? 'json' : checkOneOf('format', v.format, ['json', 'png'] as const),
  };
}

/** Query or form values: one per key (a repeated key is ambiguous, so it is refused). */
export function singleValues(
  source: Record<string, unknown>,
  into: Record<string, unknown> = Object.create(null),
): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) {
    if (Array.isArray(value) || Object.hasOwn(into, key)) invalid(key, 'given once', Array.isArray(value) ? value : [into[key], value]);
    into[key] = value;
  }
  return into;
}
