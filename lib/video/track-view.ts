/**
 * A tracked result seen as the plots see classes, so one drawing code colours and labels by track
 * (annotated frames, VideoResult.plot). Its own file: results and annotation both use it.
 */
import { Boxes } from '../masks/boxes';
import { Result } from '../masks/result';

/**
 * plotResult colours and names detections by class; a track view makes each detection's class its id
 * and the id's name "id:N class-name", so the same drawing code colours and labels by track.
 */
export function trackView(result: Result, ids: Int32Array): Result {
  const { xyxy, conf, cls } = result.boxes;
  const names: Record<number, string> = {};
  ids.forEach((id, i) => (names[id] = `id:${id} ${result.names[cls[i]] ?? String(cls[i])}`));
  const boxes = new Boxes(xyxy, conf, Float32Array.from(ids), result.boxes.origShape);
  return new Result(result.origShape, names, boxes, result.masks, result.speed, result.path, result.source);
}
