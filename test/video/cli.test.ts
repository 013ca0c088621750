/**
 * `fastsam track` and `fastsam predict source=VIDEO` as a user runs them (the compiled CLI in a child
 * process) with the real int8 YOLOv8n-seg on a camera pan over a real photo.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeWithShared, sharedPath } from '../helpers/shared';
import { describeWithFfmpeg, panVideo, probe, tempDir, truncate } from './helpers';
import { boxIou } from '../../lib/video/tracker/iou';

const bin = path.resolve(__dirname, '../../dist/cli/index.js');
const built = fs.existsSync(bin);
if (!built) console.warn('skipping video CLI tests: dist/ is not built (npm test builds it)');

interface Line {
  source: string;
  frame: number;
  time?: number;
  detections: Array<{ id?: number; box: number[]; score: number; class: number; name: string; mask: { size: number[]; counts: string } }>;
  error?: { code: string; message: string };
}

describeWithShared('data/onnx/yolov8n-seg_int8_320.onnx', 'video on the command line', () => {
  describeWithFfmpeg('fastsam track / predict source=VIDEO', () => {
    const dir = tempDir('video-cli');
    const clip = path.join(dir, 'pan.mp4');
    const model = `model=${sharedPath('data/onnx/yolov8n-seg_int8_320.onnx')}`;
    const FRAMES = 12;
    beforeAll(() => panVideo(clip, sharedPath('data/images/bus.jpg'), { seconds: FRAMES / 10 }));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Runs the CLI without blocking the test's event loop. */
    function fastsam(
      args: string[],
      env: NodeJS.ProcessEnv = process.env,
    ): Promise<{ code: number | null; stdout: string; stderr: string }> {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    }
    const lines = (stdout: string): Line[] =>
      stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line);

    (built ? test : test.skip)('track --json: one line per frame, stable ids, and an annotated video with every frame', async () => {
      const run = await fastsam(['track', model, `source=${clip}`, 'save=true', '--json']);
      expect(run.code).toBe(0);
      const frames = lines(run.stdout);
      expect(frames.map((f) => f.frame)).toEqual([...Array(FRAMES).keys()]);
      expect(frames[3]).toMatchObject({ source: clip, time: 0.3 });
      const d = frames[0].detections[0];
      expect(d).toEqual({
        id: expect.any(Number),
        box: expect.any(Array),
        score: expect.any(Number),
        class: 0,
        name: 'person',
        mask: expect.any(Object),
      });
      expect(d.mask.size).toEqual([320, 320]);
      expect(typeof d.mask.counts).toBe('string');
      // Ids are stable: a detection overlapping one of the previous frame (IoU > 0.5) keeps its id,
      // allowing at most one switch between consecutive frames.
      for (let k = 1; k < frames.length; k++) {
        let switches = 0;
        for (const now of frames[k].detections) {
          const before = frames[k - 1].detections.find((p) => boxIou(p.box, now.box) > 0.5);
          if (before && before.id !== now.id) switches++;
        }
        expect(switches).toBeLessThanOrEqual(1);
      }
      expect(new Set(frames.flatMap((f) => f.detections.map((x) => x.id))).size).toBeLessThanOrEqual(4);
      const video = path.join(dir, 'runs/segment/track/pan.mp4');
      expect(probe(video, 'codec_name,width,height,avg_frame_rate,nb_read_frames', true)).toMatchObject({
        codec_name: 'h264',
        width: 320,
        height: 240,
        avg_frame_rate: '10/1',
        nb_read_frames: String(FRAMES),
      });
      expect(run.stderr).toContain('Results saved to');
    });

    (built ? test : test.skip)('predict on the same video: one line per frame, no ids; vid_stride', async () => {
      const run = await fastsam(['predict', model, `source=${clip}`, 'save=false', '--json']);
      expect(run.code).toBe(0);
      const frames = lines(run.stdout);
      expect(frames).toHaveLength(FRAMES);
      expect(frames.every((f) => f.detections.length > 0 && f.detections.every((x) => x.id === undefined))).toBe(true);
      const strided = await fastsam(['track', model, `source=${clip}`, 'vid_stride=4', 'save=false', '--json']);
      expect(lines(strided.stdout).map((f) => [f.frame, f.time])).toEqual([
        [0, 0],
        [4, 0.4],
        [8, 0.8],
      ]);
    });

    (built ? test : test.skip)('a folder mixing a video and an image: every frame and the image; both saved', async () => {
      const folder = path.join(dir, 'mixed');
      fs.mkdirSync(folder);
      fs.copyFileSync(clip, path.join(folder, 'a.mp4'));
      fs.copyFileSync(sharedPath('data/images/bus.jpg'), path.join(folder, 'b.jpg'));
      fs.writeFileSync(path.join(folder, 'notes.md'), 'not media');
      const run = await fastsam(['predict', model, `source=${folder}`, 'vid_stride=6', 'name=mixed', '--json']);
      expect(run.code).toBe(0);
      expect(lines(run.stdout).map((f) => [path.basename(f.source), f.frame])).toEqual([
        ['a.mp4', 0],
        ['a.mp4', 6],
        ['b.jpg', 0],
      ]);
      expect(fs.readdirSync(path.join(dir, 'runs/segment/mixed')).sort()).toEqual(['a.mp4', 'b.jpg']);
    });

    (built ? test : test.skip)('prompts on the command line: a box on every frame, followed by id', async () => {
      const run = await fastsam(['track', model, `source=${clip}`, 'bboxes=[[20,50,150,240]]', 'follow=prompt', 'save=false', '--json']);
      expect(run.code).toBe(0);
      const frames = lines(run.stdout);
      expect(frames.every((f) => f.detections.length === 1 && f.detections[0].id === frames[0].detections[0].id)).toBe(true);
    });

    (built ? test : test.skip)('a truncated video: the frames that decoded, then an error line; exit code 1', async () => {
      const cut = path.join(dir, 'cut.mp4');
      const faststart = path.join(dir, 'faststart.mp4');
      const { spawnSync } = await import('node:child_process');
      spawnSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', clip, '-c', 'copy', '-movflags', '+faststart', faststart]);
      truncate(faststart, cut, Math.floor(fs.statSync(faststart).size * 0.9)); // the first keyframe is most of the file
      const run = await fastsam(['track', model, `source=${cut}`, 'save=false', '--json']);
      expect(run.code).toBe(1);
      const out = lines(run.stdout);
      const last = out.pop()!;
      expect(out.length).toBeGreaterThan(0);
      expect(out.length).toBeLessThan(FRAMES);
      expect(last.error?.code).toBe('E_VIDEO_DECODE');
      expect(last.error?.message).toMatch(/truncated/);
      // Not a video at all.
      const garbage = path.join(dir, 'garbage.mkv');
      fs.writeFileSync(garbage, 'this is not a video');
      const bad = await fastsam(['track', model, `source=${garbage}`, 'save=false']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/not a readable video.*\[E_VIDEO_DECODE\]/);
    });

    (built ? test : test.skip)('without ffmpeg on the PATH: one line saying what to install, exit code 2', async () => {
      const run = await fastsam(['track', model, `source=${clip}`], { ...process.env, PATH: path.join(dir, 'empty-path') });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/video needs ffmpeg and ffprobe.*apt-get install ffmpeg.*\[E_BACKEND_UNAVAILABLE\]/);
      const typo = await fastsam(['track', model, `source=${clip}`, 'vid_strid=2']);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toMatch(/unknown fastsam track key 'vid_strid' \(did you mean 'vid_stride'\?\)/);
    });

    (built ? test : test.skip)('a mistake in the job (tracker file, point mode) is exit 2 before any source or run folder', async () => {
      const yaml = path.join(dir, 'botsort.yaml');
      fs.writeFileSync(yaml, 'tracker_type: botsort\n');
      const project = path.join(dir, 'mistakes');
      const common = [model, `source=${clip},${clip}`, `project=${project}`];
      const tracker = await fastsam(['track', ...common, `tracker=${yaml}`]);
      expect(tracker.code).toBe(2);
      expect(tracker.stderr.trim().split('\n')).toHaveLength(1);
      expect(tracker.stderr).toMatch(/tracker_type in .*botsort.yaml must be 'bytetrack'.*\[E_BAD_OPTION\]/);
      const merge = await fastsam(['track', ...common, 'points=[[10,10]]', 'point_mode=merge']);
      expect(merge.code).toBe(2);
      expect(merge.stderr).toMatch(/pointMode when tracking must be 'instances'.*\[E_BAD_PROMPT\]/);
      expect(fs.existsSync(project)).toBe(false);
    });
  });
});
