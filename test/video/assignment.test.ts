/** The cost-limited linear assignment against brute force, and ByteTrack's IoU costs. */
import { hungarian, linearAssignment } from '../../lib/video/tracker/assignment';
import { boxIou, fuseScore, iouDistance } from '../../lib/video/tracker/iou';
import { seededRandom } from '../../lib/plot/random';

/** The best total of (cost - thresh) over every partial matching using only pairs under the limit. */
function bruteForce(cost: Float64Array, rows: number, cols: number, thresh: number): number {
  const usedCols = new Uint8Array(cols);
  const best = (i: number): number => {
    if (i === rows) return 0;
    let value = best(i + 1); // row i unmatched
    for (let j = 0; j < cols; j++) {
      const c = cost[i * cols + j];
      if (usedCols[j] || !(c < thresh)) continue;
      usedCols[j] = 1;
      value = Math.min(value, c - thresh + best(i + 1));
      usedCols[j] = 0;
    }
    return value;
  };
  return best(0);
}

describe('linearAssignment (lapjv with extend_cost and cost_limit)', () => {
  test('matches the brute-force optimum on random matrices, sparse and dense', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 300; trial++) {
      const rows = 1 + Math.floor(random() * 6);
      const cols = 1 + Math.floor(random() * 6);
      const density = random();
      const cost = Float64Array.from({ length: rows * cols }, () => (random() < density ? random() : 1));
      const thresh = 0.2 + random() * 0.7;
      const { matches, unmatchedRows, unmatchedCols } = linearAssignment(cost, rows, cols, thresh);
      const total = matches.reduce((sum, [i, j]) => sum + cost[i * cols + j] - thresh, 0);
      expect(total).toBeCloseTo(bruteForce(cost, rows, cols, thresh), 9);
      for (const [i, j] of matches) expect(cost[i * cols + j]).toBeLessThan(thresh);
      // Every row and column is either matched once or listed as unmatched, in ascending order.
      expect([...matches.map(([i]) => i), ...unmatchedRows].sort((a, b) => a - b)).toEqual([...Array(rows).keys()]);
      expect([...matches.map(([, j]) => j), ...unmatchedCols].sort((a, b) => a - b)).toEqual([...Array(cols).keys()]);
      expect(matches.map(([i]) => i)).toEqual([...matches.map(([i]) => i)].sort((a, b) => a - b));
    }
  });

  test('prefers two matches to one cheaper match (the extended problem, not greedy)', () => {
    // Greedy would take (0,0) at 0.1 and leave row 1 with nothing under the limit.
    const cost = Float64Array.from([0.1, 0.3, 0.2, 0.9]);
    expect(linearAssignment(cost, 2, 2, 0.8).matches).toEqual([
      [0, 1],
      [1, 0],
    ]);
    // With a limit of 0.25, (0,1) is not allowed: only one pair survives.
    expect(linearAssignment(cost, 2, 2, 0.25).matches).toEqual([[0, 0]]);
  });

  test('empty sides', () => {
    expect(linearAssignment(new Float64Array(0), 0, 3, 0.8)).toEqual({ matches: [], unmatchedRows: [], unmatchedCols: [0, 1, 2] });
    expect(linearAssignment(new Float64Array(0), 2, 0, 0.8)).toEqual({ matches: [], unmatchedRows: [0, 1], unmatchedCols: [] });
  });

  test('hungarian: the optimal permutation of a known matrix', () => {
    const cost = Float64Array.from([4, 1, 3, 2, 0, 5, 3, 2, 2]);
    expect(Array.from(hungarian(cost, 3))).toEqual([1, 0, 2]); // 1 + 2 + 2 = 5
  });
});

describe('IoU costs', () => {
  test('IoU of boxes, 1 - IoU as cost, and score fusion', () => {
    expect(boxIou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150, 6);
    expect(boxIou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
    const cost = iouDistance(
      [
        [0, 0, 10, 10],
        [100, 100, 110, 110],
      ],
      [[0, 0, 10, 10]],
    );
    expect(cost[0]).toBeCloseTo(0, 6);
    expect(cost[1]).toBe(1);
    // fuse_score: 1 - IoU x score.
    expect(Array.from(fuseScore(Float64Array.from([0.2, 0.5]), [0.5, 0.8]))).toEqual([1 - 0.8 * 0.5, 1 - 0.5 * 0.8]);
  });
});
