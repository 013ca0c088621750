/**
 * ClipScorer: a CLIP model (image + text encoders and its tokenizer) ready to embed images and texts.
 *
 *   const clip = await ClipScorer.load('clip-vit-base-patch32/');   // vision_model.onnx + text_model.onnx + tokenizer.json
 *   const [dog] = await clip.encodeTexts(['a photo of a dog']);
 *   const images = await clip.encodeImages([{ rgb, width, height }]);
 *
 * A directory is searched (itself, then its onnx/ folder) for vision_model.onnx + text_model.onnx, else
 * model.onnx (combined); the vocabulary beside them (see vocab-files.ts). Embeddings are L2-normalised.
 */
import * as path from 'node:path';
import { FastSAMError } from '../errors';
import { ClipEncoders, type EncoderFiles } from './encoders';
import { findTogether, isDirectory, isFile } from './files';
import { ClipPreprocessor, type RawRgb } from './preprocess';
import { normaliseRows } from './similarity';
import { ClipTokenizer } from './tokenizer';
import { findVocabIn, type VocabSource } from './vocab-files';

/**
 * Where a CLIP model is: a folder (vision_model.onnx + text_model.onnx, or model.onnx, and a vocabulary), or the files by path.
 */
export type ClipSource =
  | string
  | {
      /** The image encoder (vision_model.onnx). */
      vision: string;
      /** The text encoder (text_model.onnx). */
      text: string;
      /** The vocabulary; default: looked for beside the encoders. */
      vocab?: VocabSource;
    }
  | {
      /** One ONNX file with both encoders (model.onnx). */
      combined: string;
      /** The vocabulary; default: looked for beside the model. */
      vocab?: VocabSource;
    };

/** Options of ClipScorer.load. */
export interface ClipLoadOptions {
  /** Intra-op threads for each encoder; default one per core. */
  threads?: number;
}

/**
 * Options of ClipScorer.encodeImages.
 * @inline
 */
export interface EncodeImagesOptions {
  /** Images per encoder run; default 32. */
  batchSize?: number;
}

/**
 * Options of ClipScorer.encodeTexts and textInputs.
 * @inline
 */
export interface EncodeTextsOptions {
  /** Cut texts over the context length (77) instead of refusing them, as clip.tokenize(truncate=True). */
  truncate?: boolean;
}

const MODEL_FILES = 'vision_model.onnx + text_model.onnx, or model.onnx';
export const DEFAULT_BATCH = 32;

async function locateModels(dir: string): Promise<EncoderFiles> {
  const dirs = [dir, path.join(dir, 'onnx')];
  const split = await findTogether(dirs, ['vision_model.onnx', 'text_model.onnx']);
  if (split) return { vision: path.join(split, 'vision_model.onnx'), text: path.join(split, 'text_model.onnx') };
  for (const d of dirs) if (await isFile(path.join(d, 'model.onnx'))) return { combined: path.join(d, 'model.onnx') };
  throw new FastSAMError('E_FILE_NOT_FOUND', `no CLIP encoders in ${dir}: looked for ${MODEL_FILES} (there and in onnx/)`);
}

/** Where a vocabulary may sit for models in `dir`: beside them, or above an onnx/ folder (transformers.js). */
function vocabDirs(dir: string): string[] {
  return path.basename(dir) === 'onnx' ? [dir, path.dirname(dir)] : [dir, path.join(dir, 'onnx')];
}

async function locateVocab(nearModels: string[], explicit: VocabSource | undefined): Promise<VocabSource> {
  if (explicit !== undefined) return explicit;
  const dirs = [...new Set(nearModels.flatMap(vocabDirs))];
  const found = await findVocabIn(dirs);
  if (found === undefined) {
    throw new FastSAMError(
      'E_FILE_NOT_FOUND',
      `no CLIP vocabulary next to the encoders: looked for tokenizer.json, vocab.json + merges.txt, or ` +
        `bpe_simple_vocab_16e6.txt.gz in ${dirs.join(', ')} (pass { vocab } to name it)`,
    );
  }
  return found;
}

async function resolve(source: ClipSource): Promise<{ models: EncoderFiles; vocab: VocabSource }> {
  if (typeof source === 'string') {
    if (await isDirectory(source)) return { models: await locateModels(source), vocab: await locateVocab([source], undefined) };
    if (!(await isFile(source)))
      throw new FastSAMError('E_FILE_NOT_FOUND', `CLIP model directory not found: ${source} (expected a folder with ${MODEL_FILES})`);
    return { models: { combined: source }, vocab: await locateVocab([path.dirname(source)], undefined) };
  }
  if (typeof source !== 'object' || source === null)
    throw new FastSAMError('E_BAD_OPTION', 'a CLIP source is a directory, { vision, text, vocab? } or { combined, vocab? }');
  if ('combined' in source)
    return { models: { combined: source.combined }, vocab: await locateVocab([path.dirname(source.combined)], source.vocab) };
  if (typeof source.vision !== 'string' || typeof source.text !== 'string') {
    throw new FastSAMError('E_BAD_OPTION', 'a CLIP source object needs vision and text file paths (or combined)');
  }
  return {
    models: { vision: source.vision, text: source.text },
    vocab: await locateVocab([path.dirname(source.text), path.dirname(source.vision)], source.vocab),
  };
}

export function checkBatch(batchSize: number): number {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1024) {
    throw new FastSAMError('E_BAD_OPTION', `batchSize must be an integer in [1, 1024], got ${String(batchSize)}`);
  }
  return batchSize;
}

