/**
 * Mask IoU between predicted masks at prototype resolution (process_mask without upsampling: crop by the
 * box scaled to the prototypes, logit > 0, which is the native renderer in letterbox mode with the mask
 * size equal to the prototype size) and the ground-truth overlap index map of the same size.
 */
import { native } from '../native';
import { maskIouFromCounts } from './metrics/match';
import type { GroundTruth } from './dataset/ground-truth';

export interface PrototypeMasks {
  protos: Float32Array;
  nm: number;
  protoH: number;
  protoW: number;
  inputH: number;
  inputW: number;
}

/** IoU of every ground-truth object (rows) with every prediction (columns), float32. */
export async function maskIou(source: PrototypeMasks, coef: Float32Array, boxes: Float32Array, gt: GroundTruth): Promise<Float32Array> {
  const nd = boxes.length / 4;
  const nl = gt.areas.length;
  const crops = await native().renderMasks(source.protos, coef, boxes, {
    nm: source.nm,
    protoHeight: source.protoH,
    protoWidth: source.protoW,
    mode: 'letterbox',
    inputHeight: source.inputH,
    inputWidth: source.inputW,
    maskHeight: source.protoH,
    maskWidth: source.protoW,
    format: 'crop',
  });
  const inter = new Uint32Array(nl * nd);
  const areas = new Uint32Array(nd);
  for (let d = 0; d < nd; d++) {
    const [x, y, w, h] = crops.windows.subarray(d * 4, d * 4 + 4);
    const bits = crops.bits.subarray(crops.offsets[d], crops.offsets[d + 1]);
    for (let row = 0; row < h; row++) {
      for (let col = 0; col < w; col++) {
        if (!bits[row * w + col]) continue;
        areas[d]++;
        const g = gt.indexMap[(y + row) * gt.maskW + x + col];
        if (g) inter[(g - 1) * nd + d]++;
      }
    }
  }
  return maskIouFromCounts(inter, gt.areas, areas);
}
