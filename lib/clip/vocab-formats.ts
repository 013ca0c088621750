/**
 * CLIP's BPE vocabulary from the three forms users have, all giving the same 49408 ids for the
 * OpenAI vocabulary:
 * - OpenAI's merges list (bpe_simple_vocab_16e6.txt[.gz]): ids are built from it, as clip.tokenize does
 *   (256 byte characters, the same with '</w>', the first 48894 merges, then the two special tokens);
 * - Hugging Face's vocab.json (token -> id) with merges.txt;
 * - Hugging Face's tokenizer.json (model.vocab and model.merges of a BPE model with '</w>' word ends).
 */
import { BYTE_TO_CHAR, BYTES_IN_VOCAB_ORDER } from './byte-encoder';
import { pairKey } from './bpe';
import { formatError } from './files';

export const START_OF_TEXT = '<|startoftext|>';
export const END_OF_TEXT = '<|endoftext|>';
/** clip.tokenize keeps merges[1 : 49152 - 256 - 2 + 1] of the file: 48894 merges. */
export const OPENAI_MERGE_COUNT = 49152 - 256 - 2;

export interface ClipVocab {
  /** token -> id. */
  encoder: Map<string, number>;
  /** pairKey(first, second) -> merge rank. */
  ranks: Map<string, number>;
  sotId: number;
  eotId: number;
  /** The padding id the vocabulary's own configuration names (Hugging Face), when it names one. */
  padId?: number;
  /** The file(s) it came from, for messages. */
  source: string;
}

type Merge = [string, string];

/**
 * 'first second' lines after a header line. OpenAI's header is '"bpe_simple_vocab_16e6.txt#version: 0.2'
 * and clip.tokenize skips line 0 whatever it holds; Hugging Face's merges.txt starts '#version'.
 */
function parseMergeLines(text: string, file: string, header: 'first-line' | '#version', limit = Infinity): Merge[] {
  const merges: Merge[] = [];
  for (let i = 0, start = 0; start < text.length && merges.length < limit; i++) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(start, text[end - 1] === '\r' ? end - 1 : end);
    start = end + 1;
    if (line === '' || (i === 0 && (header === 'first-line' || line.startsWith('#version')))) continue;
    const parts = line.split(' ');
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      throw formatError(file, "BPE merges, one 'first second' pair a line", JSON.stringify(line.slice(0, 60)));
    }
    merges.push([parts[0], parts[1]]);
  }
  return merges;
}

function rankMerges(merges: readonly Merge[]): Map<string, number> {
  return new Map(merges.map(([a, b], rank) => [pairKey(a, b), rank]));
}

/** Every byte character (alone and word-final) and every merge result must have an id. */
function checkComplete(vocab: ClipVocab, merges: readonly Merge[]): ClipVocab {
  for (const char of BYTE_TO_CHAR) {
    for (const token of [char, `${char}</w>`]) {
      if (!vocab.encoder.has(token)) {
        throw formatError(
          vocab.source,
          "a CLIP byte-level BPE vocabulary (a token for every byte, alone and with '</w>')",
          `no token ${JSON.stringify(token)}`,
        );
      }
    }
  }
  for (const [a, b] of merges) {
    if (!vocab.encoder.has(a + b))
      throw formatError(vocab.source, 'a vocabulary holding every merge result', `no token for the merge '${a} ${b}'`);
  }
  return vocab;
}

function specialId(encoder: Map<string, number>, token: string, file: string): number {
  const id = encoder.get(token);
  if (id === undefined) throw formatError(file, `a CLIP vocabulary with the special token ${token}`, 'none');
  return id;
}

/** OpenAI's bpe_simple_vocab_16e6.txt (decompressed): a header line, then merges. */
export function vocabFromOpenAiMerges(text: string, file: string): ClipVocab {
  // The file lists 262144 merges; clip.tokenize uses only the first 48894, so only those are parsed.
  const used = parseMergeLines(text, file, 'first-line', OPENAI_MERGE_COUNT);
  if (used.length < OPENAI_MERGE_COUNT) {
    throw formatError(file, `OpenAI's CLIP merges list (at least ${OPENAI_MERGE_COUNT} merges)`, `${used.length} merges`);
  }
  const bytes = BYTES_IN_VOCAB_ORDER.map((b) => BYTE_TO_CHAR[b]);
  const tokens = [...bytes, ...bytes.map((c) => `${c}</w>`), ...used.map(([a, b]) => a + b), START_OF_TEXT, END_OF_TEXT];
  const encoder = new Map(tokens.map((token, id) => [token, id]));
  return checkComplete(
    { encoder, ranks: rankMerges(used), sotId: encoder.get(START_OF_TEXT) ?? -1, eotId: encoder.get(END_OF_TEXT) ?? -1, source: file },
    used,
  );
}

