/**
 * The letterbox mapping of masks that are not at the image's size, from the native core (scale_boxes'
 * gain and padding, native/core/geometry.h): for callers that do not have the geometry of the letterbox
 * that made the input at hand.
 */
import { type FrameMapping, type MaskFrame, maskFrame } from './mask-frame';
import { native } from '../native';

/** scale_boxes' mapping between an image of origShape and masks (or an input) of maskShape. */
export function letterboxMapping(maskShape: [number, number], origShape: [number, number]): FrameMapping {
  const g = native().letterboxGeometry({
    height: origShape[0],
    width: origShape[1],
    newHeight: maskShape[0],
    newWidth: maskShape[1],
    stride: 32,
    auto: false,
    scaleUp: true,
  });
  return { gain: g.gain, padX: g.padX, padY: g.padY };
}

/** maskFrame with the mapping asked from the native core when the masks are letterboxed. */
export function frameOf(maskShape: [number, number], origShape: [number, number], mapping?: FrameMapping): MaskFrame {
  const identity = maskShape[0] === origShape[0] && maskShape[1] === origShape[1];
  return maskFrame(maskShape, origShape, identity ? undefined : (mapping ?? letterboxMapping(maskShape, origShape)));
}
