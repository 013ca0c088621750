/** `fastsam val` (lib/cli/val.ts): both modes, --json lines, the runs folder, and one-line user errors. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCommand } from '../../lib/cli';
import { MASK_COEFS, tinySegmentModel } from '../../scripts/fixtures/tiny-models';
import { describeWithShared, sharedPath } from '../helpers/shared';
import { writeDataset } from './fixtures/dataset';

async function run(values: Record<string, string>, flags: string[] = []): Promise<string[]> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(...args.join(' ').split('\n'));
  });
  const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    await runCommand('val', values, new Set(flags));
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
  return lines;
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-valcli-'));
}

describe('fastsam val on a dataset', () => {
  it('prints the table, or one JSON line with the Ultralytics keys, and numbers its run folders', async () => {
    const data = await writeDataset([
      { name: 'a', width: 64, height: 64, objects: [{ cls: 0, polygon: [16, 16, 48, 16, 48, 40, 16, 40] }] },
    ]);
    const dir = tempDir();
    const model = path.join(dir, 'tiny.onnx');
    const protos = new Float32Array(MASK_COEFS * 16 * 16).fill(1);
    fs.writeFileSync(
      model,
      tinySegmentModel({
        size: 64,
        boxes: [{ cx: 32, cy: 28, w: 32, h: 24, score: 0.9, coef: [1, ...new Array<number>(MASK_COEFS - 1).fill(0)] }],
        protos,
      }),
    );
    const project = path.join(dir, 'runs');

    const text = await run({ model, data, imgsz: '64', project });
    expect(text[0]).toMatch(/Class\s+Images\s+Instances\s+Box\(P\s+R\s+mAP50\s+mAP50-95\)\s+Mask\(P/);
    expect(text[1]).toMatch(/^\s+all\s+1\s+1\s+1\s+1\s+0\.995\s+0\.995/);
    expect(text[text.length - 1]).toMatch(/^Results saved to .*runs\/val$/);

    const [line, ...rest] = await run({ model, data, project, single_cls: 'true' }, ['json']);
    expect(rest).toEqual([]);
    const metrics = JSON.parse(line) as Record<string, number>;
    expect(Object.keys(metrics)).toEqual([
      'metrics/precision(B)',
      'metrics/recall(B)',
      'metrics/mAP50(B)',
      'metrics/mAP50-95(B)',
      'metrics/precision(M)',
      'metrics/recall(M)',
      'metrics/mAP50(M)',
      'metrics/mAP50-95(M)',
      'fitness',
    ]);
    expect(metrics['metrics/mAP50(B)']).toBeCloseTo(0.995, 12);
    expect(fs.readdirSync(project).sort()).toEqual(['val', 'val2']);
    expect(fs.readdirSync(path.join(project, 'val2')).sort()).toEqual(['BoxPR_curve.png', 'MaskPR_curve.png', 'metrics.json']);

    await run({ model, data, project, exist_ok: 'true' }, ['json']);
    expect(fs.readdirSync(project).sort()).toEqual(['val', 'val2']);
  });

  it('refuses user mistakes with one line and a stable code', async () => {
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{}, 'E_BAD_OPTION', /missing data=/],
      [{ data: 'x.yaml' }, 'E_BAD_OPTION', /missing model=/],
      [{ data: 'x.yaml', model: 'm.onnx', colour: 'red' }, 'E_BAD_OPTION', /unknown fastsam val key 'colour'/],
      [{ data: 'x.yaml', model: 'm.onnx', conf: 'high' }, 'E_BAD_OPTION', /conf=high/],
      [{ data: '/nonexistent/x.yaml', model: '/nonexistent/m.onnx' }, 'E_FILE_NOT_FOUND', /x\.yaml/],
      [{ data: 'gt.json' }, 'E_BAD_OPTION', /predictions=/],
      [{ data: '/nonexistent/gt.json', predictions: '/nonexistent/r.json' }, 'E_FILE_NOT_FOUND', /gt\.json/],
      [{ data: 'gt.json', predictions: 'r.json', iou_type: 'keypoints' }, 'E_BAD_OPTION', /iou_type=keypoints/],
    ];
    for (const [values, code, message] of cases) {
      const error = await run(values).then(
        () => null,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
      expect(error?.message).not.toContain('\n');
    }
  });
});

describeWithShared('data/coco/eval-val2014-100/expected_stats.json', 'fastsam val on COCO json', () => {
  const dir = 'data/coco/eval-val2014-100';

  it('prints { "segm": [12 stats] } for segmentation results, matching pycocotools', async () => {
    const project = tempDir();
    const [line] = await run(
      {
        data: sharedPath(dir, 'instances_val2014_100.json'),
        predictions: sharedPath(dir, 'instances_val2014_fakesegm100_results.json'),
        project,
      },
      ['json'],
    );
    const out = JSON.parse(line) as Record<string, number[]>;
    expect(Object.keys(out)).toEqual(['segm']);
    const expected = JSON.parse(fs.readFileSync(sharedPath(dir, 'expected_stats.json'), 'utf8')).full_precision.segm as number[];
    out.segm.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    expect(fs.readdirSync(path.join(project, 'val')).sort()).toEqual(['MaskPR_curve.png', 'metrics.json']);
  });
});
