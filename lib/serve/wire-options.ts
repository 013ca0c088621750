/**
 * Request options on the wire, named and parsed as on the CLI: the shared key schema (lib/options/keys.ts:
 * `imgsz conf iou max_det retina_masks agnostic_nms classes`, prompts `bboxes points labels point_mode
 * texts`) plus the server's own `better_quality` and `format`. Query keys and form fields are strings,
 * parsed as `key=value` is; KServe parameters are JSON values, written back as that text first, so both
 * go through the same parser. Ranges are left to predict()'s resolver, prompts are checked with the
 * library's prompt checks before any work: a bad prompt is E_BAD_PROMPT, anything else E_BAD_OPTION.
 */
import { checkKnownKeys, invalid } from '../options/check';
import { type CommandSchema, type KeySpec, type ParsedKeys, parseKeys } from '../options/key-schema';
import { PREDICT_KEYS, PROMPT_KEYS, predictOptionsFromKeys } from '../options/keys';
import { FastSAMError, type BoxPrompt, type PointMode, type PointPrompt, type PredictOptions } from '../index';
import { checkBoxes, checkLabels, checkPoints } from '../prompts/check-prompts';

const pick = (keys: Record<string, KeySpec>, names: string[]) => Object.fromEntries(names.map((name) => [name, keys[name]]));

/** What a request may set: never batch or max_pixels (the server's), nor clip (loaded at start). */
const OPTION_KEYS = pick(PREDICT_KEYS, ['imgsz', 'conf', 'iou', 'max_det', 'retina_masks', 'agnostic_nms', 'classes']);
const PROMPT_WIRE_KEYS = pick(PROMPT_KEYS, ['bboxes', 'points', 'labels', 'point_mode', 'texts']);
const ANSWER_KEYS: Record<string, KeySpec> = {
  better_quality: { kind: 'boolean', help: 'clean up each answered mask (close 3x3, open 8x8)', default: 'false' },
  format: { kind: 'enum', values: ['json', 'png'], help: 'json (detections, RLE masks) or png (the mask index map)', default: 'json' },
};

/** The keys of a segment request, as a schema (for parsing, and for the help of the routes). */
export const SEGMENT_SCHEMA: CommandSchema = {
  name: 'serve',
  summary: 'POST /v1/segment and /v2/models/NAME/infer options',
  usage: '',
  keys: { ...OPTION_KEYS, ...PROMPT_WIRE_KEYS, ...ANSWER_KEYS },
  flags: {},
};

export type AnswerFormat = 'json' | 'png';

/** Texts one request may score with CLIP (each is a text-encoder run). */
export const MAX_TEXTS = 100;

export interface WirePrompts {
  bboxes?: BoxPrompt[];
  points?: PointPrompt[];
  labels?: number[];
  pointMode: PointMode;
  texts?: string[];
}

export interface WireOptions {
  predict: PredictOptions;
  prompts: WirePrompts;
  /** Morphological clean-up of each answered mask (close 3x3, open 8x8), as the CLI's better_quality. */
  betterQuality: boolean;
  format: AnswerFormat;
}

/** A JSON value (KServe parameter) as the `key=value` text the schema parses; strings stay as they are. */
function asText(key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (key === 'texts' && Array.isArray(value) && value.every((t) => typeof t === 'string')) return value.join('|');
  if (typeof value === 'number' || typeof value === 'boolean' || Array.isArray(value)) return JSON.stringify(value);
  return invalid(key, 'a string, a number, a boolean or a list', value);
}

function parseGroup(keys: Record<string, KeySpec>, values: Record<string, string>, code: 'E_BAD_OPTION' | 'E_BAD_PROMPT'): ParsedKeys {
  try {
    return parseKeys({ ...SEGMENT_SCHEMA, keys }, values);
  } catch (error) {
    if (error instanceof FastSAMError && error.code !== code) throw new FastSAMError(code, error.message, { cause: error });
    throw error;
  }
}

/** Reads the options of one request: `values` holds one value per key (repeated query keys are refused before). */
export function parseWireOptions(values: Record<string, unknown>): WireOptions {
  checkKnownKeys('option', values, Object.keys(SEGMENT_SCHEMA.keys));
  const options: Record<string, string> = {};
  const prompts: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) (key in PROMPT_WIRE_KEYS ? prompts : options)[key] = asText(key, value);
  const parsed = parseGroup({ ...OPTION_KEYS, ...ANSWER_KEYS }, options, 'E_BAD_OPTION');
  const p = parseGroup(PROMPT_WIRE_KEYS, prompts, 'E_BAD_PROMPT');

  const wirePrompts: WirePrompts = { pointMode: (p.point_mode as PointMode | undefined) ?? 'merge' };
  if (p.bboxes !== undefined) wirePrompts.bboxes = checkBoxes(p.bboxes);
  if (p.points !== undefined) {
    wirePrompts.points = checkPoints(p.points);
    wirePrompts.labels = checkLabels(p.labels, wirePrompts.points.length);
  } else if (p.labels !== undefined) invalid('labels', 'given with points', p.labels, 'E_BAD_PROMPT');
  if (p.texts !== undefined) {
    const texts = (p.texts as string)
      .split('|')
      .map((t) => t.trim())
      .filter(Boolean);
    if (texts.length === 0 || texts.length > MAX_TEXTS) invalid('texts', `1 to ${MAX_TEXTS} texts separated by |`, p.texts, 'E_BAD_PROMPT');
    wirePrompts.texts = texts;
  }
  return {
    predict: predictOptionsFromKeys(parsed),
    prompts: wirePrompts,
    betterQuality: (parsed.better_quality as boolean | undefined) ?? false,
    format: (parsed.format as AnswerFormat | undefined) ?? 'json',
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
