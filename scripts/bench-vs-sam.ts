/**
 * FastSAM against SAM in one process, on the same images and the same backend (ONNX Runtime, CPU,
 * the same session options): everything mode (SAM: image encoder + the automatic mask generator's
 * 32x32 point grid through the decoder; FastSAM: predict), one point, one box, and one point on an
 * image already encoded. Latency, throughput and peak RSS per mode, as a table, a PNG bar chart
 * (runs/bench-sam/) and, with --json, a final JSON line.
 *
 * SAM comes from the user's ONNX files (--encoder/--decoder: transformers.js / optimum SamModel exports
 * or the segment-anything repository's decoder export) or, given none, is built here from the published
 * architecture with seeded RANDOM weights: then only its timing means anything. See scripts/sam/README.md.
 *
 *   npm run bench:sam -- [--quick] [--json] [--sam vit-b|mobile] [--runs N] [--encoder F --decoder F] ...
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeImage } from '../lib/io/image';
import { chartSvg, writeChartPng } from './sam/chart';
import { MODES, MODE_LABELS, MODE_SHORT_LABELS, type ImagePrompts, promptsFor } from './sam/modes';
import { type BenchOptions, USAGE, parseOptions } from './sam/options';
import { type PhaseResult, type SamPhaseResult, fastsamPhase, samPhase } from './sam/phases';
import { type ModeRow, jsonModes, markdownTable } from './sam/report';
import { type SamSource, samSource } from './sam/sam-source';
import { summarize } from './sam/stats';
import { machineDescription } from './bench-utils';

const log = (message: string) => process.stderr.write(`${message}\n`);
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

const machine = machineDescription;

/** Other work on the machine slows both sides: say how busy it was. */
function load(): string {
  return `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`;
}

interface Outcome {
  o: BenchOptions;
  source: SamSource;
  fastsam: PhaseResult;
  sam: SamPhaseResult;
  rows: ModeRow[];
  loadAtStart: string;
  loadAtEnd: string;
}

/** The header lines, the table and the notes that say exactly what was timed. */
function describe(r: Outcome): string {
  const { o, source, sam, fastsam } = r;
  const plan = sam.plan;
  const extrapolated = plan.runsTimed < plan.runsTotal;
  const weights = source.random
    ? `${source.label} was built here from the published architecture with **random weights** (seed ${source.seed}): only its timing is meaningful, not its masks. ` +
      `Encoder ${source.encoderGmacs?.toFixed(1)} GMACs at 1024² (published: ~${source.published?.gmacs ?? '?'}), decoder ${source.decoderGmacsPerPrompt?.toFixed(2)} GMACs per prompt.`
    : `${source.label}: the user's ONNX files (${sam.layout} decoder layout).`;
  const header = [
    `Machine: ${machine(o.threads)}; ${r.loadAtStart} at the start, ${r.loadAtEnd} at the end.`,
    `FastSAM: ${path.basename(o.fastsamModel)}. ${weights}`,
    `Images: ${o.images.map((i) => path.basename(i)).join(', ')}; ${o.runs} run(s) each, median; ${o.quick ? 'quick run (no encoder warm-up)' : 'after one warm-up of each model'}. ` +
      `RSS at the start of each phase: FastSAM ${mib(fastsam.startRss)} MiB, SAM ${mib(sam.startRss)} MiB (FastSAM disposed); ` +
      `growth from loading and warming up: FastSAM ${mib(fastsam.loadGrowth)} MiB, SAM ${mib(sam.loadGrowth)} MiB.`,
  ];
  const notes = [
    `SAM everything = image encoder + ${plan.side}×${plan.side} = ${plan.side * plan.side} grid points through the decoder, ` +
      `${plan.runsTotal} runs of ${plan.perRun} prompts (3 masks each); ` +
      (extrapolated
        ? `**${plan.runsTimed} of ${plan.runsTotal} runs timed, the rest extrapolated** from their mean. `
        : 'all runs timed. ') +
      "SAM's times are network only (its automatic mask generator's mask upscaling, stability scores, NMS and RLE are not counted), which favours SAM.",
    'SAM single-prompt modes = preprocessing + image encoder + one decoder run (one encoding per image and run, timed once and added to each mode). ' +
      'FastSAM modes are end to end from the file: predict, then the prompt (point: merge mode; box) or every mask as RLE. ' +
      '"Image already encoded": SAM decoder alone vs FastSAMPrompt on a predict result in hand. ' +
      'The two run one after the other in this process (FastSAM first, then disposed); peak RSS is the whole process during each mode.',
    ...sam.notes,
  ];
  return [...header, '', markdownTable(r.rows, source.label), '', ...notes.map((n) => `- ${n}`)].join('\n');
}

