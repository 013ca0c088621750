/**
 * Hand images to FastSAM workers through Redis (BullMQ) and print their answers as they come. Workers run
 * anywhere that reaches the Redis, started for example with:
 *
 *   npx fastsam worker model=FastSAM-s.onnx redis=redis://127.0.0.1:6379 queue=fastsam
 *
 * and this producer submits:
 *
 *   npx tsx bullmq-producer.ts [IMAGE|FOLDER ...] [--redis redis://127.0.0.1:6379] [--queue fastsam] [--conf 0.4]
 *
 * Defaults: the images of images/, --redis $REDIS_URL or redis://127.0.0.1:6379, --queue fastsam.
 * The images travel in Redis (each read only when fewer than 16 jobs are out), so workers need not see
 * this disk. BullMQ and ioredis are optional peers of fastsam-node: npm install fastsam-node bullmq@6 ioredis@6.
 * With no worker running, the jobs wait in Redis (and so does this program).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { isFastSAMError } from 'fastsam-node';
import { FastSAMQueue } from 'fastsam-node/queue';

const IMAGE_FILE = /\.(jpe?g|png|webp|tiff?|avif|gif)$/i;

/** Each argument is an image, or a folder whose images are taken. */
async function imageFiles(args: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const arg of args) {
    if ((await fs.stat(arg)).isDirectory()) {
      const names = (await fs.readdir(arg)).filter((name) => IMAGE_FILE.test(name)).sort();
      files.push(...names.map((name) => path.join(arg, name)));
    } else {
      files.push(arg);
    }
  }
  return files;
}

/** The bytes of each file, read only when the queue has room for another job. */
async function* readEach(files: string[]): AsyncGenerator<Buffer> {
  for (const file of files) yield await fs.readFile(file);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      queue: { type: 'string', default: 'fastsam' },
      conf: { type: 'string', default: '0.4' },
    },
  });
  const files = await imageFiles(positionals.length > 0 ? positionals : ['images']);
  if (files.length === 0) throw new Error('no images to submit');

  const queue = new FastSAMQueue({ redis: values.redis, queue: values.queue });
  let failures = 0;
  try {
    await queue.ready(); // reaches Redis and checks it, or throws E_REDIS saying why
    console.log(`submitting ${files.length} images to queue ${values.queue} on ${values.redis}`);
    for await (const { index, jobId, answer, error } of queue.submitMany(readEach(files), { maxInFlight: 16, conf: Number(values.conf) })) {
      if (error) {
        failures++;
        console.error(`${files[index]}: ${error.message} [${error.code}]`);
      } else if (answer) {
        const { width, height } = answer.image;
        console.log(`${files[index]}: ${answer.detections.length} detections (${width}x${height}), job ${jobId}`);
      }
    }
  } finally {
    await queue.close();
  }
  console.log(`${files.length - failures} answered, ${failures} failed`);
  if (failures > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(isFastSAMError(error) ? `${error.message} [${error.code}]` : error);
  process.exitCode = 1;
});
