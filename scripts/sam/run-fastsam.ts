/** One image through FastSAM in every mode, each end to end from the file (as a user would call it). */
import type { FastSAM } from '../../lib/pipeline/fastsam';
import { FastSAMPrompt } from '../../lib/prompts/prompt';
import { measure } from './memory';
import type { ImagePrompts, ModeSamples } from './modes';
import { record } from './stats';

export async function fastsamImageRun(model: FastSAM, image: string, prompts: ImagePrompts, samples: ModeSamples): Promise<void> {
  const lazy = await measure(() => model.predict(image));
  record(samples.everything_lazy, lazy.ms, lazy.peakRss);
  const all = await measure(async () => {
    const [result] = await model.predict(image);
    return (await result.masks.toRLE()).length;
  });
  record(samples.everything, all.ms, all.peakRss);
  const point = await measure(async () => {
    const [result] = await model.predict(image);
    return new FastSAMPrompt(image, result).point([prompts.point]);
  });
  record(samples.point, point.ms, point.peakRss);
  const box = await measure(async () => {
    const [result] = await model.predict(image);
    return new FastSAMPrompt(image, result).box(prompts.box);
  });
  record(samples.box, box.ms, box.peakRss);
  const [result] = await model.predict(image); // the "already encoded" state: a predict result in hand
  const encoded = await measure(() => new FastSAMPrompt(image, result).point([prompts.point]));
  record(samples.point_encoded, encoded.ms, encoded.peakRss);
}
