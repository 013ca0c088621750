/**
 * One prediction request's bookkeeping, shared by `/v1/segment` and the `/v2` infer routes: the model
 * (503 while loading or draining), the client's slot (429 past its limit), the request's AbortSignal
 * (its timeout, or the client gone) and the predictions metric by outcome.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isFastSAMError } from '../errors';
import type { FastSAM } from '../index';
import { outcomeOf } from '../metrics';
import { RequestSignal } from './request-signal';
import type { ServeContext } from './serve-context';

export async function predictionRequest<T>(
  context: ServeContext,
  request: FastifyRequest,
  reply: FastifyReply,
  work: (model: FastSAM, signal: RequestSignal) => Promise<T>,
): Promise<T> {
  const model = context.lifecycle.requireModel();
  const release = context.clientLimit.acquire(request.ip);
  const tracker = new RequestSignal(reply, context.options.timeoutMs);
  const started = performance.now();
  try {
    const answer = await work(model, tracker);
    context.modelMetrics()?.observePrediction('success', performance.now() - started);
    return answer;
  } catch (error) {
    const code = isFastSAMError(error) ? error.code : tracker.signal.aborted ? 'E_ABORTED' : undefined;
    context.modelMetrics()?.observePrediction(outcomeOf(code), performance.now() - started);
    throw error;
  } finally {
    release();
    tracker.dispose();
  }
}
