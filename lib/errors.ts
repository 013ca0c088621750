/** Stable error codes: match on `error.code`, never on the message. */
export type FastSAMErrorCode =
  | 'E_FILE_NOT_FOUND' // a model or image path that does not exist
  | 'E_MODEL_FORMAT' // a file that is not a YOLOv8-seg / FastSAM ONNX model
  | 'E_IMAGE_DECODE' // bytes that are not a decodable image
  | 'E_IMAGE_TOO_LARGE' // over the configured pixel limit (refused before decoding)
  | 'E_VIDEO_DECODE' // a video or stream ffmpeg cannot read to the end (bad, truncated, killed, stalled)
  | 'E_VIDEO_ENCODE' // the annotated video could not be written (ffmpeg failed or was killed)
  | 'E_BAD_SOURCE' // a source of the wrong type or shape
  | 'E_BAD_OPTION' // an option out of range or of the wrong type
  | 'E_BAD_PROMPT' // a prompt that cannot be applied
  | 'E_BACKEND_UNAVAILABLE' // the asked-for backend cannot run here
  | 'E_INFERENCE' // the runtime failed while running the model
  | 'E_DISPOSED' // the model was disposed
  | 'E_OVERLOADED' // the model's request queue is full: retry later
  | 'E_ABORTED' // the caller's AbortSignal fired before the work was done
  | 'E_UNSAFE_CHECKPOINT' // a .pt file asking for code or globals the safe reader refuses
  | 'E_DOWNLOAD' // a model could not be downloaded or failed its checksum
  | 'E_NATIVE' // the native addon failed or could not be loaded
  | 'E_REDIS' // the job queue's Redis is unreachable or unfit (e.g. maxmemory-policy is not noeviction)
  | 'E_JOB_FAILED' // a queued job failed without a library code (e.g. its workers died on it too often)
  | 'E_RESULT_GONE'; // a queued job's result was already read, expired, or the job is unknown

/**
 * Every error the library throws on purpose: a stable `code` to branch on, and a message for people. Native and runtime failures
 * are wrapped in one (the original as `cause`).
 */
export class FastSAMError extends Error {
  /** What went wrong, stable across releases (see FastSAMErrorCode). */
  readonly code: FastSAMErrorCode;

  constructor(code: FastSAMErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FastSAMError';
    this.code = code;
  }
}

/** Whether a caught value is a FastSAMError (a type guard, for `catch (e: unknown)`). */
export function isFastSAMError(value: unknown): value is FastSAMError {
  return value instanceof FastSAMError;
}

/** The message of anything thrown, for wrapping foreign errors. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
