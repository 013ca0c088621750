/** The native blend of an index map over a picture, against the JS loop it replaced (identity and letterboxed frames). */
import type { MaskFrame } from '../../lib/masks/mask-frame';
import { PlotCanvas, type Rgb } from '../../lib/plot/canvas';
import { blendIndexMap } from '../../lib/plot/overlay';

/** The plots' blend before it went native. */
function reference(
  rgb: Uint8Array,
  width: number,
  height: number,
  index: Int32Array,
  frame: MaskFrame,
  colours: Rgb[],
  alpha: number,
): Uint8Array {
  const out = new Uint8Array(rgb);
  const [mh, mw] = frame.shape;
  const identity = mh === height && mw === width;
  const axis = (len: number, maskLen: number, gain: number, pad: number) =>
    Int32Array.from({ length: len }, (_, i) => Math.min(maskLen - 1, Math.max(0, Math.floor((i + 0.5) * gain + pad))));
  const xs = axis(width, mw, frame.gain, frame.padX);
  const ys = axis(height, mh, frame.gain, frame.padY);
  const tint = new Float32Array(colours.length * 3);
  colours.forEach((c, i) => tint.set([c[0] * alpha + 0.5, c[1] * alpha + 0.5, c[2] * alpha + 0.5], i * 3));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = index[(identity ? y : ys[y]) * mw + (identity ? x : xs[x])];
      if (k < 0) continue;
      for (let c = 0; c < 3; c++) out[(y * width + x) * 3 + c] = out[(y * width + x) * 3 + c] * (1 - alpha) + tint[k * 3 + c];
    }
  }
  return out;
}

function pseudoRandom(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

test.each([
  ['identity', { shape: [30, 40], origShape: [30, 40], gain: 1, padX: 0, padY: 0 } as MaskFrame, 40, 30],
  ['letterboxed', { shape: [32, 32], origShape: [30, 61], gain: 32 / 61, padX: 0, padY: 8 } as MaskFrame, 61, 30],
])('%s frame: bytes equal the JS blend', async (_, frame, width, height) => {
  const rand = pseudoRandom(width);
  const rgb = Uint8Array.from({ length: width * height * 3 }, () => Math.floor(rand() * 256));
  const colours: Rgb[] = Array.from({ length: 5 }, () => [Math.floor(rand() * 256), Math.floor(rand() * 256), Math.floor(rand() * 256)]);
  const index = Int32Array.from({ length: frame.shape[0] * frame.shape[1] }, () => Math.floor(rand() * 7) - 2);
  for (const alpha of [0.5, 0.6, 1]) {
    const canvas = new PlotCanvas(new Uint8Array(rgb), width, height);
    // Values past the colours (5, 6 here, from a foreign index map) leave the pixel alone.
    const safeIndex = index.map((k) => (k >= colours.length ? -1 : k));
    await blendIndexMap(canvas, index, frame, colours, alpha);
    expect(canvas.rgb).toEqual(reference(rgb, width, height, safeIndex, frame, colours, alpha));
  }
});
