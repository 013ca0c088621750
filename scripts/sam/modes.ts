/** The benchmark's modes, and the prompts both models get for an image (same place, same frame). */
import { type Samples, emptySamples } from './stats';

export const MODES = ['everything', 'everything_lazy', 'point', 'box', 'point_encoded'] as const;
export type ModeKey = (typeof MODES)[number];

export const MODE_LABELS: Record<ModeKey, string> = {
  everything: 'everything (SAM: 32×32 grid; FastSAM: all masks as RLE)',
  everything_lazy: 'everything (FastSAM masks lazy)',
  point: '1 point',
  box: '1 box',
  point_encoded: '1 point, image already encoded',
};

/** For the chart. */
export const MODE_SHORT_LABELS: Record<ModeKey, string> = {
  everything: 'everything',
  everything_lazy: 'everything (lazy masks)',
  point: '1 point',
  box: '1 box',
  point_encoded: '1 point, encoded image',
};

export type ModeSamples = Record<ModeKey, Samples>;

export function emptyModeSamples(): ModeSamples {
  return Object.fromEntries(MODES.map((m) => [m, emptySamples()])) as ModeSamples;
}

export interface ImagePrompts {
  /** Image pixels. */
  point: [number, number];
  box: [number, number, number, number];
}

/** The centre point and the central half-size box of a width x height image. */
export function promptsFor(width: number, height: number): ImagePrompts {
  return {
    point: [Math.round(width / 2), Math.round(height / 2)],
    box: [Math.round(width / 4), Math.round(height / 4), Math.round((3 * width) / 4), Math.round((3 * height) / 4)],
  };
}
