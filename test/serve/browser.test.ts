/**
 * The web demo in a real browser: Debian's chromium driven by playwright-core (never a downloaded
 * browser), against a real server on 127.0.0.1. Upload an image, see the masks, click points, drag boxes,
 * download the cut-out; the page's selections (exported as COCO JSON) equal FastSAMPrompt's in Node,
 * mask for mask; no page errors; a narrow window works. Skips, saying so, where chromium is absent.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { ClipScorer, compressRle, FastSAM, FastSAMPrompt, type Result } from '../../lib/index';
import { fixtureDir, removeTempDirs } from '../clip/helpers';
import { sharedPath, hasShared } from '../helpers/shared';
import { type Running, shapesScene, startServer, TWO_SHAPES } from './helpers';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the build script is plain JS, shared with npm run build:web
const { buildWebIfStale } = require('../../scripts/build-web.js') as { buildWebIfStale: () => Promise<void> };

const CHROMIUM = process.env.FASTSAM_CHROMIUM ?? '/usr/bin/chromium';
const MODEL = 'data/onnx/yolov8n-seg_int8_320.onnx';
const ready = fs.existsSync(CHROMIUM) && hasShared(MODEL);
if (!ready) console.warn(`skipping the browser tests: ${fs.existsSync(CHROMIUM) ? sharedPath(MODEL) : CHROMIUM} is absent`);
const describeBrowser = ready ? describe : describe.skip;

/** Flags for a headless Debian chromium with nothing reaching out. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The little of the page's window a test reads (this file compiles without DOM types; the page's CSP forbids string evaluation). */
interface PageWindow {
  document: { documentElement: { scrollWidth: number } };
}

interface CocoResult {
  bbox: number[];
  score: number;
  segmentation: { size: [number, number]; counts: string };
}

