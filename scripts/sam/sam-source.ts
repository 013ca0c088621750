/** Where the benchmark's SAM comes from: the user's files, or built here with random weights. */
import * as path from 'node:path';
import { buildDecoderGraph, buildEncoderGraph, ensureRandomSam } from './build';
import { ARCHITECTURES, type PublishedCompute } from './configs';
import { countMacs } from './flops';
import type { DecoderLayout } from './layouts';
import type { BenchOptions } from './options';

export type SamDecoderLayoutKind = DecoderLayout['kind'];

export interface SamSource {
  encoder: string;
  decoder: string;
  label: string;
  random: boolean;
  seed?: number;
  /** Known for the graphs built here. */
  encoderGmacs?: number;
  decoderGmacsPerPrompt?: number;
  published?: PublishedCompute;
}

export function samSource(o: BenchOptions, log: (message: string) => void): SamSource {
  if (o.encoder && o.decoder) return { encoder: o.encoder, decoder: o.decoder, label: `SAM (${path.basename(o.encoder)})`, random: false };
  const arch = ARCHITECTURES[o.sam];
  const dir = path.join(o.out, 'models');
  log(`building ${arch.label} with random weights (seed ${o.seed}) unless cached in ${dir} ...`);
  return {
    ...ensureRandomSam(arch, o.seed, dir),
    label: arch.label,
    random: true,
    seed: o.seed,
    encoderGmacs: countMacs(buildEncoderGraph(arch, null)).total / 1e9,
    decoderGmacsPerPrompt: countMacs(buildDecoderGraph(arch, null)).total / 1e9,
    published: arch.published,
  };
}
