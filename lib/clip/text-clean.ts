/**
 * OpenAI CLIP's text cleaning before BPE: basic_clean (fix text, HTML-unescape twice, strip), then
 * whitespace_clean (runs of whitespace to one space, strip), then lower-case.
 *
 * ftfy.fix_text is not reproduced (it repairs mojibake and, among others, maps full-width forms and
 * curly quotes to ASCII); only its final NFC normalisation is, which Hugging Face's CLIP tokenizer
 * applies as well. Text that ftfy would change therefore tokenizes as Hugging Face's tokenizer does.
 */
import { htmlUnescape } from './html-unescape';

// The `regex` module's \s is Unicode White_Space; Python's str.strip() also strips U+001C..U+001F.
const WHITESPACE_RUNS = /\p{White_Space}+/gu;
// eslint-disable-next-line no-control-regex -- U+001C..U+001F are exactly what Python strips
const EDGE_SPACE = /^[\p{White_Space}\x1c-\x1f]+|[\p{White_Space}\x1c-\x1f]+$/gu;

function pythonStrip(text: string): string {
  return text.replace(EDGE_SPACE, '');
}

export function cleanText(text: string): string {
  const unescaped = pythonStrip(htmlUnescape(htmlUnescape(text.normalize('NFC'))));
  return pythonStrip(unescaped.replace(WHITESPACE_RUNS, ' ')).toLowerCase();
}

/**
 * CLIP's pre-split (applied to cleaned, lower-cased text): the special tokens, English contractions,
 * runs of letters, single digits, and runs of anything else that is not whitespace.
 */
export const PRE_SPLIT = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\p{White_Space}\p{L}\p{N}]+/giu;
