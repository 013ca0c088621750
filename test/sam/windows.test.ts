/** Window partitioning round-trips (padding in, cropping out), checked by running it. */
import * as ort from 'onnxruntime-node';
import { SamGraph } from '../../scripts/sam/graph';
import * as op from '../../scripts/sam/ops';
import { partition, unpartition } from '../../scripts/sam/windows';
import { floats, run } from './helpers';

describe('window partition', () => {
  it.each([
    [8, 3],
    [9, 3],
    [10, 5],
  ])('cuts a %i x %i map into windows of %i and puts it back unchanged', async (side, size) => {
    const g = new SamGraph(1);
    const x = g.input('x', [1, side, side, 4]);
    const { windows, layout } = partition(g, 'p', x, size);
    const padded = Math.ceil(side / size) * size;
    expect(windows.dims).toEqual([(padded / size) ** 2, size, size, 4]);
    g.output(op.offset(g, 'w', windows, 0), 'windows');
    g.output(unpartition(g, 'u', windows, layout), 'y');
    const data = floats(side * side * 4, (i) => i + 1);
    const out = await run(g, { x: new ort.Tensor('float32', data, [1, side, side, 4]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual(Array.from(data));
    // The first window holds the top-left size x size block of the (padded) map.
    const first = Array.from((out.windows.data as Float32Array).subarray(0, size * 4));
    expect(first).toEqual(Array.from(data.subarray(0, size * 4)));
  });
});
