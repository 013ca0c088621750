/**
 * docs/images/overview.png, the README's picture, made entirely by this project: a scene drawn here from
 * SVG shapes, and a designed model (scripts/fixtures/tiny-models.ts) whose mask prototypes are those same
 * shapes, run through the real pipeline (ONNX Runtime, letterbox, NMS, retina masks) and drawn by the
 * library's own plots: everything, a box prompt and a point prompt. No weights or images from elsewhere
 * (the real FastSAM weights are not ours to ship), so the masks are exact by design, not learned.
 *
 *   npx tsx scripts/docs/overview.ts [output.png]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { FastSAM, FastSAMPrompt } from '../../lib';
import { MASK_COEFS, tinySegmentModel, type TinyBox } from '../fixtures/tiny-models';

const SIZE = 640; // the scene is square, so the model's input is the image: no letterbox padding to draw
const PROTO = SIZE / 4;

interface Shape {
  svg: string;
  box: [number, number, number, number]; // x1, y1, x2, y2 in scene pixels
}

const SHAPES: Shape[] = [
  { svg: '<circle cx="500" cy="120" r="60" fill="#f6c945"/>', box: [440, 60, 560, 180] },
  { svg: '<polygon points="20,420 210,170 400,420" fill="#7a8793"/>', box: [20, 170, 400, 420] },
  { svg: '<rect x="330" y="330" width="190" height="150" fill="#c8553d"/>', box: [330, 330, 520, 480] },
  { svg: '<polygon points="310,335 425,240 540,335" fill="#5b2a20"/>', box: [310, 240, 540, 335] },
  { svg: '<rect x="400" y="395" width="40" height="85" fill="#3b2618"/>', box: [400, 395, 440, 480] },
  { svg: '<circle cx="110" cy="430" r="70" fill="#2f7d32"/>', box: [40, 360, 180, 500] },
  { svg: '<ellipse cx="230" cy="560" rx="170" ry="45" fill="#3d7dca"/>', box: [60, 515, 400, 605] },
];

const svg = (body: string, background = ''): Buffer =>
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}">${background}${body}</svg>`);

/** One prototype per shape, at the prototype resolution masks come from: logits from the antialiased edge, so upsampled masks stay smooth. */
async function prototypes(): Promise<Float32Array> {
  const protos = new Float32Array(MASK_COEFS * PROTO * PROTO).fill(-8);
  for (const [k, shape] of SHAPES.entries()) {
    const white = shape.svg.replace(/fill="[^"]*"/, 'fill="#ffffff"');
    const { data } = await sharp(svg(white, `<rect width="${SIZE}" height="${SIZE}" fill="#000"/>`))
      .resize(PROTO, PROTO)
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    for (let i = 0; i < PROTO * PROTO; i++) protos[k * PROTO * PROTO + i] = (data[i] - 127.5) / 16;
  }
  return protos;
}

function boxes(): TinyBox[] {
  return SHAPES.map(({ box: [x1, y1, x2, y2] }, k) => ({
    cx: (x1 + x2) / 2,
    cy: (y1 + y2) / 2,
    w: x2 - x1,
    h: y2 - y1,
    score: 0.95 - k * 0.05,
    coef: Array.from({ length: MASK_COEFS }, (_, j) => (j === k ? 1 : 0)),
  }));
}

/** A panel with a caption strip under it. */
async function captioned(png: Buffer, caption: string): Promise<Buffer> {
  const strip = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="56"><rect width="100%" height="100%" fill="#fff"/>` +
      `<text x="50%" y="38" font-family="DejaVu Sans, sans-serif" font-size="28" text-anchor="middle" fill="#222">${caption}</text></svg>`,
  );
  return sharp({ create: { width: SIZE, height: SIZE + 56, channels: 3, background: '#fff' } })
    .composite([
      { input: await sharp(png).resize(SIZE, SIZE).png().toBuffer(), top: 0, left: 0 },
      { input: strip, top: SIZE, left: 0 },
    ])
    .png()
    .toBuffer();
}

async function main(): Promise<void> {
  const output = process.argv[2] ?? path.join(__dirname, '../../docs/images/overview.png');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-overview-'));
  const modelFile = path.join(dir, 'scene-model.onnx');
  fs.writeFileSync(modelFile, tinySegmentModel({ size: SIZE, boxes: boxes(), protos: await prototypes() }));
  const sky =
    '<defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#9fd3f5"/><stop offset="1" stop-color="#e8f4fb"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#s)"/><rect y="480" width="100%" height="160" fill="#8cc46a"/>';
  const scene = await sharp(svg(SHAPES.map((s) => s.svg).join(''), sky))
    .png()
    .toBuffer();

  const model = await FastSAM.load(modelFile);
  try {
    const [result] = await model.predict(scene);
    const prompt = new FastSAMPrompt(scene, result);
    const style = { withContours: true, randomColor: true, seed: 3 };
    const box: [number, number, number, number] = [300, 230, 550, 490];
    const point: [number, number] = [110, 420];
    const panels = [
      await captioned(scene, 'image'),
      await captioned(await prompt.plot(prompt.everything(), style), `everything: ${result.length} masks`),
      await captioned(await prompt.plot(await prompt.box(box), { ...style, boxes: [box] }), 'box prompt'),
      await captioned(await prompt.plot(await prompt.point([point], [1]), { ...style, points: [point], labels: [1] }), 'point prompt'),
    ];
    const gap = 16;
    const width = panels.length * SIZE + (panels.length - 1) * gap;
    fs.mkdirSync(path.dirname(output), { recursive: true });
    const strip = await sharp({ create: { width, height: SIZE + 56, channels: 3, background: '#fff' } })
      .composite(panels.map((input, i) => ({ input, top: 0, left: i * (SIZE + gap) })))
      .png()
      .toBuffer();
    await sharp(strip)
      .resize(Math.round(width / 2))
      .png({ compressionLevel: 9, palette: true })
      .toFile(output);
    console.log(`${output}: ${result.length} masks found; box prompt and point prompt drawn`);
  } finally {
    await model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