function parseJson(text: string, file: string, expected: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw formatError(file, expected, 'text that is not JSON', error);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tokenIds(value: unknown, file: string, expected: string): Map<string, number> {
  if (!isRecord(value)) throw formatError(file, expected, 'no token -> id object');
  const encoder = new Map<string, number>();
  for (const [token, id] of Object.entries(value)) {
    if (!Number.isInteger(id)) throw formatError(file, expected, `token ${JSON.stringify(token)} with id ${JSON.stringify(id)}`);
    encoder.set(token, id as number);
  }
  return encoder;
}

/** Hugging Face vocab.json + merges.txt. */
export function vocabFromHfFiles(vocabJson: string, mergesTxt: string, files: { vocab: string; merges: string }): ClipVocab {
  const expected = 'a CLIP vocab.json (an object of token -> id)';
  const encoder = tokenIds(parseJson(vocabJson, files.vocab, expected), files.vocab, expected);
  const merges = parseMergeLines(mergesTxt, files.merges, '#version');
  const source = `${files.vocab} + ${files.merges}`;
  return checkComplete(
    {
      encoder,
      ranks: rankMerges(merges),
      sotId: specialId(encoder, START_OF_TEXT, files.vocab),
      eotId: specialId(encoder, END_OF_TEXT, files.vocab),
      source,
    },
    merges,
  );
}

function tokenizerJsonMerges(value: unknown, file: string): Merge[] {
  const expected = "tokenizer.json model.merges as 'a b' strings or [a, b] pairs";
  if (!Array.isArray(value)) throw formatError(file, expected, 'no merges array');
  return value.map((entry: unknown): Merge => {
    const pair = typeof entry === 'string' ? entry.split(' ') : entry;
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw formatError(file, expected, JSON.stringify(entry));
    }
    return [pair[0], pair[1]];
  });
}

/** Hugging Face tokenizer.json of a CLIP tokenizer. */
export function vocabFromTokenizerJson(text: string, file: string): ClipVocab {
  const expected = "a CLIP tokenizer.json (a BPE model with '</w>' word ends)";
  const root = parseJson(text, file, expected);
  const model = isRecord(root) ? root.model : undefined;
  if (!isRecord(model)) throw formatError(file, expected, 'no "model" object');
  if (model.type !== undefined && model.type !== 'BPE') throw formatError(file, expected, `a ${String(model.type)} model`);
  if (model.end_of_word_suffix !== undefined && model.end_of_word_suffix !== '</w>') {
    throw formatError(file, expected, `end_of_word_suffix ${JSON.stringify(model.end_of_word_suffix)}`);
  }
  const encoder = tokenIds(model.vocab, file, expected);
  if (isRecord(root) && Array.isArray(root.added_tokens)) {
    for (const added of root.added_tokens as unknown[]) {
      if (isRecord(added) && typeof added.content === 'string' && Number.isInteger(added.id))
        encoder.set(added.content, added.id as number);
    }
  }
  const merges = tokenizerJsonMerges(model.merges, file);
  const padding = isRecord(root) && isRecord(root.padding) ? root.padding : undefined;
  const padId = padding && Number.isInteger(padding.pad_id) ? (padding.pad_id as number) : undefined;
  return checkComplete(
    {
      encoder,
      ranks: rankMerges(merges),
      sotId: specialId(encoder, START_OF_TEXT, file),
      eotId: specialId(encoder, END_OF_TEXT, file),
      ...(padId !== undefined ? { padId } : {}),
      source: file,
    },
    merges,
  );
}

/** The pad token a Hugging Face tokenizer_config.json / special_tokens_map.json names, if any. */
export function padTokenFromConfig(text: string): string | undefined {
  let root: unknown;
  try {
    root = JSON.parse(text) as unknown;
  } catch {
    return undefined; // a broken side file must not block the vocabulary itself
  }
  const pad = isRecord(root) ? root.pad_token : undefined;
  if (typeof pad === 'string') return pad;
  return isRecord(pad) && typeof pad.content === 'string' ? pad.content : undefined;
}
