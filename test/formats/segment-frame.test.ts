/**
 * The segment answer carries the letterbox mapping of letterboxed masks (from the native core), and the
 * web page's reader builds its MaskFrame from it instead of recomputing the geometry; retina answers need
 * none.
 */
import { toSegmentJSON } from '../../lib/formats/segment-json';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { readEverything } from '../../lib/serve/web/masks';
import { MASK_COEFS, tinySegmentModel } from '../../scripts/fixtures/tiny-models';

let model: FastSAM;
// 128 x 64 letterboxed into 64 x 64: gain 0.5, 16 px of padding above and below.
const image = { data: new Uint8Array(128 * 64 * 3).fill(90), width: 128, height: 64, channels: 3 as const };

beforeAll(async () => {
  const protos = new Float32Array(MASK_COEFS * 256).fill(-1);
  for (let y = 4; y < 12; y++) for (let x = 4; x < 12; x++) protos[y * 16 + x] = 1;
  const onehot = Array.from({ length: MASK_COEFS }, (_, i) => (i === 0 ? 1 : 0));
  model = await FastSAM.load(tinySegmentModel({ size: 64, boxes: [{ cx: 32, cy: 32, w: 30, h: 30, score: 0.9, coef: onehot }], protos }));
});
afterAll(() => model.dispose());

test('letterboxed masks: the answer carries the mapping, and the page reads the same frame', async () => {
  const [result] = await model.predict(image, { retinaMasks: false });
  const answer = await toSegmentJSON(result);
  expect(JSON.parse(JSON.stringify(answer.frame))).toEqual({ gain: 0.5, padX: 0, padY: 16 }); // as the wire carries it
  expect(readEverything(answer).frame).toEqual(result.masks.frame);
});

test('retina masks: no mapping needed, the identity frame', async () => {
  const [result] = await model.predict(image, { retinaMasks: true });
  const answer = await toSegmentJSON(result);
  expect(answer.frame).toBeUndefined();
  expect(readEverything(answer).frame).toMatchObject({ gain: 1, padX: 0, padY: 0 });
});
