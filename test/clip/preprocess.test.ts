/**
 * CLIP preprocessing: Pillow's bicubic resize bit for bit (golden hashes printed by Pillow 9.4 for images
 * the test and the generator both compute), torchvision's resize/centre-crop geometry, float32
 * normalisation, and the windowed (white canvas) resize equal to resizing the canvas itself.
 */
import { ClipPreprocessor, CLIP_MEAN, CLIP_STD, clipGeometry, NORMALISE_TABLES } from '../../lib/clip/preprocess';
import { type PixelWindow, ResizedImage, resizeBicubic } from '../../lib/clip/resample';
import { referenceCrop } from '../../lib/clip/crops';

/** The generator's pattern: (x*x*3 + y*7 + c*85 + (x*y) % 13) % 256. */
function pattern(width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] = (x * x * 3 + y * 7 + c * 85 + ((x * y) % 13)) % 256;
    }
  }
  return rgb;
}

const imul = Math.imul; // hoisted: global lookups are slow inside jest's sandbox

function fnv1a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = imul(hash ^ bytes[i], 0x01000193) >>> 0;
  return hash;
}

const pixelAt = (p: Uint8Array, x: number, y: number) => Array.from(p.subarray((y * 224 + x) * 3, (y * 224 + x) * 3 + 3));

describe('CLIP preprocessing', () => {
  // Python: np.asarray(Image.fromarray(a).resize((nw, nh), Image.BICUBIC))[top:top+224, left:left+224].
  test.each([
    [97, 61, 0xf153050e, 0xbbb359ca, [181, 82, 65], [141, 240, 53], [246, 45, 141]], // upscale
    [500, 333, 0x4efabbe7, 0x847a335, [183, 12, 97], [65, 150, 237], [48, 143, 80]], // downscale (antialiased)
    [150, 1000, 0xc09561a8, 0x55a28a0e, [154, 246, 68], [152, 237, 66], [240, 52, 154]], // portrait, vertical crop
  ])("%ix%i: Pillow's pixels, and the white-canvas crop too", async (w, h, hash, windowHash, p00, p57, pLast) => {
    const image = { rgb: pattern(w, h), width: w, height: h };
    const preprocessor = new ClipPreprocessor();
    const pixels = await preprocessor.pixelsOf(image);
    expect(pixelAt(pixels, 0, 0)).toEqual(p00);
    expect(pixelAt(pixels, 57, 111)).toEqual(p57);
    expect(pixelAt(pixels, 223, 223)).toEqual(pLast);
    expect(fnv1a(pixels)).toBe(hash);
    const window: [number, number, number, number] = [Math.floor(w / 10), Math.floor(h / 5), Math.floor(w / 2), Math.floor((h * 3) / 4)];
    expect(fnv1a(await preprocessor.pixelsOf({ ...image, window }))).toBe(windowHash);
    expect(fnv1a(await preprocessor.pixelsOf({ ...image, window }, true))).toBe(windowHash);
  });

  test('torchvision geometry: shorter side to 224, int() for the longer, Python round() for the crop', () => {
    expect(clipGeometry(640, 480)).toEqual({ resizedWidth: 298, resizedHeight: 224, left: 37, top: 0, size: 224 });
    expect(clipGeometry(810, 1080)).toEqual({ resizedWidth: 224, resizedHeight: 298, left: 0, top: 37, size: 224 });
    expect(clipGeometry(225, 224).left).toBe(0); // round(0.5) = 0
    expect(clipGeometry(227, 224).left).toBe(2); // round(1.5) = 2
    expect(clipGeometry(30, 20)).toEqual({ resizedWidth: 336, resizedHeight: 224, left: 56, top: 0, size: 224 });
    expect(clipGeometry(50, 50, 336)).toEqual({ resizedWidth: 336, resizedHeight: 336, left: 0, top: 0, size: 336 });
  });

  test('normalisation is ((v / 255) - mean) / std in float32, planar', async () => {
    const f = Math.fround;
    expect(NORMALISE_TABLES[255]).toBe(f(f(f(255 / 255) - f(CLIP_MEAN[0])) / f(CLIP_STD[0])));
    expect(NORMALISE_TABLES[256]).toBe(f(f(0 - f(CLIP_MEAN[1])) / f(CLIP_STD[1])));
    expect(NORMALISE_TABLES[512 + 128]).toBe(f(f(f(128 / 255) - f(CLIP_MEAN[2])) / f(CLIP_STD[2])));
    // The native preprocessing: each channel's plane is its bytes looked up in its table.
    const image = { rgb: pattern(97, 61), width: 97, height: 61 };
    const preprocessor = new ClipPreprocessor();
    const windows: PixelWindow[] = [
      [0, 0, 97, 61],
      [10, 5, 40, 50],
    ];
    const floats = await preprocessor.run(image, windows, true);
    const plane = 224 * 224;
    expect(floats.length).toBe(2 * 3 * plane);
    for (const [n, window] of windows.entries()) {
      const bytes = await preprocessor.pixelsOf({ ...image, window });
      for (const i of [0, 1, 5000, plane - 1]) {
        for (let c = 0; c < 3; c++) expect(floats[(n * 3 + c) * plane + i]).toBe(NORMALISE_TABLES[c * 256 + bytes[i * 3 + c]]);
      }
    }
  });

  test('a uniform image stays uniform: the fixed-point weights keep every level', async () => {
    const rgb = new Uint8Array(300 * 200 * 3);
    for (let i = 0; i < rgb.length; i += 3) rgb.set([200, 17, 90], i);
    const out = await resizeBicubic(rgb, 300, 200, 113, 77);
    const expected = new Uint8Array(out.length);
    for (let i = 0; i < out.length; i += 3) expected.set([200, 17, 90], i);
    expect(Buffer.from(out).equals(Buffer.from(expected))).toBe(true);
  });

  test.each([
    [173, 129, 301, 38, 40], // upscale
    [640, 480, 298, 37, 16], // downscale: wide kernels
  ])(
    "%ix%i: the windowed resize (alone, or reusing the image's resize) equals resizing the white canvas",
    async (w, h, outW, left, count) => {
      const rgb = pattern(w, h);
      const crop = { resizedWidth: outW, resizedHeight: 224, left, top: 0, cropWidth: 224, cropHeight: 224 };
      const whole = { ...crop, left: 0, cropWidth: outW };
      const plan = await ResizedImage.create({ rgb, width: w, height: h }, crop);
      let seed = 5;
      const random = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      const windows = Array.from({ length: count }, (): PixelWindow => {
        const x1 = random(w);
        const y1 = random(h);
        return [x1, y1, x1 + random(w - x1 + 1), y1 + random(h - y1 + 1)];
      });
      const size = 224 * 224 * 3;
      for (const reuse of [false, true]) {
        const got = await plan.pixels(windows, reuse);
        for (const [k, window] of windows.entries()) {
          const canvas = referenceCrop({ rgb, width: w, height: h }, window);
          const expected = await (await ResizedImage.create(canvas, whole)).pixels([[0, 0, w, h]]);
          for (let y = 0; y < 224; y++) {
            const row = got.subarray(k * size + y * 224 * 3, k * size + (y + 1) * 224 * 3);
            const want = expected.subarray((y * outW + left) * 3, (y * outW + left + 224) * 3);
            if (!Buffer.from(row).equals(Buffer.from(want)))
              throw new Error(`window ${window.join(',')} (reuse ${reuse}): row ${y} differs`);
          }
        }
      }
    },
  );
});
