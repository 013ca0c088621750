/** Command-line options of scripts/bench-vs-sam.ts. */
import * as path from 'node:path';
import type { SamVariant } from './configs';

export interface BenchOptions {
  quick: boolean;
  json: boolean;
  sam: SamVariant;
  /** The user's own SAM files (both or neither). */
  encoder?: string;
  decoder?: string;
  fastsamModel: string;
  images: string[];
  runs: number;
  threads?: number;
  /** Points per side of the automatic mask generator's grid (32). */
  grid: number;
  pointsPerBatch: number;
  /** Decoder batches of the grid actually run per image and run; the rest are extrapolated. */
  gridBatches: number | 'all';
  /** Skips the encoder's warm-up run (a ViT-B run is long on a small CPU). */
  warmEncoder: boolean;
  seed: number;
  out: string;
}

export const USAGE = `npm run bench:sam -- [--quick] [--json] [--sam vit-b|mobile] [--encoder F --decoder F]
  [--model FastSAM.onnx] [--images a.jpg,b.jpg] [--runs N] [--threads N] [--grid 32]
  [--points-per-batch 64] [--grid-batches K|all] [--seed 1] [--out runs/bench-sam]`;

function value(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

function positiveInt(argv: readonly string[], name: string, fallback: number): number {
  const raw = value(argv, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${raw}\n${USAGE}`);
  return n;
}

export function parseOptions(argv: readonly string[], root: string): BenchOptions {
  const shared = path.resolve(root, '../shared');
  const quick = argv.includes('--quick');
  const sam = value(argv, 'sam') ?? 'vit-b';
  if (sam === 'vit-h')
    throw new Error(
      '--sam vit-h: its 2.5 GB of weights exceed the 2 GB an ONNX protobuf can hold inline; pass your own files with --encoder/--decoder',
    );
  if (!['vit-b', 'vit-l', 'mobile'].includes(sam)) throw new Error(`--sam must be vit-b or mobile (or vit-l), got ${sam}\n${USAGE}`);
  const encoder = value(argv, 'encoder');
  const decoder = value(argv, 'decoder');
  if ((encoder === undefined) !== (decoder === undefined)) throw new Error(`--encoder and --decoder go together\n${USAGE}`);
  const imagesArg = value(argv, 'images');
  const defaultImages = quick ? ['bus.jpg'] : ['bus.jpg', 'dogs.jpg', 'zidane.jpg'];
  const gridBatchesArg = value(argv, 'grid-batches');
  return {
    quick,
    json: argv.includes('--json'),
    sam: sam as SamVariant,
    encoder,
    decoder,
    fastsamModel: value(argv, 'model') ?? path.join(shared, 'models/FastSAM-s-random-640.onnx'),
    images: imagesArg ? imagesArg.split(',') : defaultImages.map((f) => path.join(shared, 'data/images', f)),
    runs: positiveInt(argv, 'runs', quick ? 1 : 3),
    threads: value(argv, 'threads') ? positiveInt(argv, 'threads', 1) : undefined,
    grid: positiveInt(argv, 'grid', 32),
    pointsPerBatch: positiveInt(argv, 'points-per-batch', 64),
    gridBatches:
      gridBatchesArg === undefined ? (quick ? 1 : 'all') : gridBatchesArg === 'all' ? 'all' : positiveInt(argv, 'grid-batches', 1),
    warmEncoder: !quick,
    seed: positiveInt(argv, 'seed', 1),
    out: path.resolve(root, value(argv, 'out') ?? 'runs/bench-sam'),
  };
}
