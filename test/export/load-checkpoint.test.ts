/** FastSAM.load('X.pt'): the checkpoint is exported in Node (cached by content) and loaded like an ONNX. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { describeWithShared, sharedPath } from '../helpers/shared';

describeWithShared('models/FastSAM-s-random.pt', 'loading a .pt checkpoint directly', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-home-'));
  const previous = process.env.FASTSAM_HOME;
  beforeAll(() => {
    process.env.FASTSAM_HOME = home;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.FASTSAM_HOME;
    else process.env.FASTSAM_HOME = previous;
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('predicts the same as the reference ONNX export, and reuses the cached export', async () => {
    const fromPt = await FastSAM.load(sharedPath('models/FastSAM-s-random.pt'));
    const fromOnnx = await FastSAM.load(sharedPath('models/FastSAM-s-random-640.onnx'));
    expect(fromPt.contract.fixedSize).toEqual([640, 640]);
    const [a] = await fromPt.predict(sharedPath('data/images/bus.jpg'), { retinaMasks: false });
    const [b] = await fromOnnx.predict(sharedPath('data/images/bus.jpg'), { retinaMasks: false });
    expect(Array.from(a.boxes.xyxy)).toEqual(Array.from(b.boxes.xyxy));
    expect(await a.masks.toRLE([0])).toEqual(await b.masks.toRLE([0]));
    const cached = fs.readdirSync(path.join(home, 'exports'), { recursive: true }).filter((f) => String(f).endsWith('.onnx'));
    expect(cached).toHaveLength(1);
    await Promise.all([fromPt.dispose(), fromOnnx.dispose()]);
    const again = await FastSAM.load(sharedPath('models/FastSAM-s-random.pt'));
    expect(fs.readdirSync(path.join(home, 'exports'), { recursive: true }).filter((f) => String(f).endsWith('.onnx'))).toHaveLength(1);
    await again.dispose();
  });
});
