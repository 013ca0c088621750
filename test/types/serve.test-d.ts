/**
 * Type tests of `fastsam-node/serve` (lib/serve/index.ts): createServer() takes a model or the promise of
 * one and the server limits, and gives a Fastify instance. Checked by tsc in `npm run typecheck`, never run.
 */
import { expectTypeOf } from 'expect-type';
import type { FastifyInstance } from 'fastify';
import type { FastSAM } from '../../lib/index';
import {
  createServer,
  type ErrorBody,
  SERVE_DEFAULTS,
  type ServeErrorCode,
  type ServeOptions,
  type ServerState,
} from '../../lib/serve/index';

declare const model: FastSAM;

expectTypeOf(createServer(model)).toEqualTypeOf<FastifyInstance>();
expectTypeOf(createServer).toBeCallableWith(Promise.resolve(model), { clientLimit: 4, timeoutMs: 10_000, web: false, logger: true });
expectTypeOf(SERVE_DEFAULTS.maxUploadBytes).toBeNumber();
expectTypeOf<ServerState>().toEqualTypeOf<'loading' | 'ready' | 'draining' | 'failed'>();
expectTypeOf<ErrorBody['error']['code']>().toEqualTypeOf<ServeErrorCode>();
expectTypeOf<'E_BAD_OPTION'>().toExtend<ServeErrorCode>(); // the library's codes are the server's too
expectTypeOf<'E_RATE_LIMITED'>().toExtend<ServeErrorCode>();

// @ts-expect-error -- the listening port is listen()'s, not a server option
const _port: ServeOptions = { port: 8000 };
// @ts-expect-error -- limits are numbers
const _limit: ServeOptions = { maxUploadBytes: '50MB' };
// @ts-expect-error -- a model is needed, not a path: load it with FastSAM.load()
expectTypeOf(createServer).toBeCallableWith('FastSAM-s.onnx');
// @ts-expect-error -- not a code the server answers with
const _code: ServeErrorCode = 'E_TEAPOT';
