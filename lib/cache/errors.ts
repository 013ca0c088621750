/** Errors of the model cache and downloader. */
import { FastSAMError } from '../errors';

/** A model could not be fetched, or failed its checksum. */
export function downloadError(message: string, cause?: unknown): FastSAMError {
  return new FastSAMError('E_DOWNLOAD', message, cause === undefined ? undefined : { cause });
}
