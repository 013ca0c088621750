/**
 * PackedMaskStore (how GPU results keep their masks) against MaterializedMaskStore on the same crops:
 * unpacking must give the same pixels, RLEs and index map, for any subset and order of masks.
 */
import { Mask } from '../../lib/masks/mask';
import { MaterializedMaskStore } from '../../lib/masks/masks';
import { native } from '../../lib/native';
import { PackedMaskStore } from '../../lib/masks/packed-store';
import { seededRandom } from '../../lib/plot/random';

/** Packs crops the way the GPU does: LSB first, each row starting on a byte. */
function pack(masks: Mask[]): { packed: Uint8Array; windows: Int32Array; starts: Float64Array } {
  const rowBytes = (w: number) => Math.ceil(w / 8);
  const total = masks.reduce((sum, m) => sum + rowBytes(m.width) * m.height, 0);
  const packed = new Uint8Array(total);
  const windows = new Int32Array(masks.length * 4);
  const starts = new Float64Array(masks.length);
  let at = 0;
  masks.forEach((m, i) => {
    windows.set([m.x, m.y, m.width, m.height], i * 4);
    starts[i] = at;
    for (let y = 0; y < m.height; y++) {
      for (let x = 0; x < m.width; x++) if (m.data[y * m.width + x]) packed[at + y * rowBytes(m.width) + (x >> 3)] |= 1 << (x & 7);
    }
    at += rowBytes(m.width) * m.height;
  });
  return { packed, windows, starts };
}

function randomMasks(count: number, shape: [number, number], seed: number): Mask[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const width = i === 0 ? 0 : 1 + Math.floor(random() * 40);
    const height = i === 0 ? 0 : 1 + Math.floor(random() * 30);
    const x = Math.floor(random() * (shape[1] - width));
    const y = Math.floor(random() * (shape[0] - height));
    const data = Uint8Array.from({ length: width * height }, () => (random() < 0.6 ? 1 : 0));
    return new Mask(x, y, width, height, data, shape);
  });
}

test('packed masks unpack to the same pixels, RLEs and index map as materialised ones', async () => {
  const shape: [number, number] = [48, 64];
  const masks = randomMasks(12, shape, 3);
  const { packed, windows, starts } = pack(masks);
  const store = new PackedMaskStore(packed, windows, starts, shape);
  const reference = new MaterializedMaskStore(masks, shape);
  expect(store.count).toBe(12);
  for (const rows of [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [11, 3, 3, 0], []]) {
    const got = await store.crops(rows);
    const want = await reference.crops(rows);
    expect(got.map((m) => [m.x, m.y, m.width, m.height, Array.from(m.data)])).toEqual(
      want.map((m) => [m.x, m.y, m.width, m.height, Array.from(m.data)]),
    );
    expect(await store.rles(rows)).toEqual(await reference.rles(rows));
  }
  expect(await store.indexMap([2, 5, 7])).toEqual(await reference.indexMap([2, 5, 7]));
});

test('unpackMasks refuses windows that do not fit the packed bytes (E_BAD_OPTION)', async () => {
  const refused = (run: () => Promise<unknown>, message: RegExp) =>
    expect(run()).rejects.toMatchObject({ code: 'E_BAD_OPTION', message: expect.stringMatching(message) });
  await refused(() => native().unpackMasks(new Uint8Array(3), Int32Array.of(0, 0, 9, 2), Float64Array.of(0)), /does not fit/);
  await refused(() => native().unpackMasks(new Uint8Array(3), Int32Array.of(0, 0, 8, 1), Float64Array.of(-1)), /does not fit/);
  await refused(() => native().unpackMasks(new Uint8Array(3), Int32Array.of(0, 0, 8), Float64Array.of(0)), /n x 4/);
  const rle = { format: 'rle' as const, maskHeight: 4, maskWidth: 4 };
  await refused(() => native().unpackMasks(new Uint8Array(3), Int32Array.of(1, 0, 8, 1), Float64Array.of(0), rle), /outside the mask/);
  await refused(
    () => native().unpackMasks(new Uint8Array(3), Int32Array.of(0, 0, 8, 1), Float64Array.of(0), { ...rle, maskWidth: 0 }),
    /maskWidth/,
  );
});
