/** `fastsam worker` and `fastsam enqueue` as users run them: the compiled CLI in child processes, a real redis-server. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { cliBuilt, describeWithRedis, fastsam, grayPng, killChildrenAfterAll, tinyModelBytes, useRedisServer, useTempDir } from './helpers';

if (!cliBuilt) console.warn('skipping queue CLI tests: dist/ is not built (npm test builds it)');
const describeBuilt = cliBuilt ? describeWithRedis : (title: string, body: () => void) => describe.skip(title, body);

describeBuilt('fastsam worker and fastsam enqueue', () => {
  const redis = useRedisServer();
  const tmp = useTempDir();
  killChildrenAfterAll();
  const model = path.join(tmp.dir, 'tiny.onnx');
  const images = path.join(tmp.dir, 'images');

  beforeAll(async () => {
    fs.writeFileSync(model, tinyModelBytes());
    fs.mkdirSync(images);
    for (const name of ['a.png', 'b.png', 'c.png']) fs.writeFileSync(path.join(images, name), await grayPng(64, 48));
    fs.writeFileSync(path.join(images, 'broken.png'), 'not a png at all');
  });

  test('mistakes exit 2 with one line: a missing key, a typo, an unreachable Redis', async () => {
    const missing = fastsam(['worker', `model=${model}`, 'queue=q']);
    expect(await missing.exited).toBe(2);
    expect(missing.stderr()).toMatch(/^fastsam: missing redis=\.\.\. \(see fastsam worker --help\) \[E_BAD_OPTION\]$/m);
    const typo = fastsam(['enqueue', `source=${images}`, `redis=${redis.url}`, 'queue=q', 'cnof=0.5']);
    expect(await typo.exited).toBe(2);
    expect(typo.stderr()).toMatch(/unknown fastsam enqueue key 'cnof' \(did you mean 'conf'\?\)/);
    const unreachable = fastsam(['enqueue', `source=${images}`, 'redis=redis://127.0.0.1:1', 'queue=q', 'connect_timeout_ms=300']);
    expect(await unreachable.exited).toBe(2);
    expect(unreachable.stderr()).toMatch(/cannot reach Redis at 127\.0\.0\.1:1 within 300 ms.*\[E_REDIS\]/);
    const help = fastsam(['worker', '--help']);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toMatch(/lock_duration_ms=INTEGER/);
  });

  test('a worker answers a folder enqueued as paths and as uploads; answers are written as JSON lines', async () => {
    const worker = fastsam(['worker', `model=${model}`, `redis=${redis.url}`, 'queue=folder', 'metrics_port=0', '--json']);
    const ready = await worker.waitFor(/worker ready/);
    expect(ready).toMatch(
      /queue folder on 127\.0\.0\.1:\d+, concurrency 4, backend cpu, dynamic batching on, metrics http:\/\/127\.0\.0\.1:\d+\/metrics/,
    );

    const out = path.join(tmp.dir, 'answers', 'out.jsonl');
    const enqueue = fastsam(['enqueue', `source=${images}`, `redis=${redis.url}`, 'queue=folder', `save_json=${out}`, 'max_in_flight=2']);
    expect(await enqueue.exited).toBe(1); // one image is broken
    expect(enqueue.stderr()).toMatch(/broken\.png: .* \[E_IMAGE_DECODE\]/);
    expect(enqueue.stderr()).toMatch(/^4 images: 3 answered, 1 failed/m);
    const lines = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => path.basename(l.path)).sort()).toEqual(['a.png', 'b.png', 'broken.png', 'c.png']);
    for (const line of lines.filter((l) => !l.error)) {
      expect(line.job).toMatch(/^[0-9a-f-]{36}$/);
      expect(line.image).toEqual({ width: 64, height: 48 });
      expect(line.detections).toHaveLength(1);
      expect(line.detections[0].mask.size).toEqual([48, 64]);
    }
    expect(lines.find((l) => l.error).error.code).toBe('E_IMAGE_DECODE');

    // Uploads, a glob, options and a prompt; --json prints the lines on stdout.
    const uploaded = fastsam([
      'enqueue',
      `source=${images}/[abc].png`,
      `redis=${redis.url}`,
      'queue=folder',
      'upload=true',
      'retina_masks=false',
      'bboxes=[[0,0,64,48]]',
      '--json',
    ]);
    expect(await uploaded.exited).toBe(0);
    const printed = uploaded
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(printed).toHaveLength(3);
    expect(printed.every((l) => l.detections.length === 1 && l.detections[0].mask.size[0] === 64)).toBe(true);

    // The worker logged each job as a JSON line, and serves its metrics.
    const logged = worker
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(logged.filter((l) => l.event === 'completed')).toHaveLength(6);
    expect(logged.filter((l) => l.event === 'failed')).toEqual([expect.objectContaining({ code: 'E_IMAGE_DECODE', final: true })]);
    const metricsUrl = /(http:\/\/\S+\/metrics)/.exec(ready)![1];
    expect(await (await fetch(metricsUrl)).text()).toMatch(/^fastsam_jobs_total\{outcome="completed"\} 6$/m);

    worker.child.kill('SIGINT');
    expect(await worker.exited).toBe(0);
  });

  test('a second signal hands the running job back to the queue: exit 1, the job waits for another worker', async () => {
    // Batches wait 4 s for company: the job is still running when the signals come.
    const worker = fastsam(['worker', `model=${model}`, `redis=${redis.url}`, 'queue=handback', 'max_queue_delay_ms=4000']);
    await worker.waitFor(/worker ready/);
    const enqueue = fastsam(['enqueue', `source=${path.join(images, 'a.png')}`, `redis=${redis.url}`, 'queue=handback']);
    const bull = new Queue('handback', { connection: { url: redis.url } });
    try {
      for (let i = 0; i < 100 && (await bull.getActiveCount()) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      worker.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(1);
      expect(worker.stderr()).toMatch(/handing the running jobs back/);
      const [waiting] = await bull.getWaiting();
      expect(waiting.attemptsMade).toBe(0);
      // Another worker answers it, and the enqueue finishes.
      const second = fastsam(['worker', `model=${model}`, `redis=${redis.url}`, 'queue=handback']);
      expect(await enqueue.exited).toBe(0);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      await bull.close();
    }
  });
});
