/** SAM's encoder neck: 1x1 conv to the embedding width, LayerNorm2d, 3x3 conv, LayerNorm2d (no biases). */
import type { SamGraph, Value } from './graph';
import { conv2d, layerNorm2d } from './layers';

export function neck(g: SamGraph, x: Value, outChannels: number): Value {
  let y = conv2d(g, 'image_encoder.neck.0', x, outChannels, 1, { bias: false });
  y = layerNorm2d(g, 'image_encoder.neck.1', y);
  y = conv2d(g, 'image_encoder.neck.2', y, outChannels, 3, { padding: 1, bias: false });
  return layerNorm2d(g, 'image_encoder.neck.3', y);
}
