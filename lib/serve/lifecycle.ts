/**
 * Whether the server takes work: 'loading' until the model is there, 'ready', 'draining' once close()
 * has begun (in-flight requests finish, new ones are refused), or 'failed' when the model never loaded.
 * /v2/health/ready answers 200 only when ready; /v2/health/live answers 200 whenever the process runs.
 */
import type { FastSAM } from '../index';
import { HttpError } from './errors';

/**
 * Where a server is: 'loading' (the model is not loaded yet), 'ready', 'draining' (closing: new requests get 503), 'failed' (the
 * model did not load).
 */
export type ServerState = 'loading' | 'ready' | 'draining' | 'failed';

export class Lifecycle {
  private current: ServerState = 'loading';
  private loaded?: FastSAM;
  private failure?: unknown;

  constructor(
    model: FastSAM | Promise<FastSAM>,
    private readonly retryAfterSeconds: number,
    onFailure: (error: unknown) => void,
  ) {
    if (!(model instanceof Promise)) {
      this.loaded = model;
      this.current = 'ready';
      return;
    }
    model.then(
      (m) => {
        this.loaded = m;
        if (this.current === 'loading') this.current = 'ready';
      },
      (error: unknown) => {
        this.failure = error;
        if (this.current === 'loading') this.current = 'failed';
        onFailure(error);
      },
    );
  }

  get state(): ServerState {
    return this.current;
  }

  get ready(): boolean {
    return this.current === 'ready';
  }

  /** The model once loaded (undefined while loading or after a failed load). */
  get model(): FastSAM | undefined {
    return this.loaded;
  }

  drain(): void {
    this.current = 'draining';
  }

  /** Why the server is not ready, as the error a refused request gets. */
  notReadyError(): HttpError {
    const why =
      this.current === 'loading'
        ? 'the model is loading'
        : this.current === 'draining'
          ? 'the server is shutting down'
          : `the model failed to load (${this.failure instanceof Error ? this.failure.message : String(this.failure)})`;
    return new HttpError(503, 'E_NOT_READY', why, this.current === 'failed' ? undefined : this.retryAfterSeconds);
  }

  /** The model, or the 503 that says why there is none to use. */
  requireModel(): FastSAM {
    if (!this.ready || !this.loaded) throw this.notReadyError();
    return this.loaded;
  }
}
