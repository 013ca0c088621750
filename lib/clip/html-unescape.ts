/**
 * Python's html.unescape(), which CLIP's tokenizer runs (twice) on every text, so '&amp;' and '&#39;' reach
 * the BPE as '&' and "'". The references are found with Python's own pattern (html._charref) and decoded
 * by the `entities` package (the WHATWG tables: named references with the legacy ';'-less names matched
 * longest-first, and the HTML5 numeric rules: Windows-1252 for 0x80-0x9F, U+FFFD for NUL, surrogates and
 * out-of-range values). One rule is Python's alone: control characters and non-characters referenced by
 * number become nothing (html._invalid_codepoints), where HTML5 keeps them.
 */
import { decodeHTML } from 'entities';

// The same alternatives as Python's html._charref; 'u' so that {1,32} counts code points as Python does.
const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

// html._invalid_codepoints, less the numbers html._invalid_charrefs remaps first (0x80-0x9F).
function isDroppedCodePoint(cp: number): boolean {
  return (
    (cp >= 0x01 && cp <= 0x08) ||
    cp === 0x0b ||
    (cp >= 0x0e && cp <= 0x1f) ||
    cp === 0x7f ||
    (cp >= 0xfdd0 && cp <= 0xfdef) ||
    (cp <= 0x10ffff && (cp & 0xfffe) === 0xfffe) // U+xFFFE and U+xFFFF of every plane
  );
}

function numericReference(reference: string, body: string): string {
  const hex = body[1] === 'x' || body[1] === 'X';
  // Python parses arbitrarily long numbers; anything too long for a double is out of range anyway.
  const cp = parseInt(body.slice(hex ? 2 : 1), hex ? 16 : 10);
  return isDroppedCodePoint(cp) ? '' : decodeHTML(reference);
}

/** Replaces HTML character references the way Python's html.unescape does. */
export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARREF, (reference: string, body: string) =>
    body[0] === '#' ? numericReference(reference, body) : decodeHTML(reference),
  );
}
