/**
 * Parity with the reference's golden outputs (shared/golden): fed the stored raw network outputs,
 * postprocess() must give the same boxes (±1e-3 px) and the same masks. The only allowed slack is float
 * rounding at the 0-logit boundary: the reference sums the 32-term coefficient·prototype dot product in
 * BLAS order, we sum it sequentially, so a logit within a few ulps of 0 can land on the other side.
 * That is bounded at 0.05 % of a mask's pixels (DESIGN.md, "Testing").
 */
import { postprocess } from '../../lib/pipeline/postprocess';
import type { RLE } from '../../lib/masks/masks';
import { describeWithShared, readGzipJson, readNpyFloat32, sharedPath } from '../helpers/shared';
import { area, countDifferences, decodeRle } from '../helpers/rle';

interface FastSAMCase {
  conf: number;
  iou: number;
  max_det?: number;
  retina: boolean;
  orig_shape: [number, number];
  input_shape: number[];
  boxes: number[][];
  masks: RLE[];
  mask_shape: [number, number];
}

interface YoloPart {
  boxes: number[][];
  masks: RLE[];
  mask_shape: [number, number];
}

interface YoloCase {
  conf: number;
  iou: number;
  nc: number;
  orig_shape: [number, number];
  input_shape: number[];
  letterbox: YoloPart;
  retina: YoloPart;
}

const MAX_MASK_SLACK = 0.0005;

function loadOutputs(dir: string, name: string) {
  return {
    output0: readNpyFloat32(sharedPath('golden', dir, `${name}.output0.npy`)),
    output1: readNpyFloat32(sharedPath('golden', dir, `${name}.output1.npy`)),
  };
}

async function expectParity(
  results: Awaited<ReturnType<typeof postprocess>>,
  expected: { boxes: number[][]; masks: RLE[]; mask_shape: [number, number] },
): Promise<{ worst: number; pixelsOff: number }> {
  const [result] = results;
  expect(result.length).toBe(expected.boxes.length);
  expect(result.masks.shape).toEqual(expected.mask_shape);
  expected.boxes.forEach((row, i) => {
    for (let k = 0; k < 4; k++) expect(Math.abs(result.boxes.xyxy[i * 4 + k] - row[k])).toBeLessThanOrEqual(1e-3);
    expect(result.boxes.conf[i]).toBeCloseTo(row[4], 6);
    expect(result.boxes.cls[i]).toBe(row[5]);
  });
  const rles = await result.masks.toRLE();
  let worst = 0;
  let pixelsOff = 0;
  rles.forEach((rle, i) => {
    const ours = decodeRle(rle);
    const theirs = decodeRle(expected.masks[i]);
    const diff = countDifferences(ours, theirs);
    pixelsOff += diff;
    worst = Math.max(worst, diff / Math.max(1, area(theirs)));
  });
  expect(worst).toBeLessThanOrEqual(MAX_MASK_SLACK);
  return { worst, pixelsOff };
}

describeWithShared('golden/fastsam-s-random/index.json', 'FastSAM golden parity (postprocess)', () => {
  const cases = ['dogs-640-retina', 'dogs-640-letterbox', 'bus-640-retina'];
  test.each(cases)('%s', async (name) => {
    const golden = readGzipJson<FastSAMCase>(sharedPath('golden/fastsam-s-random', `${name}.json.gz`));
    const results = await postprocess(loadOutputs('fastsam-s-random', name), {
      inputShape: golden.input_shape,
      origShape: golden.orig_shape,
      conf: golden.conf,
      iou: golden.iou,
      maxDet: golden.max_det ?? 300,
      retinaMasks: golden.retina,
    });
    const { worst, pixelsOff } = await expectParity(results, golden);

    console.log(`${name}: ${golden.boxes.length} detections, ${pixelsOff} mask pixels off, worst ${(worst * 100).toFixed(4)} %`);
  });
});

describeWithShared('golden/yolov8n-seg-int8', 'YOLOv8n-seg golden parity (postprocess)', () => {
  const cases = ['bus-320', 'zidane-320'];
  const modes = ['letterbox', 'retina'] as const;
  test.each(cases.flatMap((c) => modes.map((m) => [c, m] as const)))('%s %s', async (name, mode) => {
    const golden = readGzipJson<YoloCase>(sharedPath('golden/yolov8n-seg-int8', `${name}.json.gz`));
    const results = await postprocess(loadOutputs('yolov8n-seg-int8', name), {
      inputShape: golden.input_shape,
      origShape: golden.orig_shape,
      conf: golden.conf,
      iou: golden.iou,
      retinaMasks: mode === 'retina',
    });
    expect(results[0].names[0]).toBe('0');
    await expectParity(results, golden[mode]);
  });
});