function checkImage(image: RawRgb, i: number): void {
  const { rgb, width, height } = image ?? ({} as Partial<RawRgb>);
  if (
    !(rgb instanceof Uint8Array) ||
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    rgb.length !== width * height * 3
  ) {
    throw new FastSAMError(
      'E_BAD_SOURCE',
      `image ${i} must be { rgb: Uint8Array of width*height*3 bytes, width, height } with a positive size`,
    );
  }
}

/** A CLIP model (image and text encoders, and its tokenizer) that embeds images and texts, for text prompts. */
export class ClipScorer {
  private readonly placeholderIds: number[];

  private constructor(
    private readonly encoders: ClipEncoders,
    /** The model's tokenizer. */
    readonly tokenizer: ClipTokenizer,
  ) {
    this.placeholderIds = tokenizer.tokenize('', { contextLength: this.contextLength, padId: this.padId })[0];
  }

  /**
   * Loads a CLIP model: a folder, or the files by path (see ClipSource). Throws E_FILE_NOT_FOUND when no encoders or vocabulary
   * are found, E_MODEL_FORMAT for files that are not CLIP's, E_BAD_OPTION for bad options.
   */
  static async load(source: ClipSource, options: ClipLoadOptions = {}): Promise<ClipScorer> {
    if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
      throw new FastSAMError('E_BAD_OPTION', `threads must be a positive integer, got ${String(options.threads)}`);
    }
    const { models, vocab } = await resolve(source);
    const tokenizer = await ClipTokenizer.load(vocab);
    const encoders = await ClipEncoders.load(models, options);
    return new ClipScorer(encoders, tokenizer);
  }

  /** Side of the square images the image encoder takes (224 for ViT-B/32). */
  get imageSize(): number {
    return this.encoders.image.size;
  }

  /** Token row length the text encoder takes (77 for CLIP). */
  get contextLength(): number {
    return this.encoders.text.contextLength;
  }

  /** Hugging Face exports get the tokenizer's pad token (<|endoftext|>), OpenAI-style ones 0, as each was trained. */
  get padId(): number {
    if (this.encoders.text.style === 'openai') return 0;
    return this.tokenizer.configuredPadId ?? this.tokenizer.eotId;
  }

  /** Embedding width, once known. */
  get embedDim(): number | null {
    return this.encoders.embedDim;
  }

  /** The files in use, for messages. */
  get files(): {
    /** The image encoder's file. */
    image: string;
    /** The text encoder's file (the same file for a combined model). */
    text: string;
    /** The vocabulary's file(s). */
    vocab: string;
  } {
    return { image: this.encoders.image.file, text: this.encoders.text.file, vocab: this.tokenizer.source };
  }

  /**
   * A preprocessor for this model's input size (keeps resize plans between calls).
   * @internal For selectByText; its type is not public.
   */
  createPreprocessor(): ClipPreprocessor {
    return new ClipPreprocessor(this.imageSize);
  }

  /** The padded token rows and real lengths the text encoder is fed. */
  textInputs(
    texts: readonly string[],
    options: EncodeTextsOptions = {},
  ): {
    /** One row of contextLength token ids per text, padded with padId. */
    rows: number[][];
    /** Each row's real length, <|endoftext|> included. */
    lengths: number[];
  } {
    const rows = this.tokenizer.tokenize(texts, { contextLength: this.contextLength, truncate: options.truncate, padId: this.padId });
    const lengths = rows.map((row) => row.indexOf(this.tokenizer.eotId) + 1);
    return { rows, lengths };
  }

  /** L2-normalised text embeddings, one per text. */
  async encodeTexts(texts: readonly string[], options: EncodeTextsOptions = {}): Promise<Float32Array[]> {
    if (!Array.isArray(texts) || texts.length === 0)
      throw new FastSAMError('E_BAD_PROMPT', 'encodeTexts needs a non-empty array of strings');
    const { rows, lengths } = this.textInputs(texts, options);
    const { data, count, dim } = await this.encoders.encodeTexts(rows, lengths);
    return normaliseRows(data, count, dim);
  }

  /** L2-normalised image embeddings of whole images (each preprocessed as CLIP does), one per image. */
  async encodeImages(images: readonly RawRgb[], options: EncodeImagesOptions = {}): Promise<Float32Array[]> {
    if (!Array.isArray(images)) throw new FastSAMError('E_BAD_SOURCE', 'encodeImages needs an array of images');
    images.forEach(checkImage);
    const batchSize = checkBatch(options.batchSize ?? DEFAULT_BATCH);
    const preprocessor = this.createPreprocessor();
    const plane = 3 * this.imageSize * this.imageSize;
    const out: Float32Array[] = [];
    for (let start = 0; start < images.length; start += batchSize) {
      const batch = images.slice(start, start + batchSize);
      const tensors = await Promise.all(batch.map((image) => preprocessor.run(image, [[0, 0, image.width, image.height]])));
      const pixels = new Float32Array(batch.length * plane);
      tensors.forEach((tensor, i) => pixels.set(tensor, i * plane));
      out.push(...(await this.encodePixels(pixels, batch.length)));
    }
    return out;
  }

  /** L2-normalised embeddings of `count` preprocessed images ([count, 3, size, size] floats). */
  async encodePixels(pixels: Float32Array, count: number): Promise<Float32Array[]> {
    if (count === 0) return [];
    const { data, dim } = await this.encoders.encodeImages(pixels, count, this.placeholderIds);
    return normaliseRows(data, count, dim);
  }

  /** Releases both encoder sessions; the scorer cannot be used afterwards. */
  async dispose(): Promise<void> {
    await this.encoders.dispose();
  }
}