describeBrowser('the web demo in chromium', () => {
  let browser: Browser;
  let model: FastSAM;
  let server: Running;
  let image: Buffer;
  let result: Result;
  // Screenshots to look at: kept in FASTSAM_SHOTS_DIR when set, else in a temporary folder removed afterwards.
  const keepShots = process.env.FASTSAM_SHOTS_DIR;
  const shots = keepShots ?? fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-shots-'));

  beforeAll(async () => {
    if (keepShots) fs.mkdirSync(keepShots, { recursive: true });
    await buildWebIfStale();
    const { chromium } = await import('playwright-core');
    // launch() gives the browser a fresh temporary profile (the --user-data-dir of §6) and removes it on close.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    model = await FastSAM.load(sharedPath(MODEL));
    server = await startServer(model);
    image = await sharp(fs.readFileSync(sharedPath('data/images/bus.jpg')))
      .resize(405, 540)
      .jpeg()
      .toBuffer();
    [result] = await model.predict(image, { retinaMasks: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await model?.dispose();
    removeTempDirs();
    if (!keepShots) fs.rmSync(shots, { recursive: true, force: true });
  });

  async function openPage(viewport = { width: 1280, height: 860 }): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport, acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(server.url);
    return { page, errors };
  }

  async function upload(page: Page, file: string, bytes: Buffer): Promise<void> {
    await page.setInputFiles('[data-testid=image-input]', { name: file, mimeType: 'image/jpeg', buffer: bytes });
    await page.locator('[data-testid=mask-count]', { hasNotText: /^0$/ }).waitFor({ timeout: 30000 });
  }

  /** Page coordinates of an image pixel on the canvas (which shows the whole image, scaled uniformly). */
  async function at(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
    const box = (await page.locator('[data-testid=canvas]').boundingBox())!;
    const [h, w] = result.origShape;
    expect(Math.abs(box.width / w - box.height / h)).toBeLessThan(0.01);
    return { x: box.x + (x * box.width) / w, y: box.y + (y * box.height) / h };
  }

  async function selectionCount(page: Page): Promise<number> {
    return Number(await page.textContent('[data-testid=selection-count]'));
  }

  async function downloadText(page: Page, selector: string): Promise<string> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
    return fs.readFileSync((await download.path())!, 'utf8');
  }

  async function expectPageMatches(page: Page, expected: Result): Promise<void> {
    expect(await selectionCount(page)).toBe(expected.length);
    const coco = JSON.parse(await downloadText(page, '#download-coco')) as CocoResult[];
    const rles = await expected.masks.toRLE();
    expect(coco.map((c) => c.segmentation)).toEqual(rles.map(compressRle));
  }

  test('upload, everything masks, hover and pick; no page errors', async () => {
    const { page, errors } = await openPage();
    await upload(page, 'bus.jpg', image);
    expect(Number(await page.textContent('[data-testid=mask-count]'))).toBe(result.length);
    expect(await page.isVisible('#latency-badge')).toBe(true);
    expect(await page.textContent('#backend-badge')).toBe('cpu');
    const centre = await at(page, 200, 250);
    await page.mouse.move(centre.x, centre.y);
    await page.mouse.click(centre.x, centre.y);
    expect(await selectionCount(page)).toBe(1);
    await page.screenshot({ path: path.join(shots, 'everything.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  test('points select what FastSAMPrompt.point selects, in every mode; undo and clear', async () => {
    const { page, errors } = await openPage();
    await upload(page, 'bus.jpg', image);
    await page.click('[data-testid=mode-point]');
    const prompt = new FastSAMPrompt(image, result);
    const fg: [number, number] = [200, 250];
    const bg: [number, number] = [60, 330];
    let p = await at(page, ...fg);
    await page.mouse.click(p.x, p.y);
    await expectPageMatches(page, await prompt.point([fg], [1]));
    p = await at(page, ...bg);
    await page.mouse.click(p.x, p.y, { button: 'right' }); // right click: background
    for (const mode of ['merge', 'instances', 'additive'] as const) {
      await page.selectOption('#point-mode', mode);
      await expectPageMatches(page, await prompt.point([fg, bg], [1, 0], { mode }));
    }
    await page.screenshot({ path: path.join(shots, 'points.png') });
    await page.click('#undo');
    await expectPageMatches(page, await prompt.point([fg], [1], { mode: 'additive' }));
    await page.click('#clear');
    expect(await selectionCount(page)).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('dragged boxes select what FastSAMPrompt.box selects; the cut-out downloads as an RGBA PNG', async () => {
    const { page, errors } = await openPage();
    await upload(page, 'bus.jpg', image);
    await page.click('[data-testid=mode-box]');
    const boxes: [number, number, number, number][] = [
      [20, 110, 400, 380],
      [0, 190, 130, 450],
    ];
    for (const [x1, y1, x2, y2] of boxes) {
      const a = await at(page, x1, y1);
      const b = await at(page, x2, y2);
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
      await page.mouse.move(b.x, b.y, { steps: 4 });
      await page.mouse.up();
    }
    // Drags land on screen pixels: compare with the boxes as the page recorded them (the curl snippet).
    const curl = await page.textContent('#curl');
    const recorded = JSON.parse(/bboxes=(\[\[.*?\]\])/.exec(curl!)![1]) as [number, number, number, number][];
    recorded.forEach((box, i) => box.forEach((v, k) => expect(Math.abs(v - boxes[i][k])).toBeLessThanOrEqual(2)));
    const prompt = new FastSAMPrompt(image, result);
    const picked = await prompt.box(recorded);
    await expectPageMatches(page, picked);
    await page.screenshot({ path: path.join(shots, 'boxes.png') });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-cutout]')]);
    expect(download.suggestedFilename()).toBe('bus-cutout.png');
    const png = fs.readFileSync((await download.path())!);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    // Cropped to the selection: its size is the selected masks' extent, and it has both opaque and clear pixels.
    const [x1, y1, x2, y2] = picked.boxes.xyxy.reduce(
      (acc, v, k) => {
        const j = k % 4;
        acc[j] = j < 2 ? Math.min(acc[j], v) : Math.max(acc[j], v);
        return acc;
      },
      [Infinity, Infinity, -Infinity, -Infinity],
    );
    expect(Math.abs(info.width - (x2 - x1))).toBeLessThanOrEqual(3);
    expect(Math.abs(info.height - (y2 - y1))).toBeLessThanOrEqual(3);
    let opaque = 0;
    let clear = 0;
    for (let k = 3; k < data.length; k += 4) {
      if (data[k] === 255) opaque++;
      else if (data[k] === 0) clear++;
    }
    const selectedArea = (await picked.masks.all()).reduce((n, m) => n + m.area, 0);
    expect(opaque).toBeGreaterThan(0.9 * Math.min(selectedArea, info.width * info.height));
    expect(clear).toBeGreaterThan(0);
    const mask = await downloadText(page, '#download-mask');
    expect(mask.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('a narrow window: the image fits, the controls stack, clicks still land', async () => {
    const { page, errors } = await openPage({ width: 390, height: 844 });
    await upload(page, 'bus.jpg', image);
    const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
    expect(canvas.x).toBeGreaterThanOrEqual(0);
    expect(canvas.x + canvas.width).toBeLessThanOrEqual(390);
    const panel = (await page.locator('.panel').boundingBox())!;
    expect(panel.y).toBeGreaterThan(canvas.y); // the side panel went below the image
    expect(await page.evaluate(() => (globalThis as unknown as PageWindow).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.click('[data-testid=mode-point]');
    const p = await at(page, 200, 250);
    await page.mouse.click(p.x, p.y);
    await expectPageMatches(page, await new FastSAMPrompt(image, result).point([[200, 250]], [1]));
    await page.screenshot({ path: path.join(shots, 'narrow.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  test('an image without objects says so honestly', async () => {
    const { page, errors } = await openPage();
    const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#7a7f8c' } })
      .jpeg()
      .toBuffer();
    await page.setInputFiles('[data-testid=image-input]', { name: 'blank.jpg', mimeType: 'image/jpeg', buffer: blank });
    await page.locator('#stage-message', { hasText: 'No objects found' }).waitFor({ timeout: 30000 });
    expect(await page.textContent('[data-testid=mask-count]')).toBe('0');
    expect(await page.isDisabled('[data-testid=download-cutout]')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('text mode shows only with CLIP on the server, and selects what CLIP picks', async () => {
    const { page } = await openPage();
    expect(await page.isVisible('[data-testid=mode-text]')).toBe(false);
    await page.close();
    const scene = await shapesScene(TWO_SHAPES);
    const shapesModel = await FastSAM.load(scene.model);
    const clip = await ClipScorer.load(fixtureDir('hf'));
    const withClip = await startServer(shapesModel, { clip });
    try {
      const clipPage = await browser.newPage();
      const errors: string[] = [];
      clipPage.on('pageerror', (error) => errors.push(error.message));
      await clipPage.goto(withClip.url);
      await clipPage.waitForSelector('[data-testid=mode-text]', { state: 'visible' });
      await clipPage.setInputFiles('[data-testid=image-input]', { name: 'shapes.png', mimeType: 'image/png', buffer: scene.png });
      await clipPage.locator('[data-testid=mask-count]', { hasNotText: /^0$/ }).waitFor();
      await clipPage.click('[data-testid=mode-text]');
      await clipPage.fill('#text-input', 'a red object');
      await clipPage.click('#text-options button[type=submit]');
      await clipPage.locator('[data-testid=selection-count]', { hasText: /^1$/ }).waitFor();
      await clipPage.screenshot({ path: path.join(shots, 'text.png') });
      const coco = JSON.parse(await downloadText(clipPage, '#download-coco')) as CocoResult[];
      expect(coco.map((c) => c.bbox.map(Math.round))).toEqual([[96, 40, 32, 56]]); // the red rectangle, xywh
      expect(errors).toEqual([]);
      await clipPage.close();
    } finally {
      await withClip.close();
      await Promise.all([shapesModel.dispose(), clip.dispose()]);
    }
  });
});
