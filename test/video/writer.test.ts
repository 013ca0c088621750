/** The annotated-video encoder: every frame in, a file ffprobe decodes; a dead encoder is a typed error. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VideoWriter } from '../../lib/video/writer';
import { openVideo } from '../../lib/video/reader';
import { describeWithFfmpeg, patternFrame, probe, processExists, tempDir } from './helpers';

describeWithFfmpeg('VideoWriter', () => {
  const dir = tempDir('writer');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('H.264 MP4 at the given frame rate with every frame; odd sizes padded by a pixel', async () => {
    const file = path.join(dir, 'nested', 'out.mp4');
    const writer = await VideoWriter.open(file, { width: 33, height: 17, fps: 12.5 });
    expect(writer.codec).toBe('libx264'); // Debian's ffmpeg has it
    for (let k = 0; k < 25; k++) await writer.write(patternFrame(33, 17, k));
    await writer.close();
    expect(processExists(writer.pid!)).toBe(false);
    const stream = probe(file, 'codec_name,width,height,avg_frame_rate,nb_read_frames,pix_fmt', true);
    expect(stream).toMatchObject({
      codec_name: 'h264',
      width: 34,
      height: 18,
      avg_frame_rate: '25/2',
      nb_read_frames: '25',
      pix_fmt: 'yuv420p',
    });
    // And our own reader takes it back.
    let frames = 0;
    for await (const frame of openVideo(file)) frames += frame.data.length === 34 * 18 * 3 ? 1 : 0;
    expect(frames).toBe(25);
  });

  test('a frame of the wrong size is refused; a killed encoder is E_VIDEO_ENCODE', async () => {
    const file = path.join(dir, 'killed.mp4');
    const writer = await VideoWriter.open(file, { width: 64, height: 48, fps: 10 });
    await expect(writer.write(new Uint8Array(10))).rejects.toMatchObject({ code: 'E_BAD_SOURCE' });
    await writer.write(patternFrame(64, 48, 0));
    process.kill(writer.pid!, 'SIGKILL');
    const failure = (async () => {
      for (let k = 1; k < 200; k++) await writer.write(patternFrame(64, 48, k));
      await writer.close();
    })();
    await expect(failure).rejects.toMatchObject({
      code: 'E_VIDEO_ENCODE',
      message: expect.stringMatching(/ffmpeg was killed \(SIGKILL\)/),
    });
  });

  test('abort() stops the encoder and removes the unfinished file', async () => {
    const file = path.join(dir, 'aborted.mp4');
    const writer = await VideoWriter.open(file, { width: 64, height: 48, fps: 10 });
    await writer.write(patternFrame(64, 48, 0));
    await writer.abort();
    expect(processExists(writer.pid!)).toBe(false);
    expect(fs.existsSync(file)).toBe(false);
  });
});
