/**
 * The worker half of SegmentEncoder (segment-encoder.ts): compresses every mask's RLE counts (the COCO
 * string form, by the one implementation in lib/val/coco/rle.ts), puts them into the answer, and
 * serialises it to UTF-8 JSON bytes that go back to the main thread without a copy. All of the big
 * answer's work happens here, none of it on the thread that serves the event loop.
 */
import { move, workerData } from 'piscina';
import { lowerThisThread } from '../threads/priority';
import { rleToString } from '../val/coco/rle';
import type { SegmentAnswer } from './segment-answer';

lowerThisThread((workerData as { nice: number }).nice); // the event loop's thread comes first

export interface EncodeTask {
  /** The answer without masks. */
  answer: SegmentAnswer;
  /** [height, width] of every mask. */
  size: [number, number];
  /** Every mask's uncompressed counts, one after the other: mask i is counts[offsets[i] .. offsets[i + 1]). */
  counts: Uint32Array;
  offsets: Float64Array;
  /** When encoding began, in milliseconds since the epoch (performance.timeOrigin + now(): comparable across threads). */
  startedAt: number;
}

export default function encode(task: EncodeTask): Uint8Array {
  const { answer, size, counts, offsets } = task;
  answer.detections.forEach((detection, i) => {
    detection.mask = { size, counts: rleToString({ h: size[0], w: size[1], counts: counts.subarray(offsets[i], offsets[i + 1]) }) };
  });
  answer.speed.encode = performance.timeOrigin + performance.now() - task.startedAt;
  const bytes = Buffer.from(JSON.stringify(answer), 'utf8');
  // A Buffer may share a pooled ArrayBuffer: hand over one that holds exactly these bytes.
  const own = new Uint8Array(bytes.length);
  own.set(bytes);
  return move(own) as Uint8Array;
}
