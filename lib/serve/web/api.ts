/** The page's two calls to the server: what it runs (GET /v1/info) and a segment request (POST /v1/segment). */
import type { SegmentAnswer } from '../../formats/segment-answer';

export interface ServerInfo {
  name: string;
  model: string;
  task: 'fastsam' | 'segment';
  backend: string;
  backendNote?: string;
  batching: boolean;
  clip: boolean;
  imgsz: [number, number];
  fixedSize: [number, number] | null;
  stride: number;
  defaults: { conf: number; iou: number; retina_masks: boolean; max_det: number };
  limits: { maxUploadBytes: number; maxPixels: number; timeoutMs: number };
}

export class ServerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function failure(response: Response): Promise<ServerError> {
  try {
    const body = (await response.json()) as { error?: { code: string; message: string } };
    if (body.error) return new ServerError(body.error.code, body.error.message);
  } catch {
    // not the server's error body: say what HTTP said
  }
  return new ServerError(`HTTP_${response.status}`, `${response.status} ${response.statusText}`);
}

export async function fetchInfo(): Promise<ServerInfo> {
  const response = await fetch('/v1/info');
  if (!response.ok) throw await failure(response);
  return (await response.json()) as ServerInfo;
}

/** Segments `image` with `fields` (wire options); resolves with the answer and the round-trip time. */
export async function segment(
  image: Blob,
  fileName: string,
  fields: Record<string, string>,
  signal?: AbortSignal,
): Promise<{ answer: SegmentAnswer; ms: number }> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('image', image, fileName);
  const started = performance.now();
  const response = await fetch('/v1/segment', { method: 'POST', body: form, signal });
  if (!response.ok) throw await failure(response);
  const answer = (await response.json()) as SegmentAnswer;
  return { answer, ms: performance.now() - started };
}
