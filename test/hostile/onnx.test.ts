/**
 * Hostile ONNX headers and metadata end in E_MODEL_FORMAT at load, within a few seconds and well under
 * 1.5 GiB, in a child with a 1 GiB heap; metadata is held to the caps of lib/options/limits.ts.
 */
import { expectAnswer, expectTypedEnd, runCase } from './harness';

describe('hostile ONNX files', () => {
  test.each([
    ['100 M output rows and no names (134 bytes)', 'hundredMillionRows', /number of classes output0 declares/],
    ['a billion mask coefficients', 'hugeMaskCoefficients', /mask coefficients/],
    ['a fixed input of 1e6 x 1e6', 'hugeFixedInput', /fixed input size/],
    ['a fixed batch of 1e9', 'hugeFixedBatch', /fixed batch size/],
    ['100,001 names', 'tooManyNames', /more than 100000 names/],
    ['names keyed 0 and 7', 'namesWithGaps', /'names' keys must be 0 to 1/],
    ['9 MB of names metadata', 'hugeNamesText', /over the 8388608 allowed/],
    ['imgsz [32768, 32768] on a dynamic model', 'imgszHuge', /'imgsz' must be/],
    ['imgsz [-64, 0]', 'imgszNegative', /'imgsz' must be/],
    ['imgsz [0x40, 0x40]', 'imgszHex', /not a list of integers/],
    ['imgsz off the stride', 'imgszOffStride', /multiples of the stride 32/],
    ['stride [0]', 'strideZero', /'stride' must be/],
    ['stride [1000000000]', 'strideHuge', /'stride' must be/],
    ['stride [1e9]', 'strideExponent', /not a list of integers/],
  ])('%s: E_MODEL_FORMAT at load', async (_, name, message) => {
    expectTypedEnd(await runCase('onnx', name), 'E_MODEL_FORMAT', message);
  });

  test('the same model with honest metadata predicts', async () => {
    expect(expectAnswer(await runCase('onnx', 'honest'))).toBe(1);
  });
});
