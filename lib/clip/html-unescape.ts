/**
 * Python's html.unescape(), rule for rule: CLIP's tokenizer runs it (twice) on every text, so '&amp;' and
 * '&#39;' reach the BPE as '&' and "'". Numeric references follow the HTML5 rules Python implements
 * (Windows-1252 remapping of 0x80-0x9F, U+FFFD for surrogates and out-of-range values, nothing for
 * control and non-character code points); named ones use the HTML5 table, longest legacy prefix first.
 */
import { LEGACY_NAMES, NAMED_REFERENCES } from './html-entities';

// The same alternatives as Python's html._charref; 'u' so that {1,32} counts code points as Python does.
const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

// html._invalid_charrefs: HTML5 maps these numeric references to other characters.
const REMAPPED: ReadonlyMap<number, string> = new Map([
  [0x00, '\ufffd'],
  [0x0d, '\r'],
  [0x80, '\u20ac'],
  [0x81, '\x81'],
  [0x82, '\u201a'],
  [0x83, '\u0192'],
  [0x84, '\u201e'],
  [0x85, '\u2026'],
  [0x86, '\u2020'],
  [0x87, '\u2021'],
  [0x88, '\u02c6'],
  [0x89, '\u2030'],
  [0x8a, '\u0160'],
  [0x8b, '\u2039'],
  [0x8c, '\u0152'],
  [0x8d, '\x8d'],
  [0x8e, '\u017d'],
  [0x8f, '\x8f'],
  [0x90, '\x90'],
  [0x91, '\u2018'],
  [0x92, '\u2019'],
  [0x93, '\u201c'],
  [0x94, '\u201d'],
  [0x95, '\u2022'],
  [0x96, '\u2013'],
  [0x97, '\u2014'],
  [0x98, '\u02dc'],
  [0x99, '\u2122'],
  [0x9a, '\u0161'],
  [0x9b, '\u203a'],
  [0x9c, '\u0153'],
  [0x9d, '\x9d'],
  [0x9e, '\u017e'],
  [0x9f, '\u0178'],
]);

// html._invalid_codepoints: control characters and non-characters become nothing.
function isDroppedCodePoint(cp: number): boolean {
  return (
    (cp >= 0x01 && cp <= 0x08) ||
    cp === 0x0b ||
    (cp >= 0x0e && cp <= 0x1f) ||
    (cp >= 0x7f && cp <= 0x9f) ||
    (cp >= 0xfdd0 && cp <= 0xfdef) ||
    (cp & 0xfffe) === 0xfffe // U+xFFFE and U+xFFFF of every plane
  );
}

let named: Map<string, string> | undefined;

// A Map, not the object literal: names such as 'constructor' must not reach Object.prototype.
function namedReferences(): Map<string, string> {
  if (!named) {
    named = new Map(Object.entries(NAMED_REFERENCES).map(([name, value]) => [`${name};`, value]));
    for (const name of LEGACY_NAMES) named.set(name, NAMED_REFERENCES[name]);
  }
  return named;
}

function numericReference(body: string): string {
  const hex = body[1] === 'x' || body[1] === 'X';
  const digits = body.slice(hex ? 2 : 1).replace(/;$/, '');
  // Python parses arbitrarily long numbers; anything too long for a double is out of range anyway.
  const cp = hex ? parseInt(digits, 16) : parseInt(digits, 10);
  const remapped = REMAPPED.get(cp);
  if (remapped !== undefined) return remapped;
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return '\ufffd';
  if (isDroppedCodePoint(cp)) return '';
  return String.fromCodePoint(cp);
}

function namedReference(body: string): string {
  const table = namedReferences();
  const whole = table.get(body);
  if (whole !== undefined) return whole;
  // The longest prefix that is a name (only the legacy names can match without ';').
  for (let x = body.length - 1; x > 1; x--) {
    const prefix = table.get(body.slice(0, x));
    if (prefix !== undefined) return prefix + body.slice(x);
  }
  return `&${body}`;
}

/** Replaces HTML character references the way Python's html.unescape does. */
export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARREF, (_, body: string) => (body[0] === '#' ? numericReference(body) : namedReference(body)));
}
