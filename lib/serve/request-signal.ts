/**
 * One AbortSignal per request: it fires when the per-request timeout passes or when the client goes
 * away before its answer is sent. The model drops abandoned work from its queue (predict rejects with
 * E_ABORTED); `abandoned()` then tells which of the two it was, so a timeout answers 504 and a client
 * that left gets nothing (there is no one to answer).
 */
import type { FastifyReply } from 'fastify';
import { FastSAMError } from '../errors';
import { HttpError } from './errors';

export class RequestSignal {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private reason?: 'timeout' | 'client-gone';

  constructor(
    reply: FastifyReply,
    private readonly timeoutMs: number,
  ) {
    this.timer = setTimeout(() => this.abort('timeout'), timeoutMs);
    // 'close' on the response: sent, or the connection dropped before it could be.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) this.abort('client-gone');
    });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get clientGone(): boolean {
    return this.reason === 'client-gone';
  }

  private abort(reason: 'timeout' | 'client-gone'): void {
    if (this.controller.signal.aborted) return;
    this.reason = reason;
    this.controller.abort(
      new FastSAMError('E_ABORTED', reason === 'timeout' ? `timed out after ${this.timeoutMs} ms` : 'the client went away'),
    );
  }

  /** Throws if the request was abandoned (between stages that do not take the signal themselves). */
  check(): void {
    if (this.controller.signal.aborted) throw this.translate(this.controller.signal.reason);
  }

  /** E_ABORTED caused by the timeout becomes the 504; anything else is left as it is. */
  translate(error: unknown): unknown {
    if (this.reason === 'timeout' && (error instanceof FastSAMError ? error.code === 'E_ABORTED' : this.controller.signal.aborted)) {
      return new HttpError(504, 'E_TIMEOUT', `the request took longer than the server's limit of ${this.timeoutMs} ms`);
    }
    return error;
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
