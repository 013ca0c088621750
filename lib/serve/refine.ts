/**
 * `better_quality`: the CLI's morphological clean-up of each mask (close 3x3, then open 8x8, as the
 * reference's plot does), applied to the masks a request answers, as RLEs.
 *
 * refineMasks is not on the public API yet (lib/index.ts): this is the one place the service reaches
 * past it, until it is exported (then import it from '../index').
 */
import type { Result } from '../index';
import type { RLE } from '../masks/mask';
import { refineMasks } from '../masks/mask-ops';

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The answer's masks, cleaned up, as uncompressed RLEs (one per detection). */
export async function refinedRles(result: Result, signal?: AbortSignal): Promise<RLE[]> {
  const refined = await refineMasks(await result.masks.all());
  const rles: RLE[] = [];
  let pixels = 0;
  for (const mask of refined) {
    rles.push(mask.toRLE());
    pixels += mask.width * mask.height;
    if (pixels > 4_000_000) {
      // Rendering RLEs of big masks is main-thread work: give the event loop back now and then.
      pixels = 0;
      await yieldToLoop();
      signal?.throwIfAborted();
    }
  }
  return rles;
}
