/**
 * One key schema per command: what `key=value` arguments a command takes, their syntax, and one line of
 * help each. Parsing is strict (an unknown key, an empty value, `0x40` for a number are errors, never a
 * silent default); ranges are left to the library's own resolvers, so the CLI, the API and the server
 * refuse the same values with the same messages. Help text (and the CLI reference in docs/) is generated
 * from these schemas, so they cannot drift from what is accepted.
 */
import { FastSAMError } from '../errors';
import { checkKnownKeys } from './check';

export type KeyKind = 'string' | 'path' | 'number' | 'integer' | 'boolean' | 'enum' | 'size' | 'list';

export interface KeySpec {
  kind: KeyKind;
  help: string;
  /** The default, as shown in help. */
  default?: string;
  /** For 'enum'. */
  values?: readonly string[];
  /** For 'list': numbers per group (4 for boxes, 2 for points, 1 for plain lists). */
  group?: number;
  required?: boolean;
}

export interface CommandSchema {
  name: string;
  /** One line: what the command does. */
  summary: string;
  /** The positional shape, e.g. "model=MODEL.onnx source=PATH [key=value ...] [--json]". */
  usage: string;
  keys: Record<string, KeySpec>;
  flags: Record<string, string>;
  /** Paragraphs after the key list (examples, notes). */
  notes?: string[];
}

export type ParsedValue = string | number | boolean | [number, number] | number[] | number[][];
export type ParsedKeys = Record<string, ParsedValue>;

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

function bad(key: string, text: string, expected: string): never {
  throw new FastSAMError('E_BAD_OPTION', `${key}=${text}: expected ${expected}`);
}

function parseNumber(key: string, text: string, integer: boolean): number {
  if (!(integer ? INTEGER : DECIMAL).test(text)) bad(key, text, integer ? 'an integer' : 'a number');
  const value = Number(text);
  if (!Number.isFinite(value)) bad(key, text, 'a finite number');
  return value;
}

function parseBoolean(key: string, text: string): boolean {
  if (/^(true|1|yes)$/i.test(text)) return true;
  if (/^(false|0|no)$/i.test(text)) return false;
  return bad(key, text, 'true or false');
}

/** `640`, `480,640` or `[480,640]`: one side for a square, or height and width. */
function parseSize(key: string, text: string): number | [number, number] {
  const sides = text.replace(/^\[|\]$/g, '').split(',');
  if (sides.length < 1 || sides.length > 2) bad(key, text, 'one number or height,width');
  const numbers = sides.map((s) => parseNumber(key, s.trim(), true));
  return numbers.length === 1 ? numbers[0] : [numbers[0], numbers[1]];
}

/** JSON numbers: `[[x1,y1,x2,y2],...]`, a flat `x1,y1,x2,y2,...`, or one group; as groups of `group`. */
function parseList(key: string, text: string, group: number): number[] | number[][] {
  let value: unknown;
  try {
    value = JSON.parse(text.trim().startsWith('[') ? text : `[${text}]`);
  } catch {
    bad(
      key,
      text,
      `a list of numbers (e.g. ${key}=${group === 1 ? '[1,0]' : `[[${Array.from({ length: group }, (_, i) => i * 10).join(',')}]]`})`,
    );
  }
  const flat = Array.isArray(value) && value.every((v) => typeof v === 'number') ? (value as number[]) : undefined;
  if (group === 1) {
    if (!flat) bad(key, text, 'a flat list of numbers');
    return flat;
  }
  const groups = flat
    ? flat.length % group === 0
      ? Array.from({ length: flat.length / group }, (_, i) => flat.slice(i * group, i * group + group))
      : undefined
    : value;
  if (!Array.isArray(groups) || !groups.every((g) => Array.isArray(g) && g.length === group && g.every((v) => typeof v === 'number'))) {
    bad(key, text, `groups of ${group} numbers`);
  }
  return groups as number[][];
}

function parseValue(key: string, spec: KeySpec, text: string): ParsedValue {
  if (text === '') bad(key, text, `a value (${spec.help})`);
  switch (spec.kind) {
    case 'number':
      return parseNumber(key, text, false);
    case 'integer':
      return parseNumber(key, text, true);
    case 'boolean':
      return parseBoolean(key, text);
    case 'enum':
      if (!spec.values!.includes(text)) bad(key, text, `one of ${spec.values!.join(', ')}`);
      return text;
    case 'size':
      return parseSize(key, text);
    case 'list':
      return parseList(key, text, spec.group ?? 1);
    default:
      return text;
  }
}

/** Checks and types every key=value of one command; required keys must be there. */
export function parseKeys(schema: CommandSchema, values: Record<string, string>): ParsedKeys {
  checkKnownKeys(`fastsam ${schema.name} key`, values, Object.keys(schema.keys));
  const parsed: ParsedKeys = {};
  for (const [key, text] of Object.entries(values)) parsed[key] = parseValue(key, schema.keys[key], text);
  for (const [key, spec] of Object.entries(schema.keys)) {
    if (spec.required && parsed[key] === undefined) {
      throw new FastSAMError('E_BAD_OPTION', `missing ${key}=... (see fastsam ${schema.name} --help)`);
    }
  }
  return parsed;
}

/** Refuses flags the command does not take. */
export function checkFlags(schema: CommandSchema, flags: Set<string>): void {
  checkKnownKeys(`fastsam ${schema.name} flag`, Object.fromEntries([...flags].map((f) => [f, true])), [
    ...Object.keys(schema.flags),
    'help',
  ]);
}

function describeKey(key: string, spec: KeySpec): string {
  const shape =
    spec.kind === 'enum'
      ? spec.values!.join('|')
      : spec.kind === 'boolean'
        ? 'true|false'
        : spec.kind === 'size'
          ? 'N|H,W'
          : spec.kind === 'list'
            ? spec.group === 4
              ? '[[x1,y1,x2,y2],...]'
              : spec.group === 2
                ? '[[x,y],...]'
                : '[n,...]'
            : spec.kind.toUpperCase();
  return `${key}=${shape}`;
}

/** `fastsam CMD --help`: generated from the schema. */
export function helpText(schema: CommandSchema): string {
  const rows = Object.entries(schema.keys).map(([key, spec]) => {
    const left = describeKey(key, spec);
    const suffix = spec.required ? ' (required)' : spec.default !== undefined ? ` (default ${spec.default})` : '';
    return `  ${left.padEnd(30)} ${spec.help}${suffix}`;
  });
  const flags = Object.entries(schema.flags).map(([flag, help]) => `  --${flag.padEnd(28)} ${help}`);
  return [
    `fastsam ${schema.name} ${schema.usage}`,
    `  ${schema.summary}`,
    '',
    ...rows,
    ...flags,
    ...(schema.notes ? ['', ...schema.notes] : []),
  ].join('\n');
}