function summary(r: Outcome): Record<string, unknown> {
  const { o, source, sam, fastsam, rows } = r;
  const everything = rows.find((row) => row.key === 'everything');
  const round = (v: number | undefined, digits: number) => (v === undefined ? null : Number(v.toFixed(digits)));
  return {
    ratio_everything: everything ? round(everything.sam.medianMs / everything.fastsam.medianMs, 2) : null,
    modes: jsonModes(rows),
    sam: {
      label: source.label,
      weights: source.random ? 'random (timing only)' : 'user files',
      encoder: source.encoder,
      decoder: source.decoder,
      decoder_layout: sam.layout,
      encoder_gmacs: round(source.encoderGmacs, 2),
      decoder_gmacs_per_prompt: round(source.decoderGmacsPerPrompt, 3),
    },
    grid: {
      points: sam.plan.side ** 2,
      prompts_per_run: sam.plan.perRun,
      runs_total: sam.plan.runsTotal,
      runs_timed: sam.plan.runsTimed,
      extrapolated: sam.plan.runsTimed < sam.plan.runsTotal,
    },
    fastsam_model: o.fastsamModel,
    images: o.images.map((i) => path.basename(i)),
    runs: o.runs,
    quick: o.quick,
    phase_start_rss_mb: { fastsam: mib(fastsam.startRss), sam: mib(sam.startRss) },
    load_and_warmup_growth_mb: { fastsam: mib(fastsam.loadGrowth), sam: mib(sam.loadGrowth) },
    machine: machine(o.threads),
    load: { start: r.loadAtStart, end: r.loadAtEnd },
  };
}

async function writeOutputs(r: Outcome, text: string, json: Record<string, unknown>): Promise<void> {
  const { o, source, sam } = r;
  fs.mkdirSync(o.out, { recursive: true });
  fs.writeFileSync(path.join(o.out, 'table.md'), `${text}\n`);
  fs.writeFileSync(path.join(o.out, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  const extrapolated = sam.plan.runsTimed < sam.plan.runsTotal;
  const svg = chartSvg(
    r.rows.map((row) => ({ mode: MODE_SHORT_LABELS[row.key], fastsamMs: row.fastsam.medianMs, samMs: row.sam.medianMs })),
    {
      title: `FastSAM vs ${source.label}: latency per mode (log scale, lower is better)`,
      subtitle:
        (source.random ? 'SAM weights are random: only the timing is meaningful' : `SAM: ${path.basename(source.encoder)}`) +
        (extrapolated ? `; SAM everything extrapolated from ${sam.plan.runsTimed} of ${sam.plan.runsTotal} decoder batches` : ''),
      footer: `${machine(o.threads)}; ${r.loadAtStart}`,
    },
  );
  fs.writeFileSync(path.join(o.out, 'chart.svg'), svg);
  await writeChartPng(svg, path.join(o.out, 'chart.png'));
  log(`wrote ${path.join(o.out, 'table.md')}, chart.png, chart.svg, results.json`);
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2), path.resolve(__dirname, '..'));
  for (const file of [o.fastsamModel, ...o.images]) {
    if (!fs.existsSync(file)) throw new Error(`missing ${file}\n${USAGE}`);
  }
  const loadAtStart = load();
  const prompts = new Map<string, ImagePrompts>();
  for (const image of o.images) {
    const { width, height } = await decodeImage(image);
    prompts.set(image, promptsFor(width, height));
  }
  const promptsOf = (image: string) => prompts.get(image) ?? promptsFor(1, 1);

  const fastsam = await fastsamPhase(o, promptsOf);
  const source = samSource(o, log);
  const sam = await samPhase(o, source, promptsOf);
  const rows: ModeRow[] = MODES.map((key) => ({
    key,
    label: MODE_LABELS[key],
    fastsam: summarize(fastsam.samples[key]),
    sam: summarize(sam.samples[key]),
    unit: key.startsWith('everything') ? 'image' : 'prompt',
  }));
  const outcome: Outcome = { o, source, fastsam, sam, rows, loadAtStart, loadAtEnd: load() };
  const text = describe(outcome);
  const json = summary(outcome);
  console.log(text);
  await writeOutputs(outcome, text, json);
  if (o.json) console.log(JSON.stringify(json));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
