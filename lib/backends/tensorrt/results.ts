/** GPU output (detections + bit-packed cropped masks) to the same Result objects as the CPU path. */
import { Boxes } from '../../masks/boxes';
import type { ImageSource } from '../../io/image';
import { Masks } from '../../masks/masks';
import { PackedMaskStore } from '../../masks/packed-store';
import { Result, type Speed } from '../../masks/result';
import type { GpuImageResult } from './binding';

export interface GpuResultContext {
  names: Record<number, string>;
  retina: boolean;
  inputShape: [number, number];
  origShapes: Array<[number, number]>;
  paths: Array<string | undefined>;
  sources: ImageSource[];
  speed: Speed;
}

export function gpuResults(images: GpuImageResult[], context: GpuResultContext): Result[] {
  return images.map((image, b) => {
    const origShape = context.origShapes[b];
    const shape: [number, number] = context.retina ? origShape : context.inputShape;
    const n = image.conf.length;
    const boxes = new Boxes(image.boxes, image.conf, image.cls, origShape);
    const store = new PackedMaskStore(image.packed, image.windows, image.packedStarts, shape);
    const all = new Masks(
      store,
      Uint32Array.from({ length: n }, (_, i) => i),
      origShape,
    );
    return new Result(origShape, context.names, boxes, all, { ...context.speed }, context.paths[b], context.sources[b]);
  });
}
