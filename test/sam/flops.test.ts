/** The MAC counter on hand-sized graphs, and the chart it ends up in. */
import sharp from 'sharp';
import { chartSvg } from '../../scripts/sam/chart';
import { countMacs } from '../../scripts/sam/flops';
import { SamGraph } from '../../scripts/sam/graph';
import * as op from '../../scripts/sam/ops';

describe('countMacs', () => {
  it('counts MatMul, grouped Conv and ConvTranspose, and skips what only constants feed', () => {
    const g = new SamGraph(1);
    const a = g.input('a', [2, 3, 4]);
    op.matmul(g, 'm', a, g.weight('w', [4, 5], { kind: 'fanIn', fanIn: 4 })); // 2*3*5 outputs x 4
    const x = g.input('x', [1, 4, 6, 6]);
    const w = g.weight('cw', [8, 2, 3, 3], { kind: 'fanIn', fanIn: 18 });
    op.conv(g, 'c', x, w, null, { kernel: [3, 3], pads: [1, 1, 1, 1], group: 2 }); // 8*6*6 outputs x 2*3*3
    const t = g.input('t', [1, 4, 3, 3]);
    const tw = g.weight('tw', [4, 2, 2, 2], { kind: 'fanIn', fanIn: 8 });
    op.convTranspose(g, 'ct', t, tw, g.weight('tb', [2], { kind: 'constant', value: 0 }), 2); // 36 inputs x 2*2*2
    const k = g.weight('k', [50, 50], { kind: 'fanIn', fanIn: 50 });
    op.matmul(g, 'folded', k, k); // constants only: folded at load, not counted
    const count = countMacs(g);
    expect(count.byOp).toEqual({ MatMul: 120, Conv: 5184, ConvTranspose: 288 });
    expect(count.total).toBe(120 + 5184 + 288);
  });
});

describe('chartSvg', () => {
  it('renders to a PNG with sharp', async () => {
    const svg = chartSvg(
      [
        { mode: 'everything', fastsamMs: 120, samMs: 95000 },
        { mode: '1 point', fastsamMs: 130, samMs: 9000 },
      ],
      { title: 'FastSAM vs SAM', subtitle: 'random weights', footer: 'test machine' },
    );
    expect(svg).toContain('SAM/FastSAM 792×');
    const meta = await sharp(await sharp(Buffer.from(svg)).png().toBuffer()).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(960);
  });
});
