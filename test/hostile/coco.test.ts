/**
 * Hostile COCO polygons are rasterised in bounded time and memory (clipped to 16 image sizes around the
 * image, then walked without storing the boundary), or refused with E_BAD_OPTION when still too long.
 */
import { expectAnswer, expectTypedEnd, runCase } from './harness';

describe('hostile COCO annotations', () => {
  test.each([[2e8], [2e6], [1e300], [-1e300]])('a polygon reaching %p evaluates', async (coordinate) => {
    expect(expectAnswer(await runCase('coco', 'far', [coordinate]))).toEqual(expect.any(Number));
  });

  test('an ordinary polygon evaluates as before', async () => {
    expect(expectAnswer(await runCase('coco', 'exact'))).toBeCloseTo(1, 6);
  });

  test('200,000 far-away zigzags: E_BAD_OPTION', async () => {
    expectTypedEnd(await runCase('coco', 'zigzag'), 'E_BAD_OPTION', /boundary points/);
  });

  test.each([
    [1e9, 1e9],
    [0, 10],
    [1.5, 10],
  ])('an image of %p x %p: E_BAD_OPTION', async (width, height) => {
    expectTypedEnd(await runCase('coco', 'imageSize', [width, height]), 'E_BAD_OPTION', /height|width/);
  });
});
