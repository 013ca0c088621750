/** A real server on 127.0.0.1 and a free port, and what the serve tests compare its answers with. */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { colouredShapesScene, type SceneShape } from '../../scripts/fixtures/clip-scene';
import { decompressRle, type FastSAM, type Result } from '../../lib/index';
import { createServer, type ServeOptions } from '../../lib/serve';
import type { SegmentAnswer } from '../../lib/formats/segment-json';

export interface Running {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export async function startServer(model: FastSAM | Promise<FastSAM>, options: ServeOptions = {}): Promise<Running> {
  const app = createServer(model, options);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** POST an encoded image as a raw body, options as query keys. */
export function postRaw(url: string, image: Uint8Array, query: Record<string, string> = {}, type = 'image/jpeg'): Promise<Response> {
  const qs = new URLSearchParams(query).toString();
  return fetch(`${url}/v1/segment${qs ? `?${qs}` : ''}`, { method: 'POST', body: image, headers: { 'content-type': type } });
}

/** POST multipart/form-data: the image part and options as fields. */
export function postForm(url: string, image: Uint8Array, fields: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  form.append('image', new Blob([image], { type: 'image/jpeg' }), 'image.jpg');
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  return fetch(`${url}/v1/segment`, { method: 'POST', body: form });
}

/** Expects an error answer: the status and the one error body with `code`. */
export async function expectError(
  response: Response,
  status: number,
  code: string,
  fragment?: string,
): Promise<{ code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect({ status: response.status, code: body.error?.code }).toEqual({ status, code });
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error.message).toBe('string');
  if (fragment) expect(body.error.message).toContain(fragment);
  return body.error;
}

/** The server's answer equals the in-process Result: boxes and scores bit for bit, every mask pixel. */
export async function expectSameAsResult(answer: SegmentAnswer, result: Result): Promise<void> {
  expect(answer.image).toEqual({ width: result.origShape[1], height: result.origShape[0] });
  expect(answer.detections).toHaveLength(result.length);
  const rles = await result.masks.toRLE();
  answer.detections.forEach((d, i) => {
    expect(d.box.map(Math.fround)).toEqual(Array.from(result.boxes.xyxy.subarray(i * 4, i * 4 + 4)));
    expect(Math.fround(d.score)).toBe(result.boxes.conf[i]);
    expect(d.class).toBe(result.boxes.cls[i]);
    expect(d.name).toBe(result.names[result.boxes.cls[i]]);
    expect(d.mask!.size).toEqual(rles[i].size);
    expect(decompressRle(d.mask!).counts).toEqual(rles[i].counts);
  });
}

/**
 * A designed FastSAM model and the picture it segments exactly (one detection per rectangle). Shapes stay
 * more than 20 input pixels from the border, where FastSAM snaps box edges to it.
 */
export async function shapesScene(
  shapes: SceneShape[],
  options: { dynamic?: boolean } = {},
): Promise<{ model: Uint8Array; jpeg: Buffer; png: Buffer }> {
  const [width, height, size] = [160, 128, 128];
  const scene = colouredShapesScene({ width, height, size, shapes, dynamic: options.dynamic });
  const raw = { raw: { width, height, channels: 3 as const } };
  return {
    model: scene.model,
    png: await sharp(scene.image.rgb, raw).png().toBuffer(),
    jpeg: await sharp(scene.image.rgb, raw).jpeg({ quality: 95 }).toBuffer(),
  };
}

export const TWO_SHAPES: SceneShape[] = [
  { colour: [30, 40, 220], box: [40, 40, 72, 80], score: 0.95 },
  { colour: [230, 20, 30], box: [96, 40, 128, 96], score: 0.9 },
];
