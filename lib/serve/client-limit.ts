/**
 * Per-client admission: at most `limit` requests of one client (its IP, or X-Forwarded-For behind a
 * trusted proxy) in flight at once; the next one is 429 E_RATE_LIMITED with Retry-After. The model's
 * own bounded queue (503 E_OVERLOADED) protects the server as a whole; this keeps one client from
 * filling that queue alone.
 */
import { HttpError } from './errors';

export class ClientLimit {
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly retryAfterSeconds: number,
  ) {}

  /** Takes a slot for `client` (or throws the 429); call the returned function exactly once to give it back. */
  acquire(client: string): () => void {
    if (this.limit === 0) return () => undefined;
    const count = this.inFlight.get(client) ?? 0;
    if (count >= this.limit) {
      throw new HttpError(
        429,
        'E_RATE_LIMITED',
        `this client already has ${count} requests in flight (the limit is ${this.limit})`,
        this.retryAfterSeconds,
      );
    }
    this.inFlight.set(client, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(client) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(client);
      else this.inFlight.set(client, left);
    };
  }
}
