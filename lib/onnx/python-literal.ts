/**
 * Ultralytics writes ONNX metadata with Python's str(): names as "{0: 'person', 1: 'bicycle'}", imgsz as
 * "[640, 640]". This parses exactly those shapes (dicts of int -> str, lists of ints); nothing is evaluated.
 */

function unquote(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  while (i < text.length && text[i] !== quote) {
    if (text[i] === '\\' && i + 1 < text.length) {
      const next = text[i + 1];
      value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      i += 2;
    } else {
      value += text[i];
      i += 1;
    }
  }
  if (i >= text.length) throw new Error(`unterminated string in ${JSON.stringify(text.slice(0, 60))}`);
  return { value, end: i + 1 };
}

/** Parses "{0: 'a', 1: \"b's\"}" into { 0: 'a', 1: "b's" }. */
export function parsePythonNames(text: string): Record<number, string> {
  const names: Record<number, string> = {};
  const body = text.trim();
  if (!body.startsWith('{') || !body.endsWith('}')) throw new Error(`not a dict: ${JSON.stringify(body.slice(0, 60))}`);
  let i = 1;
  const skipSpace = (): void => {
    while (i < body.length && /[\s,]/.test(body[i])) i += 1;
  };
  for (skipSpace(); i < body.length - 1; skipSpace()) {
    const keyMatch = /^-?\d+/.exec(body.slice(i));
    if (!keyMatch) throw new Error(`expected an integer key at ${JSON.stringify(body.slice(i, i + 20))}`);
    const key = Number(keyMatch[0]);
    i += keyMatch[0].length;
    while (/\s/.test(body[i])) i += 1;
    if (body[i] !== ':') throw new Error(`expected ':' after key ${key}`);
    i += 1;
    while (/\s/.test(body[i])) i += 1;
    if (body[i] !== "'" && body[i] !== '"') throw new Error(`expected a quoted name for key ${key}`);
    const { value, end } = unquote(body, i);
    names[key] = value;
    i = end;
  }
  return names;
}

/** Parses "[640, 640]" or "640" into [640, 640] / [640]. */
export function parsePythonIntList(text: string): number[] {
  const values = text
    .replace(/[[\]()\s]/g, '')
    .split(',')
    .filter((part) => part.length > 0)
    .map(Number);
  if (values.length === 0 || values.some((v) => !Number.isInteger(v))) {
    throw new Error(`not a list of integers: ${JSON.stringify(text)}`);
  }
  return values;
}
