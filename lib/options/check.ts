/**
 * One vocabulary for checking what callers pass, and one message format for what is wrong with it:
 * "<name> must be <expected>, got <actual>". Every option, prompt and source check in lib/ goes through
 * these, so a user sees the same shape of message from the API, the CLI, the server and the queue.
 */
import { FastSAMError, type FastSAMErrorCode } from '../errors';

/** The codes a check can raise: what kind of input was wrong. */
export type InputErrorCode = Extract<FastSAMErrorCode, 'E_BAD_OPTION' | 'E_BAD_PROMPT' | 'E_BAD_SOURCE' | 'E_MODEL_FORMAT'>;

const MAX_SHOWN = 80;

/** A value as a message shows it: JSON where it can, short, never throwing. */
export function describeValue(value: unknown): string {
  let text: string;
  if (typeof value === 'number') text = Object.is(value, -0) ? '-0' : String(value);
  else if (typeof value === 'bigint') text = `${value}n`;
  else if (typeof value === 'function') text = 'a function';
  else if (typeof value === 'symbol' || value === undefined) text = String(value);
  else if (ArrayBuffer.isView(value)) text = `a ${value.constructor.name} of ${value.byteLength} bytes`;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}

/** Throws the one message format: "<name> must be <expected>, got <actual>". */
export function invalid(name: string, expected: string, actual: unknown, code: InputErrorCode = 'E_BAD_OPTION'): never {
  throw new FastSAMError(code, `${name} must be ${expected}, got ${describeValue(actual)}`);
}

/** Predicates, for callers that branch instead of throwing. */
export const is = {
  defined: (value: unknown): boolean => value !== undefined && value !== null,
  plainObject: (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value),
  bool: (value: unknown): value is boolean => typeof value === 'boolean',
  string: (value: unknown): value is string => typeof value === 'string',
  nonEmptyString: (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0,
  func: (value: unknown): value is (...args: never[]) => unknown => typeof value === 'function',
  finite: (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value),
  integer: (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value),
  inRange: (value: number, min: number, max: number): boolean => value >= min && value <= max,
  oneOf: <T>(value: unknown, values: readonly T[]): value is T => values.includes(value as T),
};

const range = (min: number, max: number): string => (max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`);

export function checkInteger(name: string, value: unknown, min: number, max: number, code?: InputErrorCode): number {
  if (!is.integer(value) || !is.inRange(value, min, max)) invalid(name, `an integer ${range(min, max)}`, value, code);
  return value;
}

export function checkNumber(name: string, value: unknown, min: number, max: number, code?: InputErrorCode): number {
  if (!is.finite(value) || !is.inRange(value, min, max)) invalid(name, `a number ${range(min, max)}`, value, code);
  return value;
}

export function checkUnitInterval(name: string, value: unknown): number {
  return checkNumber(name, value, 0, 1);
}

export function checkBoolean(name: string, value: unknown, code?: InputErrorCode): boolean {
  if (!is.bool(value)) invalid(name, 'true or false', value, code);
  return value;
}

export function checkString(name: string, value: unknown, code?: InputErrorCode): string {
  if (!is.nonEmptyString(value)) invalid(name, 'a non-empty string', value, code);
  return value;
}

export function checkFunction<T extends (...args: never[]) => unknown>(name: string, value: unknown): T {
  if (!is.func(value)) invalid(name, 'a function', value);
  return value as T;
}

export function checkOneOf<T extends string>(name: string, value: unknown, values: readonly T[], code?: InputErrorCode): T {
  if (!is.oneOf(value, values)) invalid(name, `one of ${values.map((v) => `'${v}'`).join(', ')}`, value, code);
  return value;
}

/** An array of integers in [min, max], at most maxLength long. */
export function checkIntegerList(name: string, value: unknown, min: number, max: number, maxLength: number): number[] {
  if (!Array.isArray(value) || value.length > maxLength || !value.every((v) => is.integer(v) && is.inRange(v, min, max))) {
    invalid(name, `an array of at most ${maxLength} integers ${range(min, max)}`, value);
  }
  return value as number[];
}

/** [height, width] of positive integers up to max. */
export function checkSize(name: string, value: unknown, max: number, code?: InputErrorCode): [number, number] {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => is.integer(v) && is.inRange(v, 1, max))) {
    invalid(name, `[height, width] with integers in [1, ${max}]`, value, code);
  }
  return [value[0] as number, value[1] as number];
}

/** The closest allowed key, for "did you mean" hints on typos. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let diagonal = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length];
  };
  let best: string | undefined;
  let bestDistance = 3; // farther than two edits is not a typo
  for (const candidate of allowed) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Refuses keys outside `allowed`, naming the nearest allowed one: "unknown predict option 'conff' (did you mean 'conf'?)". */
export function checkKnownKeys(what: string, object: object, allowed: readonly string[], code: InputErrorCode = 'E_BAD_OPTION'): void {
  for (const key of Object.keys(object)) {
    if (allowed.includes(key)) continue;
    const hint = closest(key, allowed);
    throw new FastSAMError(code, `unknown ${what} '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
  }
}

/** An options argument: undefined (defaults) or a plain object. */
export function checkOptionsObject(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (!is.plainObject(value)) invalid(name, 'an object', value);
  return value;
}
