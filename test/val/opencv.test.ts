/**
 * The OpenCV ports the validator needs (load_image's resize, the ground-truth polygon fill), against
 * outputs printed by OpenCV 4.6 (cv2.resize / cv2.fillPoly) for the same inputs.
 */
import { fillPoly } from '../../lib/val/dataset/fill-poly';
import { resizeArea, resizeLinear, type U8Image } from '../../lib/val/dataset/opencv-resize';

/** The synthetic test image: value (i * 37 + 11) mod 256 at flat index i. */
function image(h: number, w: number, c: number): U8Image {
  return { data: Uint8Array.from({ length: h * w * c }, (_, i) => (i * 37 + 11) % 256), width: w, height: h, channels: c };
}

const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');

describe('cv2.resize', () => {
  it('INTER_AREA with a fractional factor (coverage weights, float32)', () => {
    expect(hex(resizeArea(image(7, 9, 3), 4, 3).data)).toBe('846c718f906b698e9b85698e7ca16c777b8881767a7c8175a4688d8f7367698e7274688d');
  });

  it('INTER_AREA by exactly 2 (block mean, rounding half up)', () => {
    expect(hex(resizeArea(image(6, 8, 3), 4, 3).data)).toBe('7f64899d82677ba085597ea3af54798db2576b9075496e939f84697da2875b80a5b95e83');
  });

  it('INTER_AREA by exactly 3 on one channel', () => {
    expect(hex(resizeArea(image(12, 12, 1), 4, 4).data)).toBe('7a779172758f8c6d708a6b858885829c');
  });

  it('INTER_LINEAR enlarging (11-bit fixed point)', () => {
    expect(hex(resizeLinear(image(5, 4, 3), 7, 9).data)).toBe(
      '0b305532577c7297bcb1567bde163b8c557a587da24a6e3e5378666186a59b6a8fc84e74755d8241668bb2d71888ad40466b7f758cb1a2add24f6a8f1c4066a9ce649e9a638c476288749984a9c6739873678c4083a8cdab7499ea2146aa4f74698ea1a8cd4ed0f51a5d82a78581a6c480a584709543688583a883aacf82545c817184a9a0c3e86c91a8385d67678ca784a9cebc375ba75e83859ec38db28296bb417499815e84a9fb2045c7476c7487aca1c66bcef42b7ca16a486d92',
    );
  });
});

describe('cv2.fillPoly', () => {
  function fill(w: number, h: number, pts: number[][]): string[] {
    const m = new Uint8Array(w * h);
    fillPoly(
      m,
      w,
      h,
      pts.map((p) => p[0]),
      pts.map((p) => p[1]),
    );
    return Array.from({ length: h }, (_, y) => Array.from(m.subarray(y * w, y * w + w)).join(''));
  }

  it('a triangle: edges drawn as 8-connected lines, spans from ceil(left) to floor(right)', () => {
    expect(
      fill(12, 10, [
        [1, 1],
        [10, 3],
        [4, 8],
      ]),
    ).toEqual([
      '000000000000',
      '011100000000',
      '011111110000',
      '001111111110',
      '001111111100',
      '000111111000',
      '000111110000',
      '000011000000',
      '000010000000',
      '000000000000',
    ]);
  });

  it('a self-intersecting polygon fills by even-odd pairs', () => {
    expect(
      fill(28, 7, [
        [15, 1],
        [25, 4],
        [13, 6],
        [10, 2],
        [1, 2],
        [13, 6],
        [18, 4],
        [22, 4],
        [24, 5],
      ]),
    ).toEqual([
      '0000000000000000000000000000',
      '0000000000000001100000000000',
      '0111111111100000011110000000',
      '0001111111110000000111110000',
      '0000001111110000011111111100',
      '0000000001111001111111111000',
      '0000000000001111100000000000',
    ]);
  });

  it('vertices outside the image are clipped as OpenCV 4.6 clips them', () => {
    expect(
      fill(12, 10, [
        [-3, 2],
        [9, -2],
        [14, 6],
        [6, 11],
      ]),
    ).toEqual([
      '001111111110',
      '111111111110',
      '111111111111',
      '111111111111',
      '111111111111',
      '111111111111',
      '011111111111',
      '001111111111',
      '000111111110',
      '000011111100',
    ]);
  });
});
