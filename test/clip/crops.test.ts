/**
 * The images CLIP is shown, against hand-computed pixels: the reference crop (the mask's tight box pasted
 * on a white canvas), the masked crop (the detection box, black outside the mask), and both for masks
 * that live in the letterbox (retina masks off), mapped to the image without resizing the image.
 */
import { Mask } from '../../lib/masks/mask';
import { frameOf as maskFrame } from '../../lib/masks/frame-mapping';
import { maskedBox, maskedCrop, maskInBox, referenceCrop, referenceWindow } from '../../lib/clip/crops';

/** A mask of `shape` [h, w] that is 1 on [x1, x2) x [y1, y2). */
function rectMask(shape: [number, number], x1: number, y1: number, x2: number, y2: number): Mask {
  const bits = new Uint8Array(shape[0] * shape[1]);
  for (let y = y1; y < y2; y++) bits.fill(1, y * shape[1] + x1, y * shape[1] + x2);
  return Mask.fromDense(bits, shape);
}

/** Pixel (x, y) of a w-wide image = [x, y, 7]: every pixel different and none black. */
function coordinateImage(width: number, height: number) {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.set([x, y, 7], (y * width + x) * 3);
  return { rgb, width, height };
}

describe('reference crop (CASIA _crop_image + _segment_image)', () => {
  test('the window is the tight box of the mask pixels (all of them, as the union of contour boxes)', () => {
    // Two blobs in a 1-bit window: the box spans both.
    const bits = new Uint8Array(10 * 12);
    bits[2 * 12 + 3] = 1;
    bits[7 * 12 + 9] = 1;
    bits[5 * 12 + 5] = 1;
    const mask = new Mask(0, 0, 12, 10, bits, [10, 12]);
    expect(referenceWindow(mask, maskFrame([10, 12], [10, 12]))).toEqual([3, 2, 10, 8]);
    expect(referenceWindow(new Mask(0, 0, 12, 10, new Uint8Array(120), [10, 12]), maskFrame([10, 12], [10, 12]))).toEqual([0, 0, 0, 0]);
  });

  test('letterboxed masks map to image pixels through gain and padding, not by resizing the image', () => {
    // A 256 x 128 image in a 128 x 128 letterbox: gain 0.5, 32 px of padding above and below.
    const frame = maskFrame([128, 128], [128, 256]);
    expect([frame.gain, frame.padX + 0, frame.padY]).toEqual([0.5, 0, 32]); // + 0: the pad is -0
    expect(referenceWindow(rectMask([128, 128], 54, 54, 82, 82), frame)).toEqual([108, 44, 164, 100]);
    // Inside the padding: clipped to the image.
    expect(referenceWindow(rectMask([128, 128], 0, 10, 128, 40), frame)).toEqual([0, 0, 256, 16]);
    // 810 x 1080 in 640: gain 16/27, 80 px of padding left and right. Edges widen to whole pixels
    // (x: 20 * 27/16 = 33.75 -> 33, 120 * 27/16 = 202.5 -> 203); whole ones stay (y: 27, 54).
    const frame2 = maskFrame([640, 640], [1080, 810]);
    expect([frame2.padX, frame2.padY + 0]).toEqual([80, 0]);
    expect(referenceWindow(rectMask([640, 640], 100, 16, 200, 32), frame2)).toEqual([33, 27, 203, 54]);
  });

  test('the canvas: white, with the original pixels inside the window only', () => {
    const image = coordinateImage(4, 3);
    const { rgb, width, height } = referenceCrop(image, [1, 1, 3, 2]);
    expect([width, height]).toEqual([4, 3]);
    const W = [255, 255, 255];
    expect(Array.from(rgb)).toEqual([...W, ...W, ...W, ...W, ...W, 1, 1, 7, 2, 1, 7, ...W, ...W, ...W, ...W, ...W]);
  });
});

describe('masked crop (current Ultralytics)', () => {
  test('the detection box truncated to ints, black outside the mask', () => {
    const image = coordinateImage(6, 4);
    const frame = maskFrame([4, 6], [4, 6]);
    const bits = new Uint8Array(24);
    for (const [x, y] of [
      [1, 0],
      [2, 1],
      [3, 1],
      [4, 2],
    ])
      bits[y * 6 + x] = 1;
    const mask = Mask.fromDense(bits, [4, 6]);
    const crop = maskedCrop(image, mask, [1.7, 0.2, 5.9, 3.99], frame); // int(): [1, 0, 5, 3]
    expect([crop.width, crop.height]).toEqual([4, 3]);
    const K = [0, 0, 0];
    expect(Array.from(crop.rgb)).toEqual([1, 0, 7, ...K, ...K, ...K, ...K, 2, 1, 7, 3, 1, 7, ...K, ...K, ...K, ...K, 4, 2, 7]);
    // A box cutting through the mask's window keeps only the overlap.
    expect(Array.from(maskInBox(mask, frame, [2, 1, 4, 3]))).toEqual([1, 1, 0, 0]);
    expect(Array.from(maskInBox(mask, frame, [0, 0, 2, 2]))).toEqual([0, 1, 0, 0]);
  });

  test('a box thinner than a pixel still gives a one-pixel crop', () => {
    const frame = maskFrame([4, 6], [4, 6]);
    expect(maskedBox([2.2, 1.1, 2.9, 3.5], frame)).toEqual([2, 1, 3, 3]);
    expect(maskedBox([6, 4, 6, 4], frame)).toEqual([5, 3, 6, 4]);
  });

  test('letterboxed masks: scale_masks (padding removed, bilinear, > 0.5) inside the box', () => {
    // Letterbox mask columns/rows [54, 82); unpadded rows [22, 50). Image pixel x samples the mask at
    // 0.5 x - 0.25: x = 107 -> 53.25 (weight 0.25 on column 54: out), x = 108 -> 53.75 (0.75: in),
    // x = 163 -> 81.25 (0.75 on column 81: in), x = 164 -> 81.75 (out). Rows alike: y in [44, 100).
    const frame = maskFrame([128, 128], [128, 256]);
    const mask = rectMask([128, 128], 54, 54, 82, 82);
    const bits = maskInBox(mask, frame, [100, 40, 170, 104]);
    const expected = new Uint8Array(70 * 64);
    for (let y = 44; y < 100; y++) expected.fill(1, (y - 40) * 70 + 108 - 100, (y - 40) * 70 + 164 - 100);
    expect(Buffer.from(bits).equals(Buffer.from(expected))).toBe(true);
    const crop = maskedCrop(coordinateImage(256, 128), mask, [100, 40, 170, 104], frame);
    expect(Array.from(crop.rgb.subarray(((44 - 40) * 70 + 8) * 3, ((44 - 40) * 70 + 8) * 3 + 3))).toEqual([108, 44, 7]);
    expect(Array.from(crop.rgb.subarray(((43 - 40) * 70 + 8) * 3, ((43 - 40) * 70 + 8) * 3 + 3))).toEqual([0, 0, 0]);
  });
});
