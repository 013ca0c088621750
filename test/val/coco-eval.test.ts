/**
 * COCOeval: the official cross-check (100 val2014 images with cocoapi's fake detections) must reproduce
 * pycocotools' 12 bbox and 12 segm statistics, plus small cases whose answers are known by hand.
 */
import * as fs from 'node:fs';
import { evaluateCoco } from '../../lib/val/coco/eval';
import { evaluateCocoFiles, resultTypes } from '../../lib/val/coco/files';
import { rleFromPolygon, rleToString } from '../../lib/val/coco/rle';
import type { CocoDataset } from '../../lib/val/coco/types';
import { cocoSummary } from '../../lib/val/report';
import { describeWithShared, sharedPath } from '../helpers/shared';

const DIR = 'data/coco/eval-val2014-100';

describeWithShared(`${DIR}/expected_stats.json`, 'COCOeval cross-check (eval-val2014-100)', () => {
  const expected = JSON.parse(fs.readFileSync(sharedPath(DIR, 'expected_stats.json'), 'utf8')) as {
    full_precision: Record<'bbox' | 'segm', number[]>;
  };
  const gtFile = sharedPath(DIR, 'instances_val2014_100.json');

  it.each([
    ['bbox', 'instances_val2014_fakebbox100_results.json'],
    ['segm', 'instances_val2014_fakesegm100_results.json'],
  ] as const)('%s statistics equal pycocotools', async (type, file) => {
    const { evaluations } = await evaluateCocoFiles(gtFile, sharedPath(DIR, file));
    expect(evaluations.map((e) => e.iouType)).toEqual([type]);
    const { stats } = evaluations[0];
    expect(stats).toHaveLength(12);
    // Required: equal to 4 decimals. They agree to the last few bits of a double.
    stats.forEach((v, i) => expect(Math.abs(v - expected.full_precision[type][i])).toBeLessThan(1e-12));
    expect(cocoSummary(evaluations[0]).split('\n')[0]).toBe(
      ` Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = ${type === 'bbox' ? '0.505' : '0.320'}`,
    );
  });
});

// A crowd region over x, y in [50, 100): 5050 zeros, then per column 50 ones and 50 zeros.
const CROWD = [5050, 50, ...Array<number>(98).fill(50)];

function dataset(): CocoDataset {
  return {
    images: [
      { id: 1, width: 100, height: 100 },
      { id: 2, width: 100, height: 100 },
    ],
    categories: [
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ],
    annotations: [
      {
        id: 1,
        image_id: 1,
        category_id: 1,
        bbox: [10, 10, 40, 40],
        area: 1600,
        iscrowd: 0,
        segmentation: [[10, 10, 50, 10, 50, 50, 10, 50]],
      },
      { id: 2, image_id: 2, category_id: 1, bbox: [0, 0, 20, 20], area: 400, iscrowd: 0, segmentation: [[0, 0, 20, 0, 20, 20, 0, 20]] },
      {
        id: 3,
        image_id: 2,
        category_id: 1,
        bbox: [50, 50, 50, 50],
        area: 2500,
        iscrowd: 1,
        segmentation: { size: [100, 100], counts: CROWD },
      },
    ],
  };
}

describe('COCOeval on hand-made cases', () => {
  it('perfect boxes give AP 1 where there is ground truth, -1 for absent categories and areas', () => {
    const gt = dataset();
    const dets = [
      { image_id: 1, category_id: 1, bbox: [10, 10, 40, 40], score: 0.9 },
      { image_id: 2, category_id: 1, bbox: [0, 0, 20, 20], score: 0.8 },
    ];
    const { stats } = evaluateCoco(gt, dets, 'bbox');
    expect(stats[0]).toBeCloseTo(1, 12);
    expect(stats[1]).toBeCloseTo(1, 12);
    expect(stats[3]).toBeCloseTo(1, 12); // the 20x20 object is small
    expect(stats[4]).toBeCloseTo(1, 12); // the 40x40 one medium
    expect(stats[5]).toBe(-1); // no large object that is not a crowd
    expect(stats[6]).toBeCloseTo(1, 12);
  });

  it('a detection on a crowd region is neither a true nor a false positive', () => {
    const gt = dataset();
    const dets = [
      { image_id: 1, category_id: 1, bbox: [10, 10, 40, 40], score: 0.9 },
      { image_id: 2, category_id: 1, bbox: [0, 0, 20, 20], score: 0.8 },
      { image_id: 2, category_id: 1, bbox: [60, 60, 20, 20], score: 0.95 }, // inside the crowd
    ];
    expect(evaluateCoco(gt, dets, 'bbox').stats[0]).toBeCloseTo(1, 12);
  });

  it('a false positive ranked first halves the precision at recall 0.5', () => {
    const gt = dataset();
    const dets = [
      { image_id: 1, category_id: 1, bbox: [10, 10, 40, 40], score: 0.5 },
      { image_id: 2, category_id: 1, bbox: [0, 0, 20, 20], score: 0.4 },
      { image_id: 1, category_id: 1, bbox: [60, 0, 30, 30], score: 0.9 },
    ];
    // Precision envelope: 2/3 at every recall threshold (101 points): AP = 2/3.
    expect(evaluateCoco(gt, dets, 'bbox').stats[1]).toBeCloseTo(2 / 3, 12);
  });

  it('segm results: polygons, uncompressed and compact RLE give the same statistics', () => {
    const gt = dataset();
    const polygon = [[10, 10, 50, 10, 50, 50, 10, 50]];
    const rle = rleFromPolygon(polygon[0], 100, 100);
    const forms = [
      polygon,
      { size: [100, 100] as [number, number], counts: Array.from(rle.counts) },
      { size: [100, 100] as [number, number], counts: rleToString(rle) },
    ];
    for (const segmentation of forms) {
      const dets = [{ image_id: 1, category_id: 1, segmentation, score: 0.9 }];
      expect(resultTypes(dets)).toEqual(['segm']);
      // One of the two regular objects found, at full precision: recall thresholds 0..0.5 score 1.
      expect(evaluateCoco(gt, dets, 'segm').stats[1]).toBeCloseTo(51 / 101, 12);
    }
  });

  it('refuses results for images that are not in the ground truth', () => {
    expect(() => evaluateCoco(dataset(), [{ image_id: 9, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }], 'bbox')).toThrow(
      expect.objectContaining({ code: 'E_BAD_OPTION' }),
    );
  });
});
