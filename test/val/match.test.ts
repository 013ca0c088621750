/** match_predictions: float32 IoU, the 0.50:0.95 thresholds and the reference's de-duplication order. */
import { boxIou, IOU_THRESHOLDS, matchPredictions, torchLinspace32 } from '../../lib/val/metrics/match';

describe('IoU thresholds', () => {
  it('are torch.linspace(0.5, 0.95, 10) in float32', () => {
    expect(IOU_THRESHOLDS.length).toBe(10);
    expect(IOU_THRESHOLDS[0]).toBe(0.5);
    expect(IOU_THRESHOLDS[9]).toBe(Math.fround(0.95));
    IOU_THRESHOLDS.forEach((t, i) => expect(t).toBeCloseTo(0.5 + 0.05 * i, 6));
    expect(torchLinspace32(0, 1, 3)).toEqual(Float32Array.from([0, 0.5, 1]));
  });
});

describe('box_iou', () => {
  it('computes inter / (a + b - inter + 1e-7) per label and detection', () => {
    const labels = Float32Array.from([0, 0, 10, 10]);
    const dets = Float32Array.from([0, 0, 10, 10, 5, 0, 15, 10, 20, 20, 30, 30]);
    const iou = boxIou(labels, dets);
    expect(iou[0]).toBeCloseTo(1, 6);
    expect(iou[1]).toBeCloseTo(50 / 150, 6);
    expect(iou[2]).toBe(0);
  });
});

describe('matchPredictions', () => {
  it('a label goes to the lowest-index detection among those whose best label it is, not the best IoU', () => {
    // One label; detection 0 overlaps it at 0.6, detection 1 at 0.9 (both of its class).
    const iou = Float32Array.from([0.6, 0.9]);
    const correct = matchPredictions(iou, [0], [0, 0]);
    const T = IOU_THRESHOLDS.length;
    expect(correct[0 * T + 0]).toBe(1); // at 0.50 detection 0 wins the label
    expect(correct[1 * T + 0]).toBe(0);
    expect(correct[0 * T + 3]).toBe(0); // at 0.65 only detection 1 qualifies
    expect(correct[1 * T + 3]).toBe(1);
    expect(correct[1 * T + 8]).toBe(1); // 0.90 >= 0.90
    expect(correct[1 * T + 9]).toBe(0);
  });

  it('each detection takes its best label; classes must agree', () => {
    // Labels 0 and 1; detection 0 overlaps label 0 at 0.7 and label 1 at 0.8; detection 1 overlaps label 0 at 0.75.
    const iou = Float32Array.from([0.7, 0.75, 0.8, 0.0]);
    const T = IOU_THRESHOLDS.length;
    const both = matchPredictions(iou, [0, 0], [0, 0]);
    expect(both[0 * T]).toBe(1); // detection 0 -> label 1
    expect(both[1 * T]).toBe(1); // detection 1 -> label 0
    const wrongClass = matchPredictions(iou, [0, 0], [1, 1]);
    expect(wrongClass.every((v) => v === 0)).toBe(true);
  });
});
