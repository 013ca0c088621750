/**
 * One image through SAM in every mode. The encoder runs once per image and run; each mode's time is
 * that encoding plus its own decoder work (SAM's pipeline is exactly encoder, then decoder, and the
 * encoding does not depend on the prompt). Everything mode runs the automatic mask generator's point
 * grid through the decoder in batches; batches not run are extrapolated from those that were.
 */
import { measure } from './memory';
import { type ImagePrompts, type ModeSamples } from './modes';
import { pointGrid, preprocessForSam } from './preprocess';
import type { SamPrompt, SamSession } from './sam-session';
import { record } from './stats';

export interface GridPlan {
  side: number;
  /** Prompts per decoder run. */
  perRun: number;
  runsTotal: number;
  runsTimed: number;
}

export function gridPlan(sam: SamSession, side: number, pointsPerBatch: number, batches: number | 'all'): GridPlan {
  const perRun = sam.promptsPerRun(pointsPerBatch);
  const runsTotal = Math.ceil((side * side) / perRun);
  return { side, perRun, runsTotal, runsTimed: batches === 'all' ? runsTotal : Math.min(batches, runsTotal) };
}

export async function samImageRun(
  sam: SamSession,
  image: string,
  prompts: ImagePrompts,
  plan: GridPlan,
  samples: ModeSamples,
): Promise<void> {
  const enc = await measure(async () => sam.encode(await preprocessForSam(image, sam.inputSize)));
  const encoding = enc.value;
  const { scale, width, height } = encoding.image;
  const [px, py] = prompts.point;
  const point = await measure(() => sam.decode(encoding, [{ kind: 'points', points: [[px * scale, py * scale]], labels: [1] }]));
  const [x1, y1, x2, y2] = prompts.box.map((v) => v * scale);
  const box = await measure(() => sam.decode(encoding, [{ kind: 'box', box: [x1, y1, x2, y2] }]));

  const grid: SamPrompt[] = pointGrid(plan.side, width, height).map(([x, y]) => ({
    kind: 'points',
    points: [[x * scale, y * scale]],
    labels: [1],
  }));
  let timedMs = 0;
  let gridPeak = 0;
  for (let i = 0; i < plan.runsTimed; i++) {
    const batch = await measure(() => sam.decode(encoding, grid.slice(i * plan.perRun, (i + 1) * plan.perRun)));
    timedMs += batch.ms;
    gridPeak = Math.max(gridPeak, batch.peakRss);
  }
  const gridMs = timedMs + (timedMs / plan.runsTimed) * (plan.runsTotal - plan.runsTimed);

  record(samples.everything, enc.ms + gridMs, Math.max(enc.peakRss, gridPeak));
  record(samples.everything_lazy, enc.ms + gridMs, Math.max(enc.peakRss, gridPeak));
  record(samples.point, enc.ms + point.ms, Math.max(enc.peakRss, point.peakRss));
  record(samples.box, enc.ms + box.ms, Math.max(enc.peakRss, box.peakRss));
  record(samples.point_encoded, point.ms, point.peakRss);
}
