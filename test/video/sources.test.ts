/** `source=` with videos in it: a table per kind (video, image), folders, globs and .txt lists. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expandVideoSources } from '../../lib/video/sources';
import { sourceStem } from '../../lib/video/source-kind';
import { tempDir } from './helpers';

describe('expandVideoSources', () => {
  const dir = tempDir('sources');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeAll(() => {
    for (const f of ['b.mp4', 'a.jpg', 'c.MKV', 'notes.md', 'd.png']) fs.writeFileSync(path.join(dir, f), '');
    fs.mkdirSync(path.join(dir, 'images'));
    fs.writeFileSync(path.join(dir, 'images', 'x.jpg'), '');
  });

  test('a video, a stream or a camera is one video entry', async () => {
    for (const s of ['clip.mp4', 'rtsp://cam.local/stream1', '/dev/video0', 'https://example.com/live']) {
      expect(await expandVideoSources(s)).toEqual([{ source: s, kind: 'video' }]);
    }
  });

  test('a folder or glob: videos and images in name order, other files left out', async () => {
    const expected = [
      { source: path.join(dir, 'a.jpg'), kind: 'image' },
      { source: path.join(dir, 'b.mp4'), kind: 'video' },
      { source: path.join(dir, 'c.MKV'), kind: 'video' },
      { source: path.join(dir, 'd.png'), kind: 'image' },
    ];
    expect(await expandVideoSources(dir)).toEqual(expected);
    expect(await expandVideoSources(path.join(dir, '*'))).toEqual(expected);
  });

  test('a FIFO named like a video is skipped (ffmpeg would block on it forever)', async () => {
    const fifoDir = tempDir('sources-fifo');
    try {
      fs.writeFileSync(path.join(fifoDir, 'a.mp4'), '');
      execFileSync('mkfifo', [path.join(fifoDir, 'b.mp4')]);
      expect(await expandVideoSources(fifoDir)).toEqual([{ source: path.join(fifoDir, 'a.mp4'), kind: 'video' }]);
    } finally {
      fs.rmSync(fifoDir, { recursive: true, force: true });
    }
  });

  test('a .txt list, relative to itself; URLs kept as they are', async () => {
    const list = path.join(dir, 'list.txt');
    fs.writeFileSync(list, '# sources\nb.mp4\nimages/x.jpg\nrtsp://cam/1\n');
    expect(await expandVideoSources(list)).toEqual([
      { source: path.join(dir, 'b.mp4'), kind: 'video' },
      { source: path.join(dir, 'images', 'x.jpg'), kind: 'image' },
      { source: 'rtsp://cam/1', kind: 'video' },
    ]);
  });

  test('no video in it: left to the image path', async () => {
    expect(await expandVideoSources(path.join(dir, 'images'))).toBeNull();
    expect(await expandVideoSources(path.join(dir, 'a.jpg'))).toBeNull();
    expect(await expandVideoSources(path.join(dir, '*.png'))).toBeNull();
  });

  test('names for saved videos', () => {
    expect(sourceStem('/data/clips/my clip.mp4')).toBe('my_clip');
    expect(sourceStem('rtsp://user:pw@cam.local:554/stream1')).toBe('stream1');
    expect(sourceStem('http://cam.local/')).toBe('cam.local');
    expect(sourceStem('/dev/video0')).toBe('video0');
  });
});
