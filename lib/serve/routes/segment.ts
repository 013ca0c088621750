/**
 * `POST /v1/segment`: an image (multipart part `image`, or a raw image body) and options named as on the
 * CLI; the answer is the segment JSON (lib/formats/segment-json.ts) or, with `format=png`, the mask index
 * map as a PNG (pixel value i + 1 where detection i is). `GET /v1/info` tells the web page what the
 * server runs (model, backend, CLIP or not, defaults and limits).
 */
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { FASTSAM_DEFAULTS, YOLO_DEFAULTS } from '../../index';
import { checkImageBytes } from '../image-bytes';
import { predictionRequest } from '../prediction-request';
import { checkAnswerable, runSegment } from '../segment';
import type { ServeContext } from '../serve-context';
import { readUpload } from '../upload';
import { parseWireOptions } from '../wire-options';

export function segmentRoutes(app: FastifyInstance, context: ServeContext): void {
  const { options, lifecycle } = context;

  app.post('/v1/segment', (request, reply) =>
    predictionRequest(context, request, reply, async (model, tracker) => {
      const upload = await readUpload(request);
      const wire = parseWireOptions(upload.values);
      checkAnswerable(wire, options.clip);
      checkImageBytes(upload.image);
      const out = await runSegment(
        { model, clip: options.clip, maxPixels: options.maxPixels, request: tracker, encoder: context.encoder },
        upload.image,
        wire,
      );
      if (out.format === 'png') {
        const [height, width] = out.result.masks.shape;
        return reply
          .type('image/png')
          .header('x-detections', String(out.result.length))
          .header('x-mask-size', `${height}x${width}`)
          .send(out.png);
      }
      if (out.format !== 'json') throw new Error('unreachable: /v1 answers JSON bytes or PNG');
      return reply.type('application/json; charset=utf-8').send(out.body);
    }),
  );

  app.get('/v1/info', async () => {
    const model = lifecycle.requireModel();
    const c = model.contract;
    const defaults = c.isFastSAM ? FASTSAM_DEFAULTS : YOLO_DEFAULTS;
    return {
      name: options.name,
      model: model.source === '<buffer>' ? options.name : path.basename(model.source),
      task: c.isFastSAM ? 'fastsam' : 'segment',
      names: c.names,
      backend: model.backendName,
      ...(model.backendNote ? { backendNote: model.backendNote } : {}),
      batching: model.batching,
      clip: options.clip !== undefined,
      imgsz: c.imgsz,
      fixedSize: c.fixedSize,
      stride: c.stride,
      defaults: { conf: defaults.conf, iou: defaults.iou, retina_masks: true, max_det: 300 },
      limits: { maxUploadBytes: options.maxUploadBytes, maxPixels: options.maxPixels, timeoutMs: options.timeoutMs },
    };
  });
}
