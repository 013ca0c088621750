/** Reading Ultralytics datasets: data.yaml, image lists, label files, rectangular batches, ground truth. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { labelPathFor, listImages, readDataConfig } from '../../lib/val/dataset/data-yaml';
import { groundTruth } from '../../lib/val/dataset/ground-truth';
import { parseLabels, readLabels } from '../../lib/val/dataset/labels';
import { planRectBatches } from '../../lib/val/dataset/rect';
import { describeWithShared, sharedPath } from '../helpers/shared';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-val-'));
}

describe('data.yaml', () => {
  it('resolves path against the yaml folder and split paths against path; names as list or mapping', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'ds', 'images', 'val'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'path: ds\nval: images/val\nnames: [cat, dog]\n');
    const a = readDataConfig(path.join(dir, 'a.yaml'));
    expect(a.root).toBe(path.join(dir, 'ds'));
    expect(a.splits.val).toEqual([path.join(dir, 'ds', 'images', 'val')]);
    expect(a.names).toEqual({ 0: 'cat', 1: 'dog' });
    fs.writeFileSync(path.join(dir, 'b.yaml'), 'val: [x, y]\nnames:\n  0: person\n  1: bicycle\n');
    const b = readDataConfig(path.join(dir, 'b.yaml'));
    expect(b.root).toBe(dir); // no path: the yaml's own folder
    expect(b.splits.val).toEqual([path.join(dir, 'x'), path.join(dir, 'y')]);
    expect(b.nc).toBe(2);
  });

  it('reports a missing file, bad YAML and missing names with the right codes', () => {
    const dir = tempDir();
    expect(() => readDataConfig(path.join(dir, 'none.yaml'))).toThrow(expect.objectContaining({ code: 'E_FILE_NOT_FOUND' }));
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'val: [unclosed\n');
    expect(() => readDataConfig(path.join(dir, 'bad.yaml'))).toThrow(expect.objectContaining({ code: 'E_BAD_OPTION' }));
    fs.writeFileSync(path.join(dir, 'nonames.yaml'), 'val: images\n');
    expect(() => readDataConfig(path.join(dir, 'nonames.yaml'))).toThrow(expect.objectContaining({ code: 'E_BAD_OPTION' }));
  });

  it('lists images recursively and from list files, sorted, by extension', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'images', 'sub'), { recursive: true });
    for (const f of ['b.jpg', 'a.PNG', 'notes.txt', 'sub/c.jpeg', '.hidden.jpg']) fs.writeFileSync(path.join(dir, 'images', f), '');
    expect(listImages([path.join(dir, 'images')]).map((f) => path.relative(dir, f))).toEqual([
      'images/a.PNG',
      'images/b.jpg',
      'images/sub/c.jpeg',
    ]);
    fs.writeFileSync(path.join(dir, 'list.txt'), './images/b.jpg\n./images/sub/c.jpeg\n');
    expect(listImages([path.join(dir, 'list.txt')])).toEqual([path.join(dir, 'images/b.jpg'), path.join(dir, 'images/sub/c.jpeg')]);
    expect(() => listImages([path.join(dir, 'missing')])).toThrow(expect.objectContaining({ code: 'E_FILE_NOT_FOUND' }));
  });

  it('finds labels by swapping the last /images/ for /labels/', () => {
    expect(labelPathFor('/d/images/x/images/val/a.b.jpg')).toBe('/d/images/x/labels/val/a.b.txt');
  });
});

describe('label files', () => {
  it('reads polygons in float32 with boxes from their extremes', () => {
    const l = parseLabels('3 0.1 0.2 0.5 0.2 0.5 0.6 0.1 0.6\n', 80);
    expect(Array.from(l.cls)).toEqual([3]);
    expect(l.boxes[0]).toBe(Math.fround(Math.fround(Math.fround(0.1) + Math.fround(0.5)) / 2));
    expect(l.boxes[2]).toBe(Math.fround(Math.fround(0.5) - Math.fround(0.1)));
    expect(l.segments[0]).toHaveLength(8);
  });

  it('drops duplicate rows, leaving them in sorted order', () => {
    const l = parseLabels('5 0.5 0.5 0.6 0.5 0.6 0.6 0.5 0.6\n1 0.1 0.1 0.2 0.1 0.2 0.2 0.1 0.2\n5 0.5 0.5 0.6 0.5 0.6 0.6 0.5 0.6\n', 80);
    expect(Array.from(l.cls)).toEqual([1, 5]);
  });

  it('marks out-of-range coordinates, odd polygons and missing files', () => {
    const dir = tempDir();
    const f = path.join(dir, 'a.txt');
    fs.writeFileSync(f, '0 0.1 0.2 1.5 0.2 0.5 0.6 0.1 0.6\n');
    expect(readLabels(f, 80).ok).toBe(false);
    fs.writeFileSync(f, '0 0.1 0.2 0.5 0.2 0.5 0.6 0.1\n');
    expect(readLabels(f, 80).ok).toBe(false);
    expect(readLabels(path.join(dir, 'none.txt'), 80)).toEqual(expect.objectContaining({ ok: true, missing: true }));
  });
});

describe('rectangular batches', () => {
  it('sorts by aspect ratio and sizes each batch as ceil(ratio * imgsz / 32 + 0.5) * 32', () => {
    // Three landscape images and one portrait one, batches of 2.
    const plan = planRectBatches(
      [
        [480, 640],
        [640, 480],
        [427, 640],
        [360, 640],
      ],
      640,
      32,
      2,
    );
    expect(plan.order).toEqual([3, 2, 0, 1]);
    expect(plan.batches[0]).toEqual({ items: [3, 2], shape: [448, 672] }); // max ratio 427/640
    expect(plan.batches[1]).toEqual({ items: [0, 1], shape: [672, 672] }); // mixed: square
    expect(planRectBatches([[640, 481]], 320, 32, 16).batches[0].shape).toEqual([352, 288]);
  });
});

describeWithShared('data/coco8-seg.yaml', 'ground truth on coco8-seg, against the reference', () => {
  // Per image: what the reference's own label code (LetterBox, Format, polygons2masks_overlap, run with
  // NumPy 1.24 / OpenCV 4.6) produced: classes in index-map order, the pixels of each object in the map,
  // the map's SHA-1, and the first box in original pixels.
  const cases = [
    {
      name: '320 square',
      geometry: { resizedH: 320, resizedW: 244, inputH: 320, inputW: 320, r: 1, dw: 38, dh: 0, gain: 0.64 },
      areas: [226, 126, 78, 54, 43, 12, 9, 4, 4],
      sha1: '22ee2b3294d76f0ece1e52392ab3b5bcea65d22e',
      // eslint-disable-next-line no-loss-of-precision -- the exact float32 values, as printed by Python
      box: [162.67666625976562, 226.55999755859375, 293.172119140625, 410.9900207519531],
    },
    {
      name: '640 rect',
      geometry: { resizedH: 640, resizedW: 488, inputH: 672, inputW: 512, r: 1, dw: 12, dh: 16, gain: 1.28 },
      areas: [862, 489, 303, 198, 155, 36, 24, 13, 12],
      sha1: '24022bdf4e5ec0d97511dcd725fb11a67f769d33',
      box: [162.67669677734375, 226.55999755859375, 293.1720886230469, 410.9900207519531],
    },
  ];
  it.each(cases)('000000000049.jpg at $name', ({ geometry, areas, sha1, box }) => {
    const read = readLabels(sharedPath('data/coco8-seg/labels/val/000000000049.txt'), 80);
    if (!read.ok) throw new Error(read.reason);
    const gt = groundTruth(read.labels, { origH: 500, origW: 381, ...geometry });
    expect(Array.from(gt.cls)).toEqual([17, 17, 58, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(gt.areas)).toEqual(areas);
    expect(createHash('sha1').update(gt.indexMap).digest('hex')).toBe(sha1);
    expect(Array.from(gt.boxes.subarray(0, 4))).toEqual(box);
  });
});
