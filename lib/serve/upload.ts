/**
 * The image and the options of one /v1/segment request, from either body:
 * - `multipart/form-data`: an `image` file part and options as form fields (query keys allowed too);
 * - a raw image body (`image/*` or `application/octet-stream`), options as query keys.
 * Every limit is set, not just the file size: @fastify/multipart's per-file limit is not an aggregate, so
 * parts, files, fields and field sizes are each capped, and a field cut at its limit is refused (413),
 * never parsed half.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors';
import { singleValues } from './wire-options';

export interface Upload {
  image: Buffer;
  /** Option values by wire key, one each. */
  values: Record<string, unknown>;
}

/** Busboy's limits for a segment request: one file, a few small fields. */
export function multipartLimits(options: { maxUploadBytes: number; maxFields: number; maxFieldBytes: number }) {
  return {
    fileSize: options.maxUploadBytes,
    files: 1,
    fields: options.maxFields,
    parts: options.maxFields + 1,
    fieldSize: options.maxFieldBytes,
    fieldNameSize: 100,
    headerPairs: 100,
  };
}

async function readMultipart(request: FastifyRequest, values: Record<string, unknown>): Promise<Buffer> {
  let image: Buffer | undefined;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'image' || image) {
        part.file.resume(); // consumed, so the body can be read to the end
        throw new HttpError(400, 'E_BAD_REQUEST', `unexpected file part '${part.fieldname}': send one image as the part named 'image'`);
      }
      image = await part.toBuffer(); // throws FST_REQ_FILE_TOO_LARGE (413) past the limit
      continue;
    }
    if (part.valueTruncated || part.fieldnameTruncated) {
      throw new HttpError(413, 'E_PAYLOAD_TOO_LARGE', `form field '${part.fieldname}' is over the size limit`);
    }
    singleValues({ [part.fieldname]: typeof part.value === 'string' ? part.value : JSON.stringify(part.value) }, values);
  }
  if (!image) throw new HttpError(400, 'E_BAD_REQUEST', "no image: send the image as the multipart file part named 'image'");
  return image;
}

export async function readUpload(request: FastifyRequest): Promise<Upload> {
  const values = singleValues(request.query as Record<string, unknown>);
  if (request.isMultipart()) return { image: await readMultipart(request, values), values };
  if (Buffer.isBuffer(request.body)) return { image: request.body, values };
  throw new HttpError(
    415,
    'E_UNSUPPORTED_MEDIA_TYPE',
    `send the image as multipart/form-data (part 'image') or as a raw body with an image Content-Type, ` +
      `not ${request.headers['content-type'] ?? 'no Content-Type'}`,
  );
}
