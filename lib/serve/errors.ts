/**
 * Every error the server answers has one body, `{ "error": { "code", "message" } }`, and a status
 * chosen from its code here: the library's FastSAMError codes, Fastify's and @fastify/multipart's own
 * errors (body limits, content types, multipart limits), and the few conditions only HTTP has. Anything
 * else is a 500 with a generic message (the details go to the log, never to the client).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type FastSAMErrorCode, isFastSAMError } from '../errors';

/** The library's codes plus the ones only a server has. */
export type ServeErrorCode =
  | FastSAMErrorCode
  | 'E_BAD_REQUEST' // malformed HTTP: a broken multipart body, invalid JSON, a missing image part
  | 'E_NOT_FOUND' // no such route or model
  | 'E_PAYLOAD_TOO_LARGE' // over the upload size, or a multipart part, field or file limit
  | 'E_UNSUPPORTED_MEDIA_TYPE' // a body that is neither multipart, an image nor (for /v2) JSON
  | 'E_RATE_LIMITED' // this client already has its limit of requests in flight
  | 'E_NOT_READY' // the model is loading or the server is draining
  | 'E_TIMEOUT' // the request ran past the server's per-request timeout
  | 'E_INTERNAL'; // a bug: see the server log

/** The JSON body of every error answer of the server. */
export interface ErrorBody {
  /** What went wrong. */
  error: {
    /** Stable: branch on it (the HTTP status follows from it). */
    code: ServeErrorCode;
    /** For people; never a stack trace. */
    message: string;
  };
}

/** An error that knows its HTTP answer. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ServeErrorCode,
    message: string,
    /** Seconds, for 429 and 503 answers. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const LIBRARY_STATUS: Partial<Record<FastSAMErrorCode, number>> = {
  E_BAD_OPTION: 400,
  E_BAD_PROMPT: 400,
  E_BAD_SOURCE: 400,
  E_IMAGE_DECODE: 400,
  E_IMAGE_TOO_LARGE: 413,
  E_OVERLOADED: 503,
  E_DISPOSED: 503,
  E_ABORTED: 503,
};

/** Fastify's and @fastify/multipart's errors, by their `code`. */
const FRAMEWORK_ERRORS: Record<string, [number, ServeErrorCode]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'E_PAYLOAD_TOO_LARGE'],
  FST_REQ_FILE_TOO_LARGE: [413, 'E_PAYLOAD_TOO_LARGE'],
  FST_PARTS_LIMIT: [413, 'E_PAYLOAD_TOO_LARGE'],
  FST_FILES_LIMIT: [413, 'E_PAYLOAD_TOO_LARGE'],
  FST_FIELDS_LIMIT: [413, 'E_PAYLOAD_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'E_UNSUPPORTED_MEDIA_TYPE'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [415, 'E_UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'E_BAD_REQUEST'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'E_BAD_REQUEST'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'E_BAD_REQUEST'],
  FST_PROTO_VIOLATION: [400, 'E_BAD_REQUEST'],
  FST_INVALID_JSON_FIELD_ERROR: [400, 'E_BAD_REQUEST'],
};

/**
 * What to answer for `error`: status, body, and a Retry-After when the client should come back (the
 * server's retryAfterSeconds for a full queue or a model going away, as for its own 429 and 503 answers).
 */
export function httpAnswer(error: unknown, retryAfterSeconds = 1): { status: number; body: ErrorBody; retryAfter?: number } {
  if (error instanceof HttpError) {
    return { status: error.statusCode, body: { error: { code: error.code, message: error.message } }, retryAfter: error.retryAfter };
  }
  if (isFastSAMError(error)) {
    const status = LIBRARY_STATUS[error.code] ?? 500;
    const retryAfter = error.code === 'E_OVERLOADED' || error.code === 'E_DISPOSED' ? retryAfterSeconds : undefined;
    return { status, body: { error: { code: error.code, message: error.message } }, retryAfter };
  }
  const code = (error as FastifyError | undefined)?.code;
  const known = code === undefined ? undefined : FRAMEWORK_ERRORS[code];
  if (known) return { status: known[0], body: { error: { code: known[1], message: (error as Error).message } } };
  // Busboy's own errors (a truncated or malformed multipart body) carry no code.
  if (error instanceof Error && /multipart|boundary/i.test(error.message)) {
    return { status: 400, body: { error: { code: 'E_BAD_REQUEST', message: error.message } } };
  }
  const status = (error as FastifyError | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: { code: 'E_BAD_REQUEST', message: (error as Error).message } } };
  }
  return { status: 500, body: { error: { code: 'E_INTERNAL', message: 'internal server error (see the server log)' } } };
}

/** Fastify's error handler: the one body, the right status, 5xx logged with their stack. */
export function errorHandler(retryAfterSeconds: number) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const { status, body, retryAfter } = httpAnswer(error, retryAfterSeconds);
    if (status >= 500 && body.error.code === 'E_INTERNAL') request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.error.code, status }, body.error.message);
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  };
}

/** Fastify's not-found handler, in the same shape. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const body: ErrorBody = { error: { code: 'E_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } };
  return reply.code(404).send(body);
}
