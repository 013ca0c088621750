/**
 * FastSAM inside your own Fastify app: POST /segment takes an uploaded image (multipart field "image")
 * and answers its segments as JSON: { image: { width, height }, detections: [{ box, score, class, name,
 * mask: { size, counts } }], speed }, masks as COCO compressed RLE (the JSON `fastsam serve` answers).
 *
 *   npx tsx fastify-endpoint.ts [--port 3000] [--model FastSAM-s.onnx]
 *   curl -F image=@image.jpg 'http://127.0.0.1:3000/segment?conf=0.5'
 *
 * --port (or $PORT) 0 takes a free port; the URL is printed. SIGINT (Ctrl-C) or SIGTERM stops it after
 * the requests in flight. --model $FASTSAM_MODEL or FastSAM-s.onnx. For a ready-made server (KServe v2
 * routes, metrics, a web demo), see createServer() in fastsam-node/serve.
 */
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import multipart from '@fastify/multipart';
import Fastify from 'fastify';
import { FastSAM, isFastSAMError, toSegmentJSON, type FastSAMErrorCode } from 'fastsam-node';

/** The library's errors that are the client's fault (or a full queue), as HTTP statuses; the rest are 500s. */
const STATUS: Partial<Record<FastSAMErrorCode, number>> = {
  E_IMAGE_DECODE: 400,
  E_BAD_SOURCE: 400,
  E_BAD_OPTION: 400,
  E_IMAGE_TOO_LARGE: 413,
  E_OVERLOADED: 503,
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: process.env.FASTSAM_MODEL ?? 'FastSAM-s.onnx' },
      port: { type: 'string', default: process.env.PORT ?? '3000' },
    },
  });

  // Dynamic batching: requests that arrive together share a run of the network.
  const model = await FastSAM.load(values.model, { dynamicBatching: true });
  const app = Fastify();
  try {
    await app.register(multipart, { limits: { files: 1, fileSize: 20 * 1024 * 1024 } });

    app.setErrorHandler(async (error, _request, reply) => {
      if (isFastSAMError(error)) return reply.code(STATUS[error.code] ?? 500).send({ code: error.code, message: error.message });
      throw error; // Fastify's own errors (a body too large, a bad query) keep their status
    });

    app.post<{ Querystring: { conf?: number } }>(
      '/segment',
      { schema: { querystring: { type: 'object', properties: { conf: { type: 'number', minimum: 0, maximum: 1 } } } } },
      async (request, reply) => {
        const file = await request.file();
        if (!file || file.fieldname !== 'image') return reply.code(400).send({ message: 'send the image as the multipart field "image"' });
        const [result] = await model.predict(await file.toBuffer(), { conf: request.query.conf });
        return toSegmentJSON(result);
      },
    );

    await app.listen({ host: '127.0.0.1', port: Number(values.port) });
  } catch (error) {
    await app.close();
    await model.dispose(); // else its inference threads keep the process alive
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  console.log(`listening on http://127.0.0.1:${port} (POST /segment with a multipart field "image")`);

  const stop = async (signal: string) => {
    console.log(`${signal}: stopping`);
    await app.close(); // waits for the requests in flight
    await model.dispose();
    console.log('stopped');
  };
  process.once('SIGINT', (signal) => void stop(signal).catch(fail));
  process.once('SIGTERM', (signal) => void stop(signal).catch(fail));
}

function fail(error: unknown): void {
  console.error(isFastSAMError(error) ? `${error.message} [${error.code}]` : error);
  process.exitCode = 1;
}

main().catch(fail);
