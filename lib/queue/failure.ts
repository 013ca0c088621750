/**
 * How a job's failure crosses Redis: BullMQ keeps an error's message as the job's `failedReason`, so the
 * worker writes "<message> [<code>]" (the CLI's own one-line form) and the producer reads the code back
 * into a FastSAMError. Which failures are worth retrying is decided here too: bad input (an undecodable
 * image, a bad option or prompt) fails at once, anything else (Redis, the backend, a busy model, a file
 * not yet visible on shared storage) is retried with backoff.
 */
import { UnrecoverableError } from 'bullmq';
import { FastSAMError, type FastSAMErrorCode, isFastSAMError, messageOf } from '../errors';
import { outcomeOf } from '../metrics';

const CODED = /^([\s\S]*) \[(E_[A-Z_]+)\]$/;

/** The error as a FastSAMError: foreign errors (a bug, a dependency) become E_JOB_FAILED. */
export function asFastSAMError(error: unknown): FastSAMError {
  if (isFastSAMError(error)) return error;
  return new FastSAMError('E_JOB_FAILED', messageOf(error), { cause: error });
}

/** Whether retrying cannot help: the job's own input is wrong. */
export function isBadInput(error: FastSAMError): boolean {
  return outcomeOf(error.code) === 'bad_input';
}

/** What the worker throws to BullMQ: the message with its code, unrecoverable for bad input (no retries). */
export function toJobError(error: FastSAMError): Error {
  const reason = `${error.message} [${error.code}]`;
  return isBadInput(error) ? new UnrecoverableError(reason) : new Error(reason);
}

/** A failedReason back to the worker's FastSAMError (E_JOB_FAILED when it carries no code, e.g. a stalled job). */
export function fromFailedReason(reason: string | undefined): FastSAMError {
  const match = reason === undefined ? null : CODED.exec(reason);
  if (match) return new FastSAMError(match[2] as FastSAMErrorCode, match[1]);
  return new FastSAMError('E_JOB_FAILED', `the job failed in its worker: ${reason || 'no reason given'}`);
}
