/**
 * Mask outlines as polygons in image pixels: Ultralytics' masks.xy / masks.xyn (masks2segments with
 * cv2.findContours(RETR_EXTERNAL, CHAIN_APPROX_SIMPLE), then scale_coords through the letterbox).
 */
import type { Mask } from '../masks/mask';
import type { MaskFrame } from '../masks/mask-frame';
import { traceContours } from '../masks/mask-ops';

/** How masks become polygons (Masks.xy(), Masks.xyn()). */
export interface PolygonOptions {
  /** 'largest' (default, Ultralytics 8.0.x): the contour with the most points; 'concat': all contours joined. */
  strategy?: 'largest' | 'concat';
  /** Divide by the image width and height (masks.xyn). */
  normalize?: boolean;
}

/** Polygons as flat [x0, y0, x1, y1, ...] Float32Arrays, one per mask (empty for an empty mask). */
export async function masksToPolygons(masks: Mask[], frame: MaskFrame, options: PolygonOptions = {}): Promise<Float32Array[]> {
  const strategy = options.strategy ?? 'largest';
  const contours = await traceContours(masks, 'external', true);
  // scale_coords: the letterbox pad here is not rounded (unlike scale_boxes).
  const [mh, mw] = frame.shape;
  const [h0, w0] = frame.origShape;
  const gain = Math.min(mh / h0, mw / w0);
  const padX = (mw - w0 * gain) / 2;
  const padY = (mh - h0 * gain) / 2;
  return contours.map((list) => {
    let points: Int32Array;
    if (list.length === 0) points = new Int32Array(0);
    else if (strategy === 'concat') {
      points = new Int32Array(list.reduce((n, c) => n + c.points.length, 0));
      let at = 0;
      for (const c of list) {
        points.set(c.points, at);
        at += c.points.length;
      }
    } else {
      points = list.reduce((best, c) => (c.points.length > best.points.length ? c : best)).points;
    }
    const out = new Float32Array(points.length);
    for (let i = 0; i < points.length; i += 2) {
      const x = Math.min(Math.max((points[i] - padX) / gain, 0), w0);
      const y = Math.min(Math.max((points[i + 1] - padY) / gain, 0), h0);
      out[i] = options.normalize ? x / w0 : x;
      out[i + 1] = options.normalize ? y / h0 : y;
    }
    return out;
  });
}
