/**
 * A video to an annotated video: every frame segmented, objects tracked with ByteTrack (one colour and
 * id per object), masks and boxes drawn, written as H.264 MP4 at the source's frame rate.
 *
 *   npx tsx video-annotate.ts [IN.mp4] [OUT.mp4] [--stride N] [--model FastSAM-s.onnx]
 *
 * Defaults: IN video.mp4, OUT annotated.mp4, every frame (--stride 2 takes every second one), --model
 * $FASTSAM_MODEL or FastSAM-s.onnx. Needs ffmpeg and ffprobe on the PATH (Debian: apt-get install ffmpeg).
 */
import { parseArgs } from 'node:util';
import { annotateFrame, FastSAM, isFastSAMError, probeVideo, VideoWriter } from 'fastsam-node';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string', default: process.env.FASTSAM_MODEL ?? 'FastSAM-s.onnx' },
      stride: { type: 'string', default: '1' },
    },
  });
  const [input = 'video.mp4', output = 'annotated.mp4'] = positionals;
  const vidStride = Number(values.stride);

  const info = await probeVideo(input); // size, frame rate and (usually) frame count, from ffprobe
  console.log(`${input}: ${info.width}x${info.height}, ${info.fps} fps, ${info.frames ?? 'unknown number of'} frames`);
  const model = await FastSAM.load(values.model);
  try {
    const writer = await VideoWriter.open(output, { width: info.width, height: info.height, fps: info.fps / vidStride });
    let frames = 0;
    try {
      // track() reads the video with ffmpeg as fast as the model goes; each result carries track ids.
      for await (const result of model.track(input, { vidStride })) {
        await writer.write((await annotateFrame(result)).rgb);
        frames++;
      }
    } catch (error) {
      await writer.abort(); // stops ffmpeg and removes the unfinished file
      throw error;
    }
    await writer.close();
    console.log(`wrote ${output}: ${frames} frames (${writer.codec})`);
  } finally {
    await model.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(isFastSAMError(error) ? `${error.message} [${error.code}]` : error);
  process.exitCode = 1;
});
