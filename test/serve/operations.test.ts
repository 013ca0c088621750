/**
 * What an operator relies on: readiness while loading, per-client limits (429), the per-request timeout
 * (504), clients that leave (499 in the metrics, nothing broken), overload (503 + Retry-After, from the
 * model's bounded queue), and /metrics in Prometheus text.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { FastSAM } from '../../lib/index';
import { describeWithShared, sharedPath } from '../helpers/shared';
import { expectError, postRaw, type Running, shapesScene, startServer, TWO_SHAPES } from './helpers';

const metricValue = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test('503 E_NOT_READY with Retry-After while the model loads, ready once loaded; a failed load stays unready', async () => {
  const scene = await shapesScene(TWO_SHAPES);
  let finishLoading!: () => void;
  const loading = new Promise<void>((resolve) => (finishLoading = resolve)).then(() => FastSAM.load(scene.model));
  const server = await startServer(loading, { retryAfterSeconds: 2 });
  const failing = await startServer(Promise.reject(new Error('no such model')));
  try {
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
    const notReady = await fetch(`${server.url}/v2/health/ready`);
    expect(notReady.headers.get('retry-after')).toBe('2');
    await expectError(notReady, 503, 'E_NOT_READY', 'loading');
    const early = await postRaw(server.url, scene.png, {}, 'image/png');
    await expectError(early, 503, 'E_NOT_READY', 'loading');
    finishLoading();
    const model = await loading;
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
    expect((await postRaw(server.url, scene.png, {}, 'image/png')).status).toBe(200);
    await model.dispose();
    await expectError(await fetch(`${failing.url}/v2/health/ready`), 503, 'E_NOT_READY', 'failed to load (no such model)');
    expect((await fetch(`${failing.url}/v2/health/live`)).status).toBe(200);
  } finally {
    await server.close();
    await failing.close();
  }
});

describeWithShared('data/onnx/yolov8n-seg_int8_320.onnx', 'limits and metrics under real work', () => {
  const bus = fs.readFileSync(sharedPath('data/images/bus.jpg'));
  let model: FastSAM;
  let server: Running;

  beforeAll(async () => {
    model = await FastSAM.load(sharedPath('data/onnx/yolov8n-seg_int8_320.onnx'));
    server = await startServer(model, { clientLimit: 1, retryAfterSeconds: 3 });
  });
  afterAll(async () => {
    await server.close();
    await model.dispose();
  });

  test('a client past its limit of requests in flight gets 429 E_RATE_LIMITED with Retry-After', async () => {
    // The first request holds its slot for as long as its multipart body is unfinished: a socket that
    // sends the headers and half the image, then waits.
    const boundary = 'fastsam-test';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="bus.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
    const body = Buffer.concat([Buffer.from(head), bus, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const url = new URL(server.url);
    const socket = net.connect(Number(url.port), url.hostname);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      `POST /v1/segment HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
        `Content-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.subarray(0, 1000));
    try {
      // Until the first is seen in flight, a second (cheap: refused options) gets its 400; then the 429.
      let second: Response | undefined;
      for (let attempt = 0; attempt < 100; attempt++) {
        second = await postRaw(server.url, bus, { conf: '7' });
        if (second.status === 429) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(second!.headers.get('retry-after')).toBe('3');
      await expectError(second!, 429, 'E_RATE_LIMITED', 'limit is 1');
    } finally {
      socket.write(body.subarray(1000)); // not end(): a half-closed client is abandoned by Node's HTTP server
      await closed; // the server closes after answering (Connection: close)
    }
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect((await postRaw(server.url, bus)).status).toBe(200); // the slot came back
  });

  test('a request past the timeout is 504 E_TIMEOUT, and the server goes on', async () => {
    const quick = await startServer(model, { timeoutMs: 5 });
    try {
      await expectError(await postRaw(quick.url, bus), 504, 'E_TIMEOUT', '5 ms');
      expect((await fetch(`${quick.url}/v2/health/ready`)).status).toBe(200);
    } finally {
      await quick.close();
    }
  });

  test('a client that leaves before its answer is counted as 499; /metrics tells requests, outcomes and latencies', async () => {
    const closed = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return metricValue(text, 'fastsam_http_requests_total{route="/v1/segment",method="POST",status="499"}') ?? 0;
    };
    // Abandon a request while the server works on it (retrying with a shorter wait if it was too quick).
    for (let wait = 100; (await closed()) === 0 && wait >= 1; wait = Math.floor(wait / 3)) {
      const controller = new AbortController();
      const abandoned = fetch(`${server.url}/v1/segment`, {
        method: 'POST',
        body: bus,
        headers: { 'content-type': 'image/jpeg' },
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), wait);
      const outcome = await abandoned.then(
        () => 'answered',
        () => 'abandoned',
      );
      if (outcome === 'answered') continue;
      for (let poll = 0; poll < 100 && (await closed()) === 0; poll++) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await postRaw(server.url, bus, { conf: '7' });
    expect((await postRaw(server.url, bus)).status).toBe(200);

    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const requests = (status: number) =>
      metricValue(text, `fastsam_http_requests_total{route="/v1/segment",method="POST",status="${status}"}`) ?? 0;
    expect(requests(200)).toBeGreaterThanOrEqual(2);
    expect(requests(400)).toBeGreaterThanOrEqual(1);
    expect(requests(429)).toBe(1);
    expect(requests(499)).toBe(1);
    expect(metricValue(text, 'fastsam_predictions_total{outcome="success"}')).toBeGreaterThanOrEqual(2);
    expect(metricValue(text, 'fastsam_predictions_total{outcome="bad_input"}')).toBe(requests(400));
    expect(metricValue(text, 'fastsam_http_request_duration_seconds_count{route="/v1/segment",method="POST"}')).toBeGreaterThanOrEqual(4);
    expect(metricValue(text, 'fastsam_queue_depth')).toBe(0);
    expect(text).toContain('fastsam_process_cpu_seconds_total');
    expect(text).toContain('fastsam_batch_size_bucket');
    expect(text).toContain('fastsam_inference_duration_seconds_bucket');
  });
});

// The bounded queue is the model's (FastSAM.load(..., { dynamicBatching: { maxQueue } }), for models with
// a batch axis); the server maps its E_OVERLOADED to 503 and counts its batches.
describe('overload: the model queue is bounded', () => {
  test('past the queue, 503 E_OVERLOADED with Retry-After; the request in the queue succeeds; batches in /metrics', async () => {
    const scene = await shapesScene(TWO_SHAPES, { dynamic: true });
    // One image may wait, for up to 300 ms (for company that never comes in time): the next ones are refused.
    const model = await FastSAM.load(scene.model, { dynamicBatching: { maxBatch: 4, maxQueueDelayMs: 300, maxQueue: 1 } });
    const server = await startServer(model, { retryAfterSeconds: 4 });
    try {
      expect(model.batching).toBe(true);
      const first = postRaw(server.url, scene.png, {}, 'image/png');
      while (model.queueDepth === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const refused = await Promise.all([1, 2, 3].map(() => postRaw(server.url, scene.png, {}, 'image/png')));
      for (const r of refused) {
        expect(r.headers.get('retry-after')).toBe('4');
        await expectError(r, 503, 'E_OVERLOADED', 'queue is full');
      }
      expect((await first).status).toBe(200);
      expect((await postRaw(server.url, scene.png, {}, 'image/png')).status).toBe(200);
      const text = await (await fetch(`${server.url}/metrics`)).text();
      expect(metricValue(text, 'fastsam_batch_size_count')).toBe(2);
      expect(metricValue(text, 'fastsam_batch_requests_sum')).toBe(2);
      expect(metricValue(text, 'fastsam_inference_images_total')).toBe(2);
      expect(metricValue(text, 'fastsam_queue_duration_seconds_sum')).toBeGreaterThan(0.2); // the first waited its 300 ms
      expect(metricValue(text, 'fastsam_predictions_total{outcome="overloaded"}')).toBe(3);
      expect(metricValue(text, 'fastsam_http_requests_total{route="/v1/segment",method="POST",status="503"}')).toBe(3);
    } finally {
      await server.close();
      await model.dispose();
    }
  });
});
