/** Shared set-up for the CLIP tests: temporary fixture directories built from the designed models. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  colourCombinedModel,
  colourImageEncoder,
  colourTextEncoder,
  type ClipFixtureOptions,
  type ColourTokenIds,
} from '../../scripts/fixtures/clip-models';
import { miniClipVocab, type MiniVocab } from '../../scripts/fixtures/clip-vocab';

export const MINI: MiniVocab = miniClipVocab();
export const MINI_COLOURS: ColourTokenIds = { red: MINI.vocab['red</w>'], green: MINI.vocab['green</w>'], blue: MINI.vocab['blue</w>'] };

const made: string[] = [];

export function tempDir(prefix = 'fastsam-clip-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Call from afterAll. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export function write(dir: string, name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

export type FixtureLayout = 'hf' | 'transformers.js' | 'combined';

/**
 * A model directory as users download it, with the designed encoders and the mini vocabulary:
 * 'hf' (vision_model.onnx, text_model.onnx, vocab.json, merges.txt), 'transformers.js' (onnx/ folder and
 * tokenizer.json), 'combined' (model.onnx, vocab.json, merges.txt).
 */
export function fixtureDir(layout: FixtureLayout, options: Partial<ClipFixtureOptions> = {}): string {
  const dir = tempDir();
  const opts: ClipFixtureOptions = { colourIds: MINI_COLOURS, ...options };
  if (layout === 'combined') {
    write(dir, 'model.onnx', colourCombinedModel(opts));
  } else {
    const sub = layout === 'transformers.js' ? 'onnx' : '.';
    write(dir, path.join(sub, 'vision_model.onnx'), colourImageEncoder(opts, 'hf'));
    write(dir, path.join(sub, 'text_model.onnx'), colourTextEncoder(opts, 'hf'));
  }
  if (layout === 'transformers.js') {
    write(dir, 'tokenizer.json', MINI.tokenizerJson);
  } else {
    write(dir, 'vocab.json', MINI.vocabJson);
    write(dir, 'merges.txt', MINI.mergesTxt);
  }
  return dir;
}

/** Expects a promise to reject with a FastSAMError of `code` whose message contains every fragment. */
export async function expectError(promise: Promise<unknown> | (() => unknown), code: string, ...fragments: string[]): Promise<void> {
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    error = e;
  }
  expect(error).toBeDefined();
  expect((error as { code?: string }).code).toBe(code);
  for (const fragment of fragments) expect((error as Error).message).toContain(fragment);
}
