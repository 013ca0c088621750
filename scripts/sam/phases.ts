/**
 * The benchmark's two phases, run one after the other in one process: FastSAM's, then (FastSAM
 * disposed) SAM's, so each mode's peak RSS belongs to one model. Each loads, warms up, then runs
 * every image `runs` times in every mode.
 */
import * as path from 'node:path';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { type ImagePrompts, type ModeSamples, emptyModeSamples } from './modes';
import type { BenchOptions } from './options';
import { preprocessForSam } from './preprocess';
import { fastsamImageRun } from './run-fastsam';
import { type GridPlan, gridPlan, samImageRun } from './run-sam';
import type { SamDecoderLayoutKind, SamSource } from './sam-source';
import { SamSession } from './sam-session';

const log = (message: string) => process.stderr.write(`${message}\n`);

export interface PhaseResult {
  samples: ModeSamples;
  /** Process RSS when the phase began, and its growth through loading and warm-up (bytes). */
  startRss: number;
  loadGrowth: number;
}

export async function fastsamPhase(o: BenchOptions, prompts: (image: string) => ImagePrompts): Promise<PhaseResult> {
  const startRss = process.memoryUsage.rss();
  log(`loading FastSAM ${o.fastsamModel}`);
  const model = await FastSAM.load(o.fastsamModel, { threads: o.threads });
  try {
    await fastsamImageRun(model, o.images[0], prompts(o.images[0]), emptyModeSamples()); // warm-up, not recorded
    const loadGrowth = process.memoryUsage.rss() - startRss;
    const samples = emptyModeSamples();
    for (const image of o.images) {
      for (let run = 0; run < o.runs; run++) {
        log(`FastSAM: ${path.basename(image)} run ${run + 1}/${o.runs}`);
        await fastsamImageRun(model, image, prompts(image), samples);
      }
    }
    return { samples, startRss, loadGrowth };
  } finally {
    await model.dispose();
  }
}

export interface SamPhaseResult extends PhaseResult {
  plan: GridPlan;
  layout: SamDecoderLayoutKind;
  notes: string[];
}

export async function samPhase(o: BenchOptions, source: SamSource, prompts: (image: string) => ImagePrompts): Promise<SamPhaseResult> {
  const startRss = process.memoryUsage.rss();
  log(`loading ${source.label}: ${source.encoder} + ${source.decoder}`);
  const sam = await SamSession.load(source.encoder, source.decoder, o.threads);
  try {
    sam.notes.forEach((n) => log(`note: ${n}`));
    const plan = gridPlan(sam, o.grid, o.pointsPerBatch, o.gridBatches);
    await warmUp(sam, o, plan);
    const loadGrowth = process.memoryUsage.rss() - startRss;
    const samples = emptyModeSamples();
    for (const image of o.images) {
      for (let run = 0; run < o.runs; run++) {
        log(
          `${source.label}: ${path.basename(image)} run ${run + 1}/${o.runs} (encoder + ${plan.runsTimed} of ${plan.runsTotal} grid batches)`,
        );
        await samImageRun(sam, image, prompts(image), plan, samples);
      }
    }
    return { samples, startRss, loadGrowth, plan, layout: sam.decoderLayout.kind, notes: sam.notes };
  } finally {
    await sam.dispose();
  }
}

/** One decoder run at each batch size used (on a blank embedding), and one encoder run unless --quick. */
async function warmUp(sam: SamSession, o: BenchOptions, plan: GridPlan): Promise<void> {
  const image = await preprocessForSam(o.images[0], sam.inputSize);
  log(o.warmEncoder ? 'warming up SAM (encoder and decoder) ...' : 'warming up SAM decoder (--quick: the encoder is not warmed up) ...');
  if (o.warmEncoder) await sam.encode(image);
  const encoding = sam.blankEncoding(image);
  const prompt = { kind: 'points' as const, points: [[512, 512] as const], labels: [1] };
  await sam.decode(encoding, [prompt]);
  await sam.decode(
    encoding,
    Array.from({ length: plan.perRun }, () => prompt),
  );
}
