/**
 * The per-frame work behind `fastsam track` and `fastsam predict source=VIDEO`: each source (videos,
 * streams, and images mixed in with them) through predictVideo()/trackVideo(), one JSON line or one
 * summary line per frame, the annotated video (or picture) saved, a progress bar for files. A source
 * that fails (a truncated file, a stream that stops) is reported after the frames it gave, and the next
 * source is processed.
 */
import * as path from 'node:path';
import { FastSAMError } from '../errors';
import { annotateFrame } from './annotate';
import { frameJson } from './frame-json';
import { predictVideo, splitVideoOptions, type StreamingModel } from './predict';
import { checkVideoPrompt } from './prompts';
import { frameProgress } from './progress';
import { openVideo, type VideoReader } from './reader';
import type { VideoResult } from './results';
import type { SourceEntry } from './sources';
import { sourceStem } from './source-kind';
import { createTracker, trackVideo, type VideoTrackOptions } from './track';
import { VideoWriter } from './writer';
import { PlotCanvas } from '../plot/canvas';

export interface VideoJob {
  mode: 'predict' | 'track';
  entries: SourceEntry[];
  /** Model, reader, prompt and (track) tracker options. */
  options: VideoTrackOptions;
  /** One JSON line per frame on stdout instead of summaries. */
  json: boolean;
  /** Where annotated videos and pictures go; nothing is saved without it. */
  saveDir?: string;
  /** A progress bar per video file on an interactive stderr (not with json). */
  progress: boolean;
  print: (line: string) => void;
  warn: (line: string) => void;
}

export interface VideoJobSummary {
  frames: number;
  failures: number;
  saved: string[];
}

function describe(result: VideoResult): string {
  const ids = result.ids;
  const { preprocess, inference, postprocess } = result.speed;
  const objects = `${result.length} object${result.length === 1 ? '' : 's'}`;
  return `${objects}${ids && ids.length > 0 ? ` (ids ${Array.from(ids).join(' ')})` : ''}, ${(preprocess + inference + postprocess).toFixed(1)} ms`;
}

function results(model: StreamingModel, job: VideoJob, input: VideoReader | string): AsyncGenerator<VideoResult> {
  if (job.mode === 'track') return trackVideo(model, input, job.options);
  const { tracker: _tracker, follow: _follow, ...options } = job.options;
  return predictVideo(model, input, options);
}

/**
 * The job's own options checked once, before any source or output folder: a bad reader option, prompt or
 * tracker file is one mistake of the whole job, not a failure repeated for every source.
 */
export async function checkVideoJobOptions(mode: VideoJob['mode'], options: VideoTrackOptions): Promise<void> {
  const { tracker, follow: _follow, prompt, ...rest } = options;
  splitVideoOptions(rest);
  if (prompt !== undefined) checkVideoPrompt(prompt, mode === 'track');
  if (mode === 'track') await createTracker(tracker);
}

export async function runVideoJob(model: StreamingModel, job: VideoJob): Promise<VideoJobSummary> {
  await checkVideoJobOptions(job.mode, job.options);
  const summary: VideoJobSummary = { frames: 0, failures: 0, saved: [] };
  const videos = job.entries.filter((e) => e.kind === 'video').length;
  const images = job.entries.length - videos;
  let videoNumber = 0;
  let imageNumber = 0;
  for (const entry of job.entries) {
    try {
      if (entry.kind === 'video') await runVideo(model, job, entry.source, `video ${++videoNumber}/${videos}`, summary);
      else await runImage(model, job, entry.source, `image ${++imageNumber}/${images}`, summary);
    } catch (error) {
      if (!(error instanceof FastSAMError)) throw error;
      summary.failures++;
      if (job.json) job.print(JSON.stringify({ source: entry.source, error: { code: error.code, message: error.message } }));
      else job.warn(`fastsam: ${error.message} [${error.code}]`);
    }
  }
  return summary;
}

async function runVideo(model: StreamingModel, job: VideoJob, source: string, label: string, summary: VideoJobSummary): Promise<void> {
  const { tracker: _tracker, follow: _follow, ...options } = job.options;
  const reader = openVideo(source, splitVideoOptions(options).read);
  const info = await reader.info();
  const stride = reader.vidStride;
  const total = info.frames === undefined ? undefined : Math.ceil(info.frames / stride);
  const progress = frameProgress(path.basename(source), total, job.progress && !job.json);
  let writer: VideoWriter | undefined;
  let failed = false;
  try {
    for await (const result of results(model, job, reader)) {
      summary.frames++;
      if (job.saveDir) {
        // The source's frame rate, divided by vid_stride so the video keeps the source's timing.
        writer ??= await VideoWriter.open(path.join(job.saveDir, `${sourceStem(source)}.mp4`), {
          width: info.width,
          height: info.height,
          fps: info.fps / stride,
        });
        await writer.write((await annotateFrame(result)).rgb);
      }
      if (job.json) job.print(JSON.stringify(await frameJson(source, result)));
      else if (!process.stderr.isTTY || !job.progress) {
        job.print(`${label} (frame ${result.frame}${info.frames ? `/${info.frames}` : ''}) ${source}: ${describe(result)}`);
      }
      progress.update();
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    progress.stop();
    await reader.close();
    // The frames that decoded make a complete video even when the source failed part-way; the source's
    // error is the one reported when the encoder fails too.
    if (writer) {
      const closed = writer.close().then(() => summary.saved.push(writer!.file));
      if (failed) await closed.catch(() => undefined);
      else await closed;
    }
  }
}

async function runImage(model: StreamingModel, job: VideoJob, source: string, label: string, summary: VideoJobSummary): Promise<void> {
  for await (const result of results(model, job, source)) {
    summary.frames++;
    if (job.saveDir) {
      const { rgb, width, height } = await annotateFrame(result);
      const file = path.join(job.saveDir, /\.(jpe?g|png)$/i.test(source) ? path.basename(source) : `${path.parse(source).name}.png`);
      await new PlotCanvas(rgb, width, height).save(file);
      summary.saved.push(file);
    }
    if (job.json) job.print(JSON.stringify(await frameJson(source, result)));
    else job.print(`${label} ${source}: ${describe(result)}`);
  }
}
