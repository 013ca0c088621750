/**
 * Ultralytics writes ONNX metadata with Python's str(): names as "{0: 'person', 1: 'bicycle'}", imgsz as
 * "[640, 640]". This parses exactly those shapes (dicts of int -> str, lists of decimal ints); nothing is
 * evaluated. Both are bounded: the text's length, the number of entries and each integer's size are capped
 * (a model file is untrusted input), and the work is linear in the text.
 */

export interface LiteralLimits {
  /** Longest text parsed. */
  maxChars: number;
  /** Most entries (names) or items (ints). */
  maxItems: number;
}

const DEFAULT_LIMITS: LiteralLimits = { maxChars: 1 << 20, maxItems: 4096 };
const SHOWN = 60;
// Decimal only, as Python's repr() writes ints: '0x40', '1e3', '0b1' and '' are not ints.
const INT = /^[+-]?\d{1,15}$/;
const KEY = /-?\d{1,15}/y;

const show = (text: string): string => JSON.stringify(text.length > SHOWN ? `${text.slice(0, SHOWN)}...` : text);

function checkLength(text: string, limits: LiteralLimits): void {
  if (typeof text !== 'string') throw new Error(`expected a string, got ${typeof text}`);
  if (text.length > limits.maxChars) throw new Error(`${text.length} characters, over the ${limits.maxChars} allowed`);
}

function unquote(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  const parts: string[] = [];
  let i = start + 1;
  while (i < text.length && text[i] !== quote) {
    if (text[i] === '\\' && i + 1 < text.length) {
      const next = text[i + 1];
      parts.push(next === 'n' ? '\n' : next === 't' ? '\t' : next);
      i += 2;
    } else {
      parts.push(text[i]);
      i += 1;
    }
  }
  if (i >= text.length) throw new Error(`unterminated string in ${show(text)}`);
  return { value: parts.join(''), end: i + 1 };
}

/** Parses "{0: 'a', 1: \"b's\"}" into { 0: 'a', 1: "b's" }. */
export function parsePythonNames(text: string, limits: LiteralLimits = DEFAULT_LIMITS): Record<number, string> {
  checkLength(text, limits);
  const names: Record<number, string> = {};
  let count = 0;
  const body = text.trim();
  if (!body.startsWith('{') || !body.endsWith('}')) throw new Error(`not a dict: ${show(body)}`);
  let i = 1;
  const skipSpace = (): void => {
    while (i < body.length && /[\s,]/.test(body[i])) i += 1;
  };
  for (skipSpace(); i < body.length - 1; skipSpace()) {
    KEY.lastIndex = i;
    const keyMatch = KEY.exec(body);
    if (!keyMatch) throw new Error(`expected an integer key at ${show(body.slice(i, i + 20))}`);
    const key = Number(keyMatch[0]);
    i += keyMatch[0].length;
    while (/\s/.test(body[i])) i += 1;
    if (body[i] !== ':') throw new Error(`expected ':' after key ${key}`);
    i += 1;
    while (/\s/.test(body[i])) i += 1;
    if (body[i] !== "'" && body[i] !== '"') throw new Error(`expected a quoted name for key ${key}`);
    const { value, end } = unquote(body, i);
    if (!Object.prototype.hasOwnProperty.call(names, key) && ++count > limits.maxItems) {
      throw new Error(`more than ${limits.maxItems} names`);
    }
    names[key] = value;
    i = end;
  }
  return names;
}

/** Parses "[640, 640]" or "640" into [640, 640] / [640]. */
export function parsePythonIntList(text: string, limits: LiteralLimits = DEFAULT_LIMITS): number[] {
  checkLength(text, limits);
  const parts = text
    .replace(/[[\]()\s]/g, '')
    .split(',')
    .filter((part) => part.length > 0);
  if (parts.length > limits.maxItems) throw new Error(`more than ${limits.maxItems} integers in ${show(text)}`);
  if (parts.length === 0 || !parts.every((part) => INT.test(part))) {
    throw new Error(`not a list of integers: ${show(text)}`);
  }
  return parts.map(Number);
}
