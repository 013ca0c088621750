/** ap_per_class / compute_ap against hand-computed curves and the reference function's own output. */
import { apPerClass, computeAp, smooth } from '../../lib/val/metrics/ap-per-class';

describe('compute_ap (101-point interpolation, trapezoid rule)', () => {
  it('a perfect ranking scores 0.995, the trapezoid losing half of the last step', () => {
    expect(computeAp([0.5, 1], [1, 1]).ap).toBeCloseTo(0.995, 12);
  });

  it('TP, FP, TP against 2 labels gives the hand-computed 0.828333...', () => {
    // Envelope: precision 1 up to recall 0.5 (exclusive), 2/3 from 0.5 to 1, 0 at recall 1 (sentinel).
    // Trapezoids: 0.49 + (1 + 2/3) / 2 * 0.01 + 0.49 * 2/3 + (2/3) / 2 * 0.01.
    const expected = 0.49 + (1 + 2 / 3) / 200 + 0.49 * (2 / 3) + 1 / 300;
    expect(computeAp([0.5, 0.5, 1], [1, 0.5, 2 / 3]).ap).toBeCloseTo(expected, 12);
  });

  it('no true positive gives 0', () => {
    expect(computeAp([0, 0], [0, 0]).ap).toBe(0);
  });
});

describe('smooth', () => {
  it('is a centred box filter with edge padding', () => {
    const y = Float64Array.from({ length: 20 }, (_, i) => (i === 10 ? 1 : 0));
    const s = smooth(y, 0.1); // round(20 * 0.1 * 2) // 2 + 1 = 3 taps
    expect(s[9]).toBeCloseTo(1 / 3, 12);
    expect(s[10]).toBeCloseTo(1 / 3, 12);
    expect(s[11]).toBeCloseTo(1 / 3, 12);
    expect(s[8]).toBe(0);
  });
});

describe('ap_per_class', () => {
  it('a perfect detector: AP 0.995 at every threshold, P = R = 1', () => {
    const tp = new Uint8Array(3 * 10).fill(1);
    const r = apPerClass(tp, Float32Array.from([0.9, 0.8, 0.7]), [0, 0, 1], [0, 0, 1], 10);
    expect(r.classes).toEqual([0, 1]);
    for (const row of r.ap) for (const v of row) expect(v).toBeCloseTo(0.995, 12);
    expect(r.p).toEqual([1, 1]);
    r.r.forEach((v) => expect(v).toBeCloseTo(1, 12));
  });

  it('classes without predictions score 0; predictions of classes without labels are ignored', () => {
    const tp = Uint8Array.from([1, 0]);
    const r = apPerClass(tp, Float32Array.from([0.9, 0.8]), [0, 5], [0, 3], 1);
    expect(r.classes).toEqual([0, 3]);
    expect(r.ap[0][0]).toBeCloseTo(0.995, 12);
    expect(r.ap[1][0]).toBe(0);
  });

  it("equals the reference's ap_per_class where confidences tie (NumPy's quicksort order)", () => {
    // 24 detections, 2 classes x 14 labels, 3 IoU thresholds; expected values printed by the reference's
    // own ap_per_class (NumPy 1.24). A stable sort instead gives AP50 0.6233 / 0.6273.
    const tpBits = '111000111000000111110000100000000111100100110100111000111000110111100100';
    const conf = [0.2, 0.2, 0.8, 0.4, 0.6, 0.6, 0.6, 0.2, 0.4, 0.2, 0.4, 0.8, 0.6, 0.2, 0.6, 0.2, 0.8, 0.8, 0.8, 0.6, 0.8, 0.4, 0.2, 0.6];
    const pred = [0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0];
    const target = [...Array(14).fill(0), ...Array(14).fill(1)];
    const r = apPerClass(Uint8Array.from(tpBits, Number), Float32Array.from(conf), pred, target, 3);
    const expectedAp = [
      [0.6000000000000001, 0.43511111111111106, 0.19947151515151512],
      [0.6619, 0.4163055555555556, 0.3347399999999999],
    ];
    r.ap.forEach((row, i) => row.forEach((v, t) => expect(v).toBeCloseTo(expectedAp[i][t], 12)));
    expect(r.p[0]).toBeCloseTo(0.7, 12);
    expect(r.p[1]).toBeCloseTo(0.6428571428571429, 12);
    expect(r.r[0]).toBeCloseTo(0.5, 12);
    expect(r.r[1]).toBeCloseTo(0.6428571428571429, 12);
  });
});
