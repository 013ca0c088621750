/** Hostile CLIP tokenizer options, on the designed mini vocabulary (scripts/fixtures/clip-vocab.ts). */
import { ClipTokenizer, type TokenizeOptions } from '../../../lib/clip/tokenizer';
import { vocabFromTokenizerJson } from '../../../lib/clip/vocab-formats';
import { miniClipVocab } from '../../../scripts/fixtures/clip-vocab';

function tokenizer(): ClipTokenizer {
  return ClipTokenizer.fromVocab(vocabFromTokenizerJson(miniClipVocab().tokenizerJson, 'mini tokenizer.json'));
}

/** tokenize(['hello'], { contextLength: 1e10 }) was a V8 fatal error. */
export const contextLength = (value: number): number => tokenizer().tokenize(['hello'], { contextLength: value })[0].length;

export const options = (value: Record<string, unknown>): number => tokenizer().tokenize(['a red dog'], value as TokenizeOptions)[0].length;

/** A long prompt, truncated: linear in its length. */
export const longPrompt = (words: number): number[] => tokenizer().tokenize('a red dog '.repeat(words), { truncate: true })[0].slice(0, 5);

/** One word of a million letters: refused before BPE, whose cost grows faster than its length. */
export const longWord = (letters: number): number => tokenizer().tokenize('ab'.repeat(letters / 2), { truncate: true })[0].length;
