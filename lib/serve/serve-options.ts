/** createServer() options: the limits a public server needs, with defaults that are safe to expose. */
import type { FastifyServerOptions } from 'fastify';
import type { ClipScorer } from '../index';
import { checkBoolean, checkInteger, checkKnownKeys, checkOptionsObject, checkString, invalid, is } from '../options/check';

/**
 * Options of createServer(): the limits a public server needs, with defaults that are safe to expose. Bad values throw
 * E_BAD_OPTION.
 */
export interface ServeOptions {
  /** Largest upload (an image, a whole multipart body, a /v2 request) in bytes. Default 50 MiB. */
  maxUploadBytes?: number;
  /** Images with more pixels are refused with 413 E_IMAGE_TOO_LARGE, from their header. Default 8192² (67 MP). */
  maxPixels?: number;
  /** A request still running after this many milliseconds is abandoned: 504 E_TIMEOUT. Default 30000. */
  timeoutMs?: number;
  /** Requests one client (by IP) may have in flight; past it 429 E_RATE_LIMITED. Default 0: no limit. */
  clientLimit?: number;
  /** Form fields a multipart body may carry, besides the image. Default 16. */
  maxFields?: number;
  /** Bytes of one form field or query value (prompts are JSON). Default 1 MiB. */
  maxFieldBytes?: number;
  /** Seconds in the Retry-After header of 429 and 503 answers. Default 1. */
  retryAfterSeconds?: number;
  /** CLIP for `texts` prompts; without it a text prompt is 400 E_BAD_OPTION and the page hides text mode. */
  clip?: ClipScorer;
  /** Model name in the /v2 routes. Default 'fastsam'. */
  name?: string;
  /** Serve the web demo at `/`. Default true. */
  web?: boolean;
  /** Fastify's logger (pino): false (default), true, or pino options. */
  logger?: FastifyServerOptions['logger'];
  /** Trust X-Forwarded-For for client addresses (behind a proxy). Default false. */
  trustProxy?: boolean;
}

export interface ResolvedServeOptions {
  maxUploadBytes: number;
  maxPixels: number;
  timeoutMs: number;
  clientLimit: number;
  maxFields: number;
  maxFieldBytes: number;
  retryAfterSeconds: number;
  clip?: ClipScorer;
  name: string;
  web: boolean;
  logger: FastifyServerOptions['logger'];
  trustProxy: boolean;
}

const KEYS = [
  'maxUploadBytes',
  'maxPixels',
  'timeoutMs',
  'clientLimit',
  'maxFields',
  'maxFieldBytes',
  'retryAfterSeconds',
  'clip',
  'name',
  'web',
  'logger',
  'trustProxy',
] as const;

/** The defaults of the ServeOptions limits. */
export const SERVE_DEFAULTS = {
  /** 50 MB. */
  maxUploadBytes: 50 * 1024 * 1024,
  /** 8192² (67 MP). */
  maxPixels: 8192 * 8192,
  /** 30 s. */
  timeoutMs: 30_000,
  /** Form fields besides the image. */
  maxFields: 16,
  /** 1 MiB per field or query value. */
  maxFieldBytes: 1024 * 1024,
} as const;

const GIB = 1024 ** 3;

export function resolveServeOptions(value: unknown): ResolvedServeOptions {
  const o = checkOptionsObject('serve options', value) as ServeOptions;
  checkKnownKeys('serve option', o, KEYS);
  const name = o.name === undefined ? 'fastsam' : checkString('name', o.name);
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) invalid('name', 'letters, digits, _ . or -', name);
  if (o.clip !== undefined && !is.plainObject(o.clip)) invalid('clip', 'a ClipScorer', o.clip);
  return {
    maxUploadBytes: checkInteger('maxUploadBytes', o.maxUploadBytes ?? SERVE_DEFAULTS.maxUploadBytes, 1, 4 * GIB),
    maxPixels: checkInteger('maxPixels', o.maxPixels ?? SERVE_DEFAULTS.maxPixels, 1, Number.MAX_SAFE_INTEGER),
    timeoutMs: checkInteger('timeoutMs', o.timeoutMs ?? SERVE_DEFAULTS.timeoutMs, 1, 24 * 3600 * 1000),
    clientLimit: checkInteger('clientLimit', o.clientLimit ?? 0, 0, 1_000_000),
    maxFields: checkInteger('maxFields', o.maxFields ?? SERVE_DEFAULTS.maxFields, 0, 1000),
    maxFieldBytes: checkInteger('maxFieldBytes', o.maxFieldBytes ?? SERVE_DEFAULTS.maxFieldBytes, 1, GIB),
    retryAfterSeconds: checkInteger('retryAfterSeconds', o.retryAfterSeconds ?? 1, 0, 3600),
    clip: o.clip,
    name,
    web: checkBoolean('web', o.web ?? true),
    logger: o.logger ?? false,
    trustProxy: checkBoolean('trustProxy', o.trustProxy ?? false),
  };
}
