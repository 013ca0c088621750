/**
 * The zip container: read from the central directory (torch leaves local sizes zero), stored and deflated
 * entries, zip64 end records; and refusals with typed errors for truncation, corruption, names that could
 * escape a folder, duplicate names, encryption, and zip bombs (honest huge sizes and lying headers).
 */
import * as fs from 'node:fs';
import { ZipArchive } from '../../lib/checkpoint';
import { writeZip, type ZipFile } from '../../scripts/fixtures/checkpoint-writer';
import { describeWithShared, sharedPath } from '../helpers/shared';

const text = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const refusal = (code: string, message: RegExp): ReturnType<typeof expect.objectContaining> =>
  expect.objectContaining({ code, message: expect.stringMatching(message) });

describe('reading', () => {
  test('stored and deflated entries read back, CRC-checked', () => {
    const big = Buffer.alloc(100_000, 'abc');
    const zip = ZipArchive.open(
      writeZip([
        { name: 'a/data.pkl', data: text('pickle') },
        { name: 'a/data/0', data: big, method: 8 },
      ]),
    );
    expect(zip.names).toEqual(['a/data.pkl', 'a/data/0']);
    expect(Buffer.from(zip.read('a/data.pkl')).toString()).toBe('pickle');
    expect(Buffer.from(zip.read('a/data/0')).equals(big)).toBe(true);
    expect(zip.entry('a/data/0')).toMatchObject({ method: 8, size: 100_000 });
  });

  test('zip64 end records are followed', () => {
    const zip = ZipArchive.open(writeZip([{ name: 'a/x', data: text('sixty-four') }], { zip64: true }));
    expect(Buffer.from(zip.read('a/x')).toString()).toBe('sixty-four');
  });

  describeWithShared('models/FastSAM-s-random.pt', 'a real torch.save file', () => {
    test('lists every storage and reads them with their CRCs', () => {
      const zip = ZipArchive.open(fs.readFileSync(sharedPath('models/FastSAM-s-random.pt')));
      expect(zip.names).toContain('FastSAM-s-random/data.pkl');
      const storages = zip.names.filter((n) => n.startsWith('FastSAM-s-random/data/'));
      expect(storages.length).toBe(421);
      for (const name of storages) expect(zip.read(name).length).toBe(zip.entry(name)?.size);
    });
  });
});

describe('refusals', () => {
  const good = writeZip([
    { name: 'a/data.pkl', data: text('x'.repeat(1000)) },
    { name: 'a/data/0', data: text('y'.repeat(1000)) },
  ]);

  test('every truncation of an archive is E_MODEL_FORMAT (or a missing entry), never a crash', () => {
    for (let cut = 0; cut < good.length; cut += 7) {
      const bytes = good.subarray(0, cut);
      try {
        const zip = ZipArchive.open(bytes);
        for (const name of zip.names) zip.read(name);
        throw new Error(`a ${cut}-byte prefix read cleanly`);
      } catch (error) {
        expect(error).toMatchObject({ name: 'FastSAMError', code: 'E_MODEL_FORMAT' });
      }
    }
  });

  test('a corrupted entry fails its CRC', () => {
    const bytes = Buffer.from(good);
    bytes[40] ^= 0xff; // inside the first entry's data
    expect(() => ZipArchive.open(bytes).read('a/data.pkl')).toThrow(refusal('E_MODEL_FORMAT', /CRC mismatch/));
  });

  test.each(['../evil.pkl', 'a/../../etc/passwd', '/etc/passwd', 'C:/windows/x', 'a\\..\\b', 'a/./b', 'nul\u0000byte'])(
    'the name %j is refused',
    (name) => {
      expect(() => ZipArchive.open(writeZip([{ name, data: text('x') }]))).toThrow(
        refusal('E_UNSAFE_CHECKPOINT', /could escape its folder/),
      );
    },
  );

  test('two entries with one name are refused', () => {
    expect(() =>
      ZipArchive.open(
        writeZip([
          { name: 'a/x', data: text('1') },
          { name: 'a/x', data: text('2') },
        ]),
      ),
    ).toThrow(refusal('E_UNSAFE_CHECKPOINT', /two entries named/));
  });

  test('a local header naming another file is refused', () => {
    expect(() => ZipArchive.open(writeZip([{ name: 'a/x', localName: 'a/y', data: text('1') }])).read('a/x')).toThrow(
      refusal('E_UNSAFE_CHECKPOINT', /different local name/),
    );
  });

  test('encrypted entries and unknown compression are refused', () => {
    expect(() => ZipArchive.open(writeZip([{ name: 'a/x', data: text('1'), flags: 0x801 }]))).toThrow(
      refusal('E_MODEL_FORMAT', /encrypted/),
    );
    expect(() => ZipArchive.open(writeZip([{ name: 'a/x', data: text('1'), method: 12 }]))).toThrow(
      refusal('E_MODEL_FORMAT', /compression method 12/),
    );
  });

  test('a zip bomb with an honest huge size is refused before inflating', () => {
    const file: ZipFile = { name: 'a/bomb', data: Buffer.alloc(4_000_000), method: 8, declaredSize: 3_000_000_000 };
    expect(() => ZipArchive.open(writeZip([file])).read('a/bomb')).toThrow(
      refusal('E_UNSAFE_CHECKPOINT', /would inflate to 3000000000 bytes/),
    );
  });

  test('a zip bomb that lies about its size stops at the declared size', () => {
    const file: ZipFile = { name: 'a/bomb', data: Buffer.alloc(20_000_000), method: 8, declaredSize: 1000 };
    expect(() => ZipArchive.open(writeZip([file])).read('a/bomb')).toThrow(
      refusal('E_UNSAFE_CHECKPOINT', /impossible compression ratio|inflates past its declared/),
    );
    const smallLie: ZipFile = { name: 'a/bomb', data: Buffer.alloc(50_000), method: 8, declaredSize: 40_000 };
    expect(() => ZipArchive.open(writeZip([smallLie])).read('a/bomb')).toThrow(
      refusal('E_UNSAFE_CHECKPOINT', /inflates past its declared 40000 bytes/),
    );
  });

  test('the total inflated across entries is capped too', () => {
    const files: ZipFile[] = [0, 1, 2].map((i) => ({ name: `a/${i}`, data: Buffer.alloc(400_000), method: 8 }));
    const zip = ZipArchive.open(writeZip(files), { maxInflatedBytes: 1_000_000 });
    zip.read('a/0');
    zip.read('a/1');
    expect(() => zip.read('a/2')).toThrow(refusal('E_UNSAFE_CHECKPOINT', /limit 1000000/));
  });

  test('too many entries are refused', () => {
    const files: ZipFile[] = Array.from({ length: 20 }, (_, i) => ({ name: `a/${i}`, data: text('1') }));
    expect(() => ZipArchive.open(writeZip(files), { maxEntries: 10 })).toThrow(refusal('E_UNSAFE_CHECKPOINT', /20 entries/));
  });
});
