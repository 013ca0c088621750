/**
 * CLIP's tokenizer, identical to OpenAI's clip.tokenize: clean the text (see text-clean.ts), pre-split
 * it, map each piece's UTF-8 bytes to the byte alphabet, apply BPE, look the tokens up, and wrap them in
 * <|startoftext|> ... <|endoftext|>.
 *
 *   const tokenizer = await ClipTokenizer.load('bpe_simple_vocab_16e6.txt.gz');
 *   tokenizer.encode('a photo of a dog');          // [49406, 320, 1125, 539, 320, 1929, 49407]
 *   tokenizer.tokenize(['a dog', 'a cat']);        // two rows of 77 ids, padded with 0
 */
import { FastSAMError } from '../errors';
import { checkBoolean, checkInteger, checkKnownKeys, checkOptionsObject, invalid } from '../options/check';
import { MAX_CLIP_CONTEXT, MAX_CLIP_TEXT_CHARS } from '../options/limits';
import { BytePairEncoder } from './bpe';
import { toByteChars } from './byte-encoder';
import { cleanText, PRE_SPLIT } from './text-clean';
import { loadClipVocab, type VocabSource } from './vocab-files';
import { type ClipVocab, END_OF_TEXT, START_OF_TEXT } from './vocab-formats';

export const CLIP_CONTEXT_LENGTH = 77;

/**
 * Options of ClipTokenizer.tokenize.
 * @inline
 */
export interface TokenizeOptions {
  /** Row length; default 77. */
  contextLength?: number;
  /** Cut texts that are too long (keeping <|endoftext|> last) instead of refusing them. Default false. */
  truncate?: boolean;
  /** Id that fills rows after <|endoftext|>; default 0, as clip.tokenize. */
  padId?: number;
}

/** CLIP's byte-pair tokenizer, identical to OpenAI's clip.tokenize. */
export class ClipTokenizer {
  private readonly bpe: BytePairEncoder;

  private constructor(private readonly vocab: ClipVocab) {
    this.bpe = new BytePairEncoder(vocab.ranks, [START_OF_TEXT, END_OF_TEXT]);
  }

  /** Reads a vocabulary: a directory, bpe_simple_vocab_16e6.txt.gz, tokenizer.json, vocab.json (+ merges.txt beside it), or { vocab, merges }. */
  static async load(source: VocabSource): Promise<ClipTokenizer> {
    return new ClipTokenizer(await loadClipVocab(source));
  }

  /**
   * A tokenizer over a vocabulary already in memory.
   * @internal For tests: the vocabulary structure is not public; use load().
   */
  static fromVocab(vocab: ClipVocab): ClipTokenizer {
    return new ClipTokenizer(vocab);
  }

  /** The id of <|startoftext|>. */
  get sotId(): number {
    return this.vocab.sotId;
  }

  /** The id of <|endoftext|>. */
  get eotId(): number {
    return this.vocab.eotId;
  }

  /** The padding id the vocabulary's Hugging Face configuration names, if any. */
  get configuredPadId(): number | undefined {
    return this.vocab.padId;
  }

  /** Tokens in the vocabulary. */
  get vocabSize(): number {
    return this.vocab.encoder.size;
  }

  /** Where the vocabulary came from. */
  get source(): string {
    return this.vocab.source;
  }

  /** The ids of one text, with <|startoftext|> and <|endoftext|>, neither truncated nor padded. */
  encode(text: string): number[] {
    return this.encodeUpTo(text, Infinity);
  }

  /**
   * encode(), stopping once `limit` ids are known (what truncation keeps needs no more). Texts are capped
   * in length: BPE of one long word costs more than linear time (16,000 letters: ~0.25 s).
   */
  private encodeUpTo(text: string, limit: number): number[] {
    if (typeof text !== 'string') invalid('a text prompt', 'a string', text, 'E_BAD_PROMPT');
    if (text.length > MAX_CLIP_TEXT_CHARS)
      invalid('a text prompt', `at most ${MAX_CLIP_TEXT_CHARS} characters`, `${text.length} characters`, 'E_BAD_PROMPT');
    const ids = [this.vocab.sotId];
    for (const [piece] of cleanText(text).matchAll(PRE_SPLIT)) {
      if (ids.length >= limit) break;
      for (const token of this.bpe.encode(toByteChars(piece))) ids.push(this.idOf(token));
    }
    ids.push(this.vocab.eotId);
    return ids;
  }

  /** One row per text of exactly contextLength ids, as clip.tokenize returns them. */
  tokenize(texts: string | readonly string[], options: TokenizeOptions = {}): number[][] {
    checkOptionsObject('tokenize options', options);
    checkKnownKeys('tokenize option', options, ['contextLength', 'truncate', 'padId']);
    // Capped: a row is allocated whole, and contextLength 1e10 was a V8 fatal error, not an exception.
    const contextLength = checkInteger('contextLength', options.contextLength ?? CLIP_CONTEXT_LENGTH, 2, MAX_CLIP_CONTEXT);
    const padId = checkInteger('padId', options.padId ?? 0, 0, 2 ** 31 - 1);
    if (options.truncate !== undefined) checkBoolean('truncate', options.truncate);
    if (typeof texts !== 'string' && !Array.isArray(texts)) invalid('texts', 'a string or an array of strings', texts, 'E_BAD_PROMPT');
    return (typeof texts === 'string' ? [texts] : texts).map((text) => {
      const ids = this.encodeUpTo(text, options.truncate ? contextLength : Infinity);
      if (ids.length > contextLength) {
        if (!options.truncate) {
          throw new FastSAMError(
            'E_BAD_PROMPT',
            `text ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text)} is ${ids.length} tokens, ` +
              `over the context length ${contextLength} (pass truncate: true to cut it)`,
          );
        }
        ids.length = contextLength;
        ids[contextLength - 1] = this.vocab.eotId;
      }
      while (ids.length < contextLength) ids.push(padId);
      return ids;
    });
  }

  private idOf(token: string): number {
    const id = this.vocab.encoder.get(token);
    // Unreachable for a vocabulary that passed checkComplete(); kept so a bad one cannot yield undefined.
    if (id === undefined) throw new FastSAMError('E_MODEL_FORMAT', `${this.vocab.source}: no id for the token ${JSON.stringify(token)}`);
    return id;
  }
}
