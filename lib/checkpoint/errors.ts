/** Errors of the checkpoint reader. */
import { FastSAMError, type FastSAMErrorCode } from '../errors';

export function checkpointError(code: FastSAMErrorCode, message: string, options?: { cause?: unknown }): FastSAMError {
  return new FastSAMError(code, message, options);
}

/** The file asks for code or a construct that a safe reader never performs. */
export function unsafe(message: string): FastSAMError {
  return checkpointError('E_UNSAFE_CHECKPOINT', message);
}

/** The file is damaged, truncated, or not a PyTorch checkpoint at all. */
export function malformed(message: string, cause?: unknown): FastSAMError {
  return checkpointError('E_MODEL_FORMAT', message, cause === undefined ? undefined : { cause });
}
