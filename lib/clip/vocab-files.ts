/**
 * Finds and reads a CLIP vocabulary: a directory (tokenizer.json, vocab.json + merges.txt, or
 * bpe_simple_vocab_16e6.txt.gz, in that order), one file (recognised by content: gzip or a merges list
 * is OpenAI's, JSON with a "model" is tokenizer.json, a token -> id object is vocab.json and needs
 * merges.txt beside it), or an explicit { vocab, merges } pair.
 */
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FastSAMError } from '../errors';
import { findTogether, formatError, isDirectory, isFile, readAsset } from './files';
import { type ClipVocab, padTokenFromConfig, vocabFromHfFiles, vocabFromOpenAiMerges, vocabFromTokenizerJson } from './vocab-formats';

/**
 * A CLIP vocabulary: a file or folder, or the two Hugging Face files (vocab.json, merges.txt) by path.
 * @inline
 */
export type VocabSource = string | { vocab: string; merges: string };

export const OPENAI_VOCAB_FILE = 'bpe_simple_vocab_16e6.txt.gz';
const LOOKED_FOR = `tokenizer.json, vocab.json + merges.txt, or ${OPENAI_VOCAB_FILE}`;

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function decodeText(bytes: Buffer, file: string): string {
  if (!isGzip(bytes)) return bytes.toString('utf8');
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch (error) {
    throw formatError(file, 'a gzip-compressed CLIP merges list', 'a damaged gzip stream', error);
  }
}

/** Hugging Face names its pad token in a side file; apply it when the vocabulary has that token. */
async function withPadFromConfig(vocab: ClipVocab, dir: string): Promise<ClipVocab> {
  if (vocab.padId !== undefined) return vocab;
  for (const name of ['tokenizer_config.json', 'special_tokens_map.json']) {
    const file = path.join(dir, name);
    if (!(await isFile(file))) continue;
    const token = padTokenFromConfig((await readAsset(file, 'tokenizer configuration')).toString('utf8'));
    const padId = token === undefined ? undefined : vocab.encoder.get(token);
    if (padId !== undefined) return { ...vocab, padId };
  }
  return vocab;
}

async function loadPair(files: { vocab: string; merges: string }): Promise<ClipVocab> {
  const [vocab, merges] = await Promise.all([
    readAsset(files.vocab, 'CLIP vocabulary (vocab.json)'),
    readAsset(files.merges, 'CLIP merges (merges.txt)'),
  ]);
  return withPadFromConfig(vocabFromHfFiles(vocab.toString('utf8'), merges.toString('utf8'), files), path.dirname(files.vocab));
}

async function loadFile(file: string): Promise<ClipVocab> {
  const text = decodeText(await readAsset(file, 'CLIP vocabulary'), file);
  const start = text.trimStart();
  if (start.startsWith('{')) {
    // tokenizer.json has a "model" object; in vocab.json every value is a number (even for the token "model").
    if (/"model"\s*:\s*\{/.test(text)) return withPadFromConfig(vocabFromTokenizerJson(text, file), path.dirname(file));
    // A bare token -> id object: Hugging Face's vocab.json, whose merges live beside it.
    return loadPair({ vocab: file, merges: path.join(path.dirname(file), 'merges.txt') });
  }
  const vocabBeside = path.join(path.dirname(file), 'vocab.json');
  if (path.basename(file) === 'merges.txt' && (await isFile(vocabBeside))) return loadPair({ vocab: vocabBeside, merges: file });
  if (/^[^\n]*#version/.test(start) || /^\S+ \S+\r?$/m.test(start.slice(0, 200))) return vocabFromOpenAiMerges(text, file);
  throw formatError(file, `a CLIP vocabulary (${LOOKED_FOR})`, `a file starting ${JSON.stringify(start.slice(0, 40))}`);
}

/** The directory's vocabulary, or undefined when it has none. */
export async function findVocabIn(dirs: readonly string[]): Promise<VocabSource | undefined> {
  for (const dir of dirs) {
    if (await isFile(path.join(dir, 'tokenizer.json'))) return path.join(dir, 'tokenizer.json');
    if (await findTogether([dir], ['vocab.json', 'merges.txt'])) {
      return { vocab: path.join(dir, 'vocab.json'), merges: path.join(dir, 'merges.txt') };
    }
    if (await isFile(path.join(dir, OPENAI_VOCAB_FILE))) return path.join(dir, OPENAI_VOCAB_FILE);
  }
  return undefined;
}

export async function loadClipVocab(source: VocabSource): Promise<ClipVocab> {
  if (typeof source !== 'string') return loadPair(source);
  if (!(await isDirectory(source))) return loadFile(source);
  const found = await findVocabIn([source]);
  if (found === undefined) throw new FastSAMError('E_FILE_NOT_FOUND', `no CLIP vocabulary in ${source}: looked for ${LOOKED_FOR}`);
  return loadClipVocab(found);
}
