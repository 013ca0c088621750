/**
 * Video throughput on a generated 1080p clip, side by side in one process: predict and track on the
 * video (ffmpeg decoding, framing, the tracker) against predict on the same frames already in memory as
 * images (raw RGB, and JPEG as frames extracted to files would be), plus decoding alone, the tracker
 * alone, and the save=true path (annotated frames encoded to H.264). The video rows should be close to
 * the raw-frames row: decoding runs in ffmpeg's process, ahead of inference, and the tracker is cheap.
 *
 *   npm run bench:video -- [--frames 30] [--size 1920x1080] [--model PATH] [--photo PATH] [--json]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { FastSAM } from '../lib/pipeline/fastsam';
import type { RawImage } from '../lib/io/image';
import { annotateFrame, ByteTracker, openVideo, predictVideo, trackVideo, VideoWriter } from '../lib/video';
import type { Detection } from '../lib/video';
import { arg, machineDescription } from './bench-utils';

const shared = path.resolve(__dirname, '../../shared');

/** A pan across the photo (or lavfi's testsrc2 without one), H.264 at 30 fps. */
function makeClip(file: string, frames: number, size: string, photo: string | undefined): void {
  const [w, h] = size.split('x').map(Number);
  const input = photo
    ? ['-loop', '1', '-i', photo, '-vf', `crop=iw*0.8:ih*0.8:x='t*iw*0.1':y=ih*0.1,scale=${w}:${h},format=yuv420p`]
    : ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`, '-pix_fmt', 'yuv420p'];
  const run = spawnSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    ...input,
    '-frames:v',
    String(frames),
    '-r',
    '30',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    file,
  ]);
  if (run.status !== 0) throw new Error(`ffmpeg could not make the clip: ${run.stderr.toString()}`);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - start) / 1000, value };
}

async function count(items: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const item of items) {
    if (item && typeof item === 'object' && 'error' in item && item.error) throw item.error;
    n++;
  }
  return n;
}

async function main(): Promise<void> {
  const frames = Number(arg('frames') ?? 30);
  const size = arg('size') ?? '1920x1080';
  const modelPath = arg('model') ?? path.join(shared, 'data/onnx/yolov8n-seg_int8_320.onnx');
  const photo =
    arg('photo') ?? (fs.existsSync(path.join(shared, 'data/images/bus.jpg')) ? path.join(shared, 'data/images/bus.jpg') : undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-bench-video-'));
  try {
    const clip = path.join(dir, 'clip.mp4');
    makeClip(clip, frames, size, photo);
    const model = await FastSAM.load(modelPath);
    // The same frames, decoded once, kept in memory: raw RGB and JPEG (quality 95).
    const raw: RawImage[] = [];
    for await (const f of openVideo(clip)) raw.push({ data: f.data, width: f.width, height: f.height, channels: 3 });
    const jpegs = await Promise.all(
      raw.map((f) =>
        sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } })
          .jpeg({ quality: 95 })
          .toBuffer(),
      ),
    );
    await model.predict(raw[0]); // warm-up

    const rows: Array<{ name: string; frames: number; seconds: number }> = [];
    const row = async (name: string, fn: () => Promise<number>) => {
      const { seconds, value } = await timed(fn);
      rows.push({ name, frames: value, seconds });
    };
    await row('decode only (openVideo)', () => count(openVideo(clip)));
    await row('predict, frames as raw RGB images in memory', () => count(model.stream(raw)));
    await row('predict, frames as JPEG images in memory', () => count(model.stream(jpegs)));
    // predictVideo also records each frame's detections, to time the tracker alone afterwards.
    const detections: Detection[][] = [];
    await row('predictVideo (decode + predict)', async () => {
      for await (const r of predictVideo(model, clip)) {
        const { xyxy, conf, cls } = r.boxes;
        detections.push(
          Array.from({ length: r.length }, (_, i) => ({
            xyxy: [xyxy[i * 4], xyxy[i * 4 + 1], xyxy[i * 4 + 2], xyxy[i * 4 + 3]],
            score: conf[i],
            cls: cls[i],
            index: i,
          })),
        );
      }
      return detections.length;
    });
    await row('trackVideo (decode + predict + ByteTrack)', () => count(trackVideo(model, clip)));
    const tracker = new ByteTracker();
    const trackerOnly = await timed(async () => detections.forEach((d) => tracker.update(d)));
    rows.push({ name: 'ByteTrack alone (recorded detections)', frames: detections.length, seconds: trackerOnly.seconds });
    await row('trackVideo + annotated H.264 (save=true)', async () => {
      const [w, h] = size.split('x').map(Number);
      const writer = await VideoWriter.open(path.join(dir, 'annotated.mp4'), { width: w, height: h, fps: 30 });
      let n = 0;
      for await (const r of trackVideo(model, clip)) {
        await writer.write((await annotateFrame(r)).rgb);
        n++;
      }
      await writer.close();
      return n;
    });
    await model.dispose();

    const detectionsPerFrame = detections.reduce((s, d) => s + d.length, 0) / Math.max(1, detections.length);
    if (process.argv.includes('--json')) {
      console.log(
        JSON.stringify({ machine: machineDescription(), size, frames, model: path.basename(modelPath), detectionsPerFrame, rows }),
      );
      return;
    }
    console.log(`Machine: ${machineDescription()}`);
    console.log(
      `Clip: ${frames} frames ${size} H.264 (${photo ? `pan over ${path.basename(photo)}` : 'testsrc2'}), model ${path.basename(modelPath)}, ${detectionsPerFrame.toFixed(1)} detections/frame\n`,
    );
    console.log('| run | frames | frames/s | ms/frame |\n|---|---:|---:|---:|');
    for (const r of rows)
      console.log(`| ${r.name} | ${r.frames} | ${(r.frames / r.seconds).toFixed(1)} | ${((r.seconds * 1000) / r.frames).toFixed(2)} |`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
