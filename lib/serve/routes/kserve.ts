/**
 * KServe v2 / Open Inference Protocol routes, as Triton serves them: server and model health, metadata,
 * and `infer` with the image as a BYTES input (base64 in JSON, or Triton's binary tensor extension) and
 * the options (CLI names) as request parameters. Outputs: `boxes` FP32 [N, 4] (x1 y1 x2 y2 image
 * pixels), `scores` FP32 [N], `classes` INT32 [N], `masks_rle` BYTES [N] (COCO compressed RLE counts of
 * masks of `mask_height` x `mask_width`, given in the response parameters with the image size).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FastSAMError } from '../../errors';
import type { SegmentAnswer } from '../../index';
import { HttpError } from '../errors';
import { checkImageBytes } from '../image-bytes';
import { checkInferRequest, imageInput, inferResponse, type OutputTensor, requestedOutputs, splitBinaryBody } from '../kserve-tensors';
import { predictionRequest } from '../prediction-request';
import { checkAnswerable, runSegment } from '../segment';
import type { ServeContext } from '../serve-context';
import { parseWireOptions } from '../wire-options';

const OUTPUTS = ['boxes', 'scores', 'classes', 'masks_rle'] as const;
const VERSION = '1';
/** Triton's reserved request parameters that this server reads (the rest of `parameters` are options). */
const PROTOCOL_PARAMETERS = ['binary_data_output'];

function outputTensors(answer: SegmentAnswer): OutputTensor[] {
  const n = answer.detections.length;
  return [
    { name: 'boxes', datatype: 'FP32', shape: [n, 4], data: answer.detections.flatMap((d) => d.box) },
    { name: 'scores', datatype: 'FP32', shape: [n], data: answer.detections.map((d) => d.score) },
    { name: 'classes', datatype: 'INT32', shape: [n], data: answer.detections.map((d) => d.class) },
    { name: 'masks_rle', datatype: 'BYTES', shape: [n], data: answer.detections.map((d) => d.mask!.counts) },
  ];
}

export function kserveRoutes(app: FastifyInstance, context: ServeContext): void {
  const { options, lifecycle } = context;
  const { name } = options;

  const checkName = (modelName: string, version?: string) => {
    if (modelName !== name) throw new HttpError(404, 'E_NOT_FOUND', `no model '${modelName}' (this server serves '${name}')`);
    if (version !== undefined && version !== VERSION)
      throw new HttpError(404, 'E_NOT_FOUND', `model '${name}' has one version, '${VERSION}'`);
  };
  const notReady = (reply: FastifyReply) => {
    const error = lifecycle.notReadyError();
    return reply
      .code(503)
      .header('retry-after', error.retryAfter === undefined ? undefined : String(error.retryAfter))
      .send({ error: { code: error.code, message: error.message } });
  };

  app.get('/v2', async () => ({ name: 'fastsam-node', version: context.version, extensions: ['binary_tensor_data', 'parameters'] }));
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_request, reply) => (lifecycle.ready ? { ready: true } : notReady(reply)));

  type ModelParams = { name: string; version?: string };
  const modelReady = async (request: { params: ModelParams }, reply: FastifyReply) => {
    checkName(request.params.name, request.params.version);
    return lifecycle.ready ? { name, ready: true } : notReady(reply);
  };
  app.get<{ Params: ModelParams }>('/v2/models/:name/ready', modelReady);
  app.get<{ Params: ModelParams }>('/v2/models/:name/versions/:version/ready', modelReady);

  const metadata = async (request: { params: ModelParams }) => {
    checkName(request.params.name, request.params.version);
    const model = lifecycle.requireModel();
    return {
      name,
      versions: [VERSION],
      platform: model.backendName === 'tensorrt' ? 'tensorrt_plan' : 'onnxruntime_onnx',
      inputs: [{ name: 'image', datatype: 'BYTES', shape: [1] }],
      outputs: [
        { name: 'boxes', datatype: 'FP32', shape: [-1, 4] },
        { name: 'scores', datatype: 'FP32', shape: [-1] },
        { name: 'classes', datatype: 'INT32', shape: [-1] },
        { name: 'masks_rle', datatype: 'BYTES', shape: [-1] },
      ],
    };
  };
  app.get<{ Params: ModelParams }>('/v2/models/:name', metadata);
  app.get<{ Params: ModelParams }>('/v2/models/:name/versions/:version', metadata);

  const infer = async (request: FastifyRequest<{ Params: ModelParams }>, reply: FastifyReply) => {
    checkName(request.params.name, request.params.version);
    return predictionRequest(context, request, reply, async (model, tracker) => {
      const body = request.body;
      const { json, tail } = Buffer.isBuffer(body)
        ? splitBinaryBody(body, request.headers['inference-header-content-length'])
        : { json: body, tail: undefined };
      const infer = checkInferRequest(json);
      const image = checkImageBytes(imageInput(infer, tail));
      // JSON values, one per key by construction (a list is a value here, not a repeated key).
      const parameters: Record<string, unknown> = Object.assign(Object.create(null), infer.parameters);
      for (const key of PROTOCOL_PARAMETERS) delete parameters[key];
      if ('format' in parameters) throw new FastSAMError('E_BAD_OPTION', 'format is for /v1/segment: /v2 answers tensors');
      const binary = requestedOutputs(infer, OUTPUTS);
      const wire = parseWireOptions(parameters);
      checkAnswerable(wire, options.clip);
      const out = await runSegment(
        { model, clip: options.clip, maxPixels: options.maxPixels, request: tracker, encoder: context.encoder },
        image,
        wire,
        'object',
      );
      if (out.format !== 'object') throw new Error('unreachable: /v2 builds tensors from the answer object');
      const { answer } = out;
      const mask = answer.detections[0]?.mask?.size;
      const header = {
        model_name: name,
        model_version: VERSION,
        ...(infer.id !== undefined ? { id: infer.id } : {}),
        parameters: {
          image_width: answer.image.width,
          image_height: answer.image.height,
          ...(mask ? { mask_height: mask[0], mask_width: mask[1] } : {}),
          ...Object.fromEntries(Object.entries(answer.speed).map(([stage, ms]) => [`${stage}_ms`, ms])),
        },
      };
      const tensors = outputTensors(answer).filter((t) => binary.has(t.name));
      const response = inferResponse(header, tensors, binary);
      if (response.headerLength === undefined) return reply.send(response.body);
      return reply
        .type('application/octet-stream')
        .header('inference-header-content-length', String(response.headerLength))
        .send(response.body);
    });
  };
  // Base64 makes a JSON body a third larger than the image it carries.
  const bodyLimit = Math.ceil((options.maxUploadBytes * 4) / 3) + 64 * 1024;
  app.post<{ Params: ModelParams }>('/v2/models/:name/infer', { bodyLimit }, infer);
  app.post<{ Params: ModelParams }>('/v2/models/:name/versions/:version/infer', { bodyLimit }, infer);
}
