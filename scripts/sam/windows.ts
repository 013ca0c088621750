/**
 * Window partitioning on channels-last maps [B, H, W, C]: pad H and W up to a multiple of the window
 * (zeros, bottom/right, as SAM and TinyViT do), cut into [B * nH * nW, ws, ws, C], and the reverse.
 */
import type { SamGraph, Value } from './graph';
import * as op from './ops';

export interface WindowLayout {
  /** Padded height and width. */
  hp: number;
  wp: number;
  /** Unpadded. */
  h: number;
  w: number;
  size: number;
}

export function partition(g: SamGraph, scope: string, x: Value, size: number): { windows: Value; layout: WindowLayout } {
  const [b, h, w, c] = x.dims;
  const hp = Math.ceil(h / size) * size;
  const wp = Math.ceil(w / size) * size;
  const padded = hp > h || wp > w ? op.pad(g, scope, x, [0, 0, 0, 0, 0, hp - h, wp - w, 0]) : x;
  const split = op.reshape(g, scope, padded, [b, hp / size, size, wp / size, size, c]);
  const grouped = op.transpose(g, scope, split, [0, 1, 3, 2, 4, 5]);
  return { windows: op.reshape(g, scope, grouped, [-1, size, size, c]), layout: { hp, wp, h, w, size } };
}

export function unpartition(g: SamGraph, scope: string, windows: Value, layout: WindowLayout): Value {
  const { hp, wp, h, w, size } = layout;
  const c = windows.dims[3];
  const split = op.reshape(g, scope, windows, [-1, hp / size, wp / size, size, size, c]);
  const merged = op.reshape(g, scope, op.transpose(g, scope, split, [0, 1, 3, 2, 4, 5]), [-1, hp, wp, c]);
  return hp > h || wp > w ? op.slice(g, scope, merged, [1, 2], [0, 0], [h, w]) : merged;
}
