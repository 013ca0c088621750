/** Masks as PNG files: one 0/255 image per mask, or one index map (0 = background, i + 1 = mask i). */
import sharp from 'sharp';
import type { Mask } from '../masks/mask';

/** A single mask as an 8-bit grayscale PNG (255 inside). */
export async function maskToPng(mask: Mask): Promise<Buffer> {
  const [h, w] = mask.shape;
  const pixels = mask.toDense();
  for (let i = 0; i < pixels.length; i++) pixels[i] = pixels[i] ? 255 : 0;
  return sharp(pixels, { raw: { width: w, height: h, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}

/**
 * All masks as one index map: pixel value i + 1 where mask i is, smaller masks drawn over larger ones
 * (as the plots show them). 8-bit when there are fewer than 256 masks, else 16-bit.
 */
export async function masksToIndexPng(masks: Mask[], shape: [number, number]): Promise<Buffer> {
  const [h, w] = shape;
  const wide = masks.length > 254;
  const index = wide ? new Uint16Array(h * w) : new Uint8Array(h * w);
  const order = masks.map((m, i) => ({ i, area: m.area })).sort((a, b) => b.area - a.area);
  for (const { i } of order) {
    const m = masks[i];
    for (let y = 0; y < m.height; y++) {
      for (let x = 0; x < m.width; x++) if (m.data[y * m.width + x]) index[(m.y + y) * w + m.x + x] = i + 1;
    }
  }
  if (!wide)
    return sharp(index, { raw: { width: w, height: h, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
  return sharp(index, { raw: { width: w, height: h, channels: 1 } })
    .toColourspace('grey16')
    .png()
    .toBuffer();
}
