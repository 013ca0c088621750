/**
 * KServe v2 / Open Inference Protocol request and response bodies, with Triton's binary tensor extension:
 * a JSON header of `Inference-Header-Content-Length` bytes followed by raw tensor bytes, each tensor
 * flagged by `parameters.binary_data_size`. BYTES elements in binary form are a 4-byte little-endian
 * length then the bytes; in JSON, an image travels as a base64 string.
 */
import { HttpError } from './errors';

export type Datatype = 'BYTES' | 'FP32' | 'INT32';

export interface InferInput {
  name: string;
  datatype: string;
  shape: number[];
  data?: unknown;
  parameters?: Record<string, unknown>;
}

export interface InferRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: InferInput[];
  outputs?: Array<{ name: string; parameters?: Record<string, unknown> }>;
}

export interface OutputTensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  /** Flat values (numbers, or strings for BYTES). */
  data: number[] | string[];
}

const bad = (message: string) => new HttpError(400, 'E_BAD_REQUEST', message);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Splits a binary-extension body into its JSON header and the raw bytes after it. */
export function splitBinaryBody(body: Buffer, headerLength: string | string[] | undefined): { json: unknown; tail: Buffer } {
  const length = Number(headerLength);
  if (headerLength === undefined || Array.isArray(headerLength) || !Number.isInteger(length) || length < 0 || length > body.length) {
    throw new HttpError(
      415,
      'E_UNSUPPORTED_MEDIA_TYPE',
      'a binary inference request needs the Inference-Header-Content-Length header (the JSON part length), within the body',
    );
  }
  try {
    return { json: JSON.parse(body.subarray(0, length).toString('utf8')), tail: body.subarray(length) };
  } catch {
    throw bad('the inference header is not valid JSON');
  }
}

/** Checks the request's shape (not its options): one or more inputs, outputs by name. */
export function checkInferRequest(value: unknown): InferRequest {
  if (!isObject(value)) throw bad('an inference request is a JSON object { inputs, parameters?, outputs?, id? }');
  const { inputs, outputs, parameters, id } = value;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every(isObject)) throw bad('inputs must be a non-empty list of tensors');
  for (const input of inputs) {
    if (typeof input.name !== 'string' || typeof input.datatype !== 'string' || !Array.isArray(input.shape)) {
      throw bad('each input needs name, datatype and shape');
    }
    if (input.parameters !== undefined && !isObject(input.parameters)) throw bad(`parameters of input '${input.name}' must be an object`);
  }
  if (parameters !== undefined && !isObject(parameters)) throw bad('parameters must be an object');
  if (outputs !== undefined && (!Array.isArray(outputs) || !outputs.every((o) => isObject(o) && typeof o.name === 'string'))) {
    throw bad('outputs must be a list of { name, parameters? }');
  }
  if (id !== undefined && typeof id !== 'string') throw bad('id must be a string');
  return value as unknown as InferRequest;
}

/** Strips a BYTES element's 4-byte length prefix when it is there (Triton clients send it; others may not). */
function withoutLengthPrefix(bytes: Buffer): Buffer {
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === bytes.length - 4) return bytes.subarray(4);
  return bytes;
}

/**
 * The image bytes of the one BYTES input named `image` (shape [1]), from the binary tail or from a base64
 * string in `data`.
 */
export function imageInput(request: InferRequest, tail: Buffer | undefined): Buffer {
  let offset = 0;
  let image: Buffer | undefined;
  for (const input of request.inputs) {
    const size = input.parameters?.binary_data_size;
    let bytes: Buffer | undefined;
    if (size !== undefined) {
      if (!tail || !Number.isInteger(size) || (size as number) < 0 || offset + (size as number) > tail.length) {
        throw bad(`binary_data_size of input '${input.name}' does not fit the binary part of the body`);
      }
      bytes = tail.subarray(offset, offset + (size as number));
      offset += size as number;
    }
    if (input.name !== 'image') throw bad(`unknown input '${input.name}': this model takes one input, 'image' (BYTES, shape [1])`);
    if (image) throw bad("input 'image' is given twice");
    if (input.datatype !== 'BYTES') throw bad(`input 'image' must be BYTES (an encoded image), got ${input.datatype}`);
    const count = input.shape.reduce((n: number, d) => n * (typeof d === 'number' ? d : NaN), 1);
    if (count !== 1) throw bad(`input 'image' holds one image (shape [1]), got shape ${JSON.stringify(input.shape)}`);
    if (bytes) image = withoutLengthPrefix(bytes);
    else {
      const data = Array.isArray(input.data) ? input.data.flat(4) : [input.data];
      if (data.length !== 1 || typeof data[0] !== 'string' || !/^[A-Za-z0-9+/=_-]*$/.test(data[0])) {
        throw bad("input 'image' data must be one base64 string, or binary data (binary_data_size)");
      }
      image = Buffer.from(data[0], 'base64');
    }
  }
  if (tail && offset !== tail.length) throw bad('the binary part of the body is longer than the inputs declare');
  return image!;
}

/** Which outputs go back, and which of them as binary. */
export function requestedOutputs(request: InferRequest, available: readonly string[]): Map<string, boolean> {
  const binaryByDefault = request.parameters?.binary_data_output === true;
  if (!request.outputs) return new Map(available.map((name) => [name, binaryByDefault]));
  const chosen = new Map<string, boolean>();
  for (const output of request.outputs) {
    if (!available.includes(output.name)) throw bad(`unknown output '${output.name}' (outputs: ${available.join(', ')})`);
    const binary = output.parameters?.binary_data;
    chosen.set(output.name, binary === undefined ? binaryByDefault : binary === true);
  }
  return chosen;
}

function tensorBytes(tensor: OutputTensor): Buffer {
  if (tensor.datatype === 'BYTES') {
    return Buffer.concat(
      (tensor.data as string[]).flatMap((s) => {
        const bytes = Buffer.from(s, 'utf8');
        const length = Buffer.alloc(4);
        length.writeUInt32LE(bytes.length);
        return [length, bytes];
      }),
    );
  }
  const values = tensor.datatype === 'FP32' ? Float32Array.from(tensor.data as number[]) : Int32Array.from(tensor.data as number[]);
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength); // little-endian on every platform Node runs on
}

/** The response body: plain JSON, or JSON header + binary tensors when any output is binary. */
export function inferResponse(
  header: Record<string, unknown>,
  tensors: OutputTensor[],
  binary: Map<string, boolean>,
): { body: Buffer | Record<string, unknown>; headerLength?: number } {
  const parts: Buffer[] = [];
  const outputs = tensors.map((tensor) => {
    if (!binary.get(tensor.name)) return tensor;
    const bytes = tensorBytes(tensor);
    parts.push(bytes);
    return { name: tensor.name, datatype: tensor.datatype, shape: tensor.shape, parameters: { binary_data_size: bytes.length } };
  });
  const json = { ...header, outputs };
  if (parts.length === 0) return { body: json };
  const head = Buffer.from(JSON.stringify(json), 'utf8');
  return { body: Buffer.concat([head, ...parts]), headerLength: head.length };
}
