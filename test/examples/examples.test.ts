/**
 * Every program in examples/ run as a user runs it (`tsx FILE` in a folder laid out as a user's project,
 * importing 'fastsam-node' through the package's exports to dist/), against the shared random-weight
 * FastSAM-s and images, with what each produced checked: files that parse, sizes that match, answers
 * that arrive. Small inputs (a few images, a five-frame video) and a time limit on every run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { decompressRle } from '../../lib/formats/coco';
import type { SegmentAnswer } from '../../lib/formats/segment-answer';
import { FastSAM } from '../../lib/pipeline/fastsam';
import { FastSAMWorker } from '../../lib/queue';
import { BLUE_AND_RED_SQUARES, colouredShapesScene } from '../../scripts/fixtures/clip-scene';
import { hasRedisServer, startRedisServer } from '../../scripts/fixtures/redis-server';
import { fixtureDir as clipFixtureDir, removeTempDirs, tempDir } from '../clip/helpers';
import { CLI, DOC_FIXTURE_SHARED, hasDocFixtures, makeDocFixtureDir } from '../helpers/doc-fixtures';
import { describeRun, type Finished, killProcessGroupsAfterAll, REPO_ROOT, run, start, tsxArgs } from '../helpers/processes';
import { sharedPath } from '../helpers/shared';
import { hasFfmpeg, probe, syntheticVideo } from '../video/helpers';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const RUN_MS = 90_000;
const TEST_MS = 150_000;

killProcessGroupsAfterAll();
const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  removeTempDirs();
});

function fixture(): string {
  const dir = makeDocFixtureDir('fastsam-example-');
  made.push(dir);
  return dir;
}

function example(name: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Finished> {
  return run(process.execPath, tsxArgs(path.join(EXAMPLES, `${name}.ts`), args), { cwd, env, timeoutMs: RUN_MS });
}

function expectSuccess(end: Finished): void {
  if (end.code !== 0) throw new Error(`the example failed: ${describeRun(end)}`);
}

const built = fs.existsSync(CLI);
if (!built) console.warn('skipping the examples: dist/ is not built (npm run build:ts, or node scripts/ensure-built.js)');
const describeBuilt = built ? describe : describe.skip;

// The examples import what users import: the compiled package. Without it they cannot run.
describeBuilt('examples without the shared model', () => {
  test(
    'text-prompt-clip: without CLIP files it says what to pass and exits 0',
    async () => {
      const dir = tempDir('fastsam-example-');
      const env = { ...process.env, FASTSAM_CLIP: '' };
      const end = await example('text-prompt-clip', [], dir, env);
      expectSuccess(end);
      expect(end.stdout).toMatch(/no CLIP model given/);
      expect(end.stdout).toContain('--clip DIR');
      expect(end.stdout).toContain('FASTSAM_CLIP=DIR');
      expect(end.stdout).toMatch(/vision_model\.onnx \+ text_model\.onnx/);
      expect(fs.existsSync(path.join(dir, 'text.png'))).toBe(false);
    },
    TEST_MS,
  );

  test(
    'text-prompt-clip: with CLIP files, "a red object" picks the red shape (designed segmenter and CLIP)',
    async () => {
      const dir = tempDir('fastsam-example-');
      // A segmenter that finds a blue and a red square, and a CLIP that scores colour words against colours.
      const scene = colouredShapesScene({
        width: 128,
        height: 128,
        size: 128,
        shapes: BLUE_AND_RED_SQUARES,
      });
      fs.writeFileSync(path.join(dir, 'scene.onnx'), scene.model);
      await sharp(scene.image.rgb, { raw: { width: 128, height: 128, channels: 3 } })
        .png()
        .toFile(path.join(dir, 'scene.png'));
      const end = await example(
        'text-prompt-clip',
        ['scene.png', 'a red object', '--clip', clipFixtureDir('hf'), '--model', 'scene.onnx', '--out', 'red.png'],
        dir,
      );
      expectSuccess(end);
      expect(end.stdout).toContain('"a red object": the mask in box [24, 64, 48, 88] (of 2) -> red.png');
      const plot = await sharp(path.join(dir, 'red.png')).metadata();
      expect([plot.format, plot.width, plot.height]).toEqual(['png', 128, 128]);
    },
    TEST_MS,
  );
});

const sharedReady = built && hasDocFixtures();
if (built && !sharedReady) console.warn(`skipping the examples on FastSAM-s: ../shared lacks one of ${DOC_FIXTURE_SHARED.join(', ')}`);
const describeShared = (name: string, body: () => void) =>
  sharedReady ? describe(name, body) : describe.skip(`${name} (skipped: no dist/ or no ../shared)`, body);

describeShared('examples on the shared random-weight FastSAM-s', () => {
  test(
    'segment-folder-to-coco: images/ to a COCO file whose annotations match its images',
    async () => {
      const dir = fixture();
      const end = await example('segment-folder-to-coco', [], dir);
      expectSuccess(end);
      const names = fs.readdirSync(path.join(dir, 'images')).sort();
      expect(end.stdout).toMatch(new RegExp(`wrote coco\\.json: ${names.length} images, \\d+ annotations`));

      const coco = JSON.parse(fs.readFileSync(path.join(dir, 'coco.json'), 'utf8'));
      expect(coco.categories).toEqual([{ id: 1, name: 'object' }]);
      expect(coco.images.map((image: { file_name: string }) => image.file_name)).toEqual(names);
      for (const image of coco.images) {
        const meta = await sharp(path.join(dir, 'images', image.file_name)).metadata();
        expect([image.width, image.height]).toEqual([meta.width, meta.height]);
      }
      expect(coco.annotations.length).toBeGreaterThan(0);
      const byId = new Map(coco.images.map((image: { id: number }) => [image.id, image]));
      coco.annotations.forEach((a: Record<string, never>, i: number) => {
        expect(a.id).toBe(i + 1);
        const image = byId.get(a.image_id) as { width: number; height: number };
        expect(image).toBeDefined();
        expect(a.category_id).toBe(1);
        expect(a.iscrowd).toBe(0);
        // Masks at the image's size, their area the ones of the RLE, their box inside the image (clipped boxes may be flat).
        expect(a.segmentation).toEqual({ size: [image.height, image.width], counts: expect.any(String) });
        const counts = decompressRle(a.segmentation).counts;
        expect(counts.reduce((sum, run) => sum + run, 0)).toBe(image.width * image.height);
        expect(a.area).toBe(counts.reduce((sum, run, k) => (k % 2 === 1 ? sum + run : sum), 0));
        const [x, y, w, h] = a.bbox as number[];
        expect(x >= 0 && y >= 0 && w >= 0 && h >= 0 && x + w <= image.width + 1e-3 && y + h <= image.height + 1e-3).toBe(true);
        expect(a.score).toBeGreaterThanOrEqual(0.4);
      });
    },
    TEST_MS,
  );

  test(
    'prompts-with-plot: a box and a point on image.jpg, each plotted to a PNG of the image size',
    async () => {
      const dir = fixture();
      const { width, height } = await sharp(path.join(dir, 'image.jpg')).metadata();
      const end = await example('prompts-with-plot', ['--box', '100,200,500,800', '--point', '400,600', '--background', '50,50'], dir);
      expectSuccess(end);
      expect(end.stdout).toMatch(/^box \[100, 200, 500, 800\]: 1 mask \(box \[.+\]\) -> box\.png$/m);
      expect(end.stdout).toMatch(/^points \[\[400,600\],\[50,50\]\] \(labels 1,0\): \d+ masks? .*-> point\.png$/m);
      for (const plot of ['box.png', 'point.png']) {
        const meta = await sharp(path.join(dir, plot)).metadata();
        expect([plot, meta.format, meta.width, meta.height]).toEqual([plot, 'png', width, height]);
      }
      // The defaults: the middle half of the image and its centre, plots into a new folder.
      const defaults = await example('prompts-with-plot', ['--out-dir', 'plots'], dir);
      expectSuccess(defaults);
      const [cx, cy] = [Math.round(width! / 2), Math.round(height! / 2)];
      expect(defaults.stdout).toContain(`points [[${cx},${cy}]] (labels 1)`);
      for (const plot of ['box.png', 'point.png']) expect((await sharp(path.join(dir, 'plots', plot)).metadata()).width).toBe(width);
    },
    TEST_MS,
  );

  test(
    'fastify-endpoint: POST /segment answers the segments of an upload; bad input is a 400; SIGTERM stops it',
    async () => {
      const dir = fixture();
      const server = start(process.execPath, tsxArgs(path.join(EXAMPLES, 'fastify-endpoint.ts'), ['--port', '0']), {
        cwd: dir,
        env: process.env,
        timeoutMs: RUN_MS,
      });
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(await server.waitForLine(/^listening on http:\/\/127\.0\.0\.1:\d+/))![0];
      const upload = (bytes: Buffer, query = '') => {
        const form = new FormData();
        form.append('image', new Blob([bytes]), 'upload.jpg');
        return fetch(`${url}/segment${query}`, { method: 'POST', body: form });
      };

      const image = fs.readFileSync(path.join(dir, 'image.jpg'));
      const { width, height } = await sharp(image).metadata();
      const response = await upload(image, '?conf=0.5');
      expect(response.status).toBe(200);
      const answer = (await response.json()) as SegmentAnswer;
      expect(answer.image).toEqual({ width, height });
      expect(answer.detections.length).toBeGreaterThan(0);
      for (const d of answer.detections) {
        expect(d.score).toBeGreaterThanOrEqual(0.5);
        expect(d.box).toHaveLength(4);
        expect(d.mask).toEqual({ size: [height, width], counts: expect.any(String) });
      }

      const notAnImage = await upload(Buffer.from('not an image'));
      expect(notAnImage.status).toBe(400);
      expect(await notAnImage.json()).toMatchObject({ code: 'E_IMAGE_DECODE' });
      expect((await upload(image, '?conf=2')).status).toBe(400);

      server.signal('SIGTERM');
      const end = await server.finished;
      expect(end.code).toBe(0);
      expect(end.stdout).toMatch(/SIGTERM: stopping\nstopped/);
    },
    TEST_MS,
  );

  (hasRedisServer() ? test : test.skip)(
    'bullmq-producer: images/ through a real redis-server to an in-process FastSAMWorker, every answer printed',
    async () => {
      const dir = fixture();
      const redis = await startRedisServer();
      let model: FastSAM | undefined;
      let worker: FastSAMWorker | undefined;
      try {
        model = await FastSAM.load(sharedPath('models/FastSAM-s-random-640.onnx'));
        worker = await FastSAMWorker.start({ redis: redis.url, queue: 'examples', model });
        const end = await example('bullmq-producer', ['--redis', redis.url, '--queue', 'examples'], dir);
        expectSuccess(end);
        const names = fs.readdirSync(path.join(dir, 'images')).sort();
        expect(end.stdout).toContain(`submitting ${names.length} images to queue examples on ${redis.url}`);
        for (const name of names) {
          const { width, height } = await sharp(path.join(dir, 'images', name)).metadata();
          const line = new RegExp(`^images/${name}: \\d+ detections \\(${width}x${height}\\), job [0-9a-f-]{36}$`, 'm');
          expect(end.stdout).toMatch(line);
        }
        expect(end.stdout).toContain(`${names.length} answered, 0 failed`);
      } finally {
        await worker?.close();
        await model?.dispose();
        await redis.stop();
      }
    },
    TEST_MS,
  );

  (hasFfmpeg ? test : test.skip)(
    'video-annotate: a five-frame video to an annotated H.264 video of the same size and length',
    async () => {
      const dir = fixture();
      syntheticVideo(path.join(dir, 'video.mp4'), { size: '160x120', fps: 5, seconds: 1 });
      const end = await example('video-annotate', [], dir);
      expectSuccess(end);
      expect(end.stdout).toContain('video.mp4: 160x120, 5 fps, 5 frames');
      expect(end.stdout).toMatch(/wrote annotated\.mp4: 5 frames \((libx264|mpeg4)\)/);
      const out = probe(path.join(dir, 'annotated.mp4'), 'width,height,nb_read_frames,codec_name', true);
      expect([Number(out.width), Number(out.height), Number(out.nb_read_frames)]).toEqual([160, 120, 5]);
    },
    TEST_MS,
  );
});
