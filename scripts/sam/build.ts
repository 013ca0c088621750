/**
 * Builds SAM's two ONNX graphs (image encoder; prompt encoder + mask decoder) for an architecture,
 * with seeded random weights, in the transformers.js SamModel layout, and caches them on disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildOnnxModelParts } from '../../lib/onnx/builder';
import type { SamArchitecture } from './configs';
import { SamGraph } from './graph';
import { type DecoderNominal, maskDecoder } from './mask-decoder';
import { imagePositionalEmbedding } from './positional';
import { tinyVitEncoder } from './tiny-vit-encoder';
import { vitEncoder } from './vit-encoder';

/** Bump when a builder changes what it writes, so cached files are rebuilt. */
export const BUILDER_VERSION = 1;

/** `seed` null: structure only (dims and FLOPs, no weights). */
export function buildEncoderGraph(arch: SamArchitecture, seed: number | null): SamGraph {
  const g = new SamGraph(seed);
  const size = arch.encoder.config.imgSize;
  const pixels = g.input('pixel_values', [1, 3, size, size]);
  const embeddings =
    arch.encoder.kind === 'vit' ? vitEncoder(g, arch.encoder.config, pixels) : tinyVitEncoder(g, arch.encoder.config, pixels);
  g.output(embeddings, 'image_embeddings');
  const side = embeddings.dims[2];
  const features = embeddings.dims[1] / 2;
  g.output(imagePositionalEmbedding(g, seed ?? 0, side, features), 'image_positional_embeddings');
  return g;
}

export function buildDecoderGraph(
  arch: SamArchitecture,
  seed: number | null,
  nominal: DecoderNominal = { prompts: 1, points: 1 },
): SamGraph {
  const g = new SamGraph(seed);
  maskDecoder(g, arch.decoder, seed ?? 0, nominal);
  return g;
}

/** Writes the graph's model to `file` chunk by chunk (a ViT-B encoder is ~360 MB of weights). */
export function writeGraph(g: SamGraph, file: string, graphName: string, metadata: Record<string, string>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  const fd = fs.openSync(partial, 'w');
  try {
    for (const part of buildOnnxModelParts(g.toModel(graphName, metadata))) fs.writeSync(fd, part);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(partial, file);
}

export interface BuiltSam {
  encoder: string;
  decoder: string;
  /** False when both files were already cached. */
  built: boolean;
}

/** The random-weight SAM files for `arch` and `seed` under `dir`, built unless already there. */
export function ensureRandomSam(arch: SamArchitecture, seed: number, dir: string): BuiltSam {
  const stem = path.join(dir, `sam-${arch.variant}-random-seed${seed}-v${BUILDER_VERSION}`);
  const encoder = `${stem}-vision_encoder.onnx`;
  const decoder = `${stem}-prompt_encoder_mask_decoder.onnx`;
  const metadata = {
    description: `${arch.label}, architecture-faithful, RANDOM weights (seed ${seed}): for timing only`,
    random_weights: 'true',
    seed: String(seed),
  };
  let built = false;
  if (!fs.existsSync(encoder)) {
    writeGraph(buildEncoderGraph(arch, seed), encoder, `${arch.variant}_vision_encoder`, metadata);
    built = true;
  }
  if (!fs.existsSync(decoder)) {
    writeGraph(buildDecoderGraph(arch, seed), decoder, `${arch.variant}_prompt_encoder_mask_decoder`, metadata);
    built = true;
  }
  return { encoder, decoder, built };
}
