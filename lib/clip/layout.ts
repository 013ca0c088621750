/**
 * Which CLIP encoder contract an ONNX file follows, read from its declared inputs and outputs:
 * - Hugging Face / transformers.js: vision_model.onnx (pixel_values -> image_embeds, maybe
 *   last_hidden_state too), text_model.onnx (input_ids [+ attention_mask] -> text_embeds);
 * - OpenAI-style exports: image -> one embedding output, text -> one embedding output;
 * - one combined model.onnx: pixel_values + input_ids [+ attention_mask] -> image_embeds + text_embeds.
 * Anything else is refused with the file, what was expected and what was found.
 */
import type { OnnxModelInfo, OnnxValueInfo } from '../onnx/model-info';
import { ONNX_ELEM_TYPE } from '../onnx/model-info';
import { formatError } from './files';
import { CLIP_IMAGE_SIZE } from './preprocess';
import { CLIP_CONTEXT_LENGTH } from './tokenizer';

export type IdsType = 'int64' | 'int32';

export interface ImageEncoderLayout {
  file: string;
  input: string;
  output: string;
  /** A batch size fixed by the export, else null. */
  fixedBatch: number | null;
  /** Square input side (224 for ViT-B/32; read from the file when static). */
  size: number;
  /** Embedding width when the file declares it. */
  embedDim: number | null;
}

export interface TextEncoderLayout {
  file: string;
  input: string;
  idsType: IdsType;
  /** Hugging Face's attention_mask input, when the export has one. */
  maskInput: string | null;
  maskType: IdsType;
  output: string;
  /** 'hf' pads with the tokenizer's pad token (<|endoftext|>), 'openai' with 0, as each tokenizer does. */
  style: 'hf' | 'openai';
  fixedBatch: number | null;
  contextLength: number;
  embedDim: number | null;
}

const IMAGE_INPUTS = ['pixel_values', 'image'];
const IMAGE_OUTPUTS = ['image_embeds', 'image_features'];
const TEXT_OUTPUTS = ['text_embeds', 'text_features'];

const ELEM_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(ONNX_ELEM_TYPE).map(([name, code]) => [code, name.toLowerCase()]),
);

function describe(values: readonly OnnxValueInfo[]): string {
  if (values.length === 0) return 'none';
  return values.map((v) => `${v.name} (${ELEM_NAMES[v.elemType] ?? `type ${v.elemType}`} [${v.dims.join(', ')}])`).join(', ');
}

function found(info: OnnxModelInfo): string {
  return `inputs ${describe(info.inputs)}; outputs ${describe(info.outputs)} (${looksLike(info)})`;
}

const staticDim = (dim: number | string | undefined): number | null => (typeof dim === 'number' && dim > 0 ? dim : null);

/** The embedding output: a known name, else the only output. */
function embeddingOutput(info: OnnxModelInfo, names: readonly string[]): OnnxValueInfo | undefined {
  const named = info.outputs.find((o) => names.includes(o.name));
  if (named) return named;
  return info.outputs.length === 1 ? info.outputs[0] : undefined;
}

function isFloat(value: OnnxValueInfo): boolean {
  return value.elemType === ONNX_ELEM_TYPE.FLOAT;
}

function idsType(value: OnnxValueInfo): IdsType | undefined {
  if (value.elemType === ONNX_ELEM_TYPE.INT64) return 'int64';
  if (value.elemType === ONNX_ELEM_TYPE.INT32) return 'int32';
  return undefined;
}

function imageParts(info: OnnxModelInfo, file: string, expected: string, input: OnnxValueInfo | undefined): ImageEncoderLayout {
  const output = embeddingOutput(info, IMAGE_OUTPUTS);
  if (!input || !isFloat(input) || !output || !isFloat(output)) throw formatError(file, expected, found(info));
  const dims = input.dims;
  if (dims.length !== 0 && (dims.length !== 4 || (typeof dims[1] === 'number' && dims[1] !== 3)))
    throw formatError(file, expected, found(info));
  const [h, w] = [staticDim(dims[2]), staticDim(dims[3])];
  if (h !== null && w !== null && h !== w) throw formatError(file, `${expected} with a square input`, found(info));
  return {
    file,
    input: input.name,
    output: output.name,
    fixedBatch: staticDim(dims[0]),
    size: h ?? w ?? CLIP_IMAGE_SIZE,
    embedDim: staticDim(output.dims[output.dims.length - 1]),
  };
}

const IMAGE_EXPECTED =
  "a CLIP image encoder: one float32 input 'pixel_values' or 'image' [batch, 3, H, W] and a float32 " +
  "'image_embeds' or 'image_features' output (or a single output)";

export function imageEncoderLayout(info: OnnxModelInfo, file: string): ImageEncoderLayout {
  if (info.inputs.length !== 1 || !IMAGE_INPUTS.includes(info.inputs[0].name)) throw formatError(file, IMAGE_EXPECTED, found(info));
  return imageParts(info, file, IMAGE_EXPECTED, info.inputs[0]);
}

function textParts(
  info: OnnxModelInfo,
  file: string,
  expected: string,
  ids: OnnxValueInfo,
  mask: OnnxValueInfo | undefined,
): TextEncoderLayout {
  const output = embeddingOutput(info, TEXT_OUTPUTS);
  const type = idsType(ids);
  const maskType = mask ? idsType(mask) : 'int64';
  if (!type || !maskType || !output || !isFloat(output)) throw formatError(file, expected, found(info));
  if (ids.dims.length !== 0 && ids.dims.length !== 2) throw formatError(file, expected, found(info));
  return {
    file,
    input: ids.name,
    idsType: type,
    maskInput: mask?.name ?? null,
    maskType,
    output: output.name,
    style: ids.name === 'input_ids' ? 'hf' : 'openai',
    fixedBatch: staticDim(ids.dims[0]),
    contextLength: staticDim(ids.dims[1]) ?? CLIP_CONTEXT_LENGTH,
    embedDim: staticDim(output.dims[output.dims.length - 1]),
  };
}

const TEXT_EXPECTED =
  "a CLIP text encoder: an int64/int32 input 'input_ids' [batch, length] (with or without 'attention_mask') " +
  "or 'text', and a float32 'text_embeds' or 'text_features' output (or a single output)";

export function textEncoderLayout(info: OnnxModelInfo, file: string): TextEncoderLayout {
  const names = info.inputs
    .map((i) => i.name)
    .sort()
    .join(',');
  const ids = info.inputs.find((i) => i.name === 'input_ids' || i.name === 'text');
  if (!ids || !['input_ids', 'attention_mask,input_ids', 'text'].includes(names)) throw formatError(file, TEXT_EXPECTED, found(info));
  return textParts(
    info,
    file,
    TEXT_EXPECTED,
    ids,
    info.inputs.find((i) => i.name === 'attention_mask'),
  );
}

const COMBINED_EXPECTED =
  "a combined CLIP model: inputs 'pixel_values' (float32 [batch, 3, H, W]) and 'input_ids' (with or without " +
  "'attention_mask'), outputs 'image_embeds' and 'text_embeds'";

export function combinedLayout(info: OnnxModelInfo, file: string): { image: ImageEncoderLayout; text: TextEncoderLayout } {
  const names = info.inputs
    .map((i) => i.name)
    .sort()
    .join(',');
  const outputs = new Set(info.outputs.map((o) => o.name));
  const pixels = info.inputs.find((i) => i.name === 'pixel_values');
  const ids = info.inputs.find((i) => i.name === 'input_ids');
  if (
    !pixels ||
    !ids ||
    !['input_ids,pixel_values', 'attention_mask,input_ids,pixel_values'].includes(names) ||
    !outputs.has('image_embeds') ||
    !outputs.has('text_embeds')
  ) {
    throw formatError(file, COMBINED_EXPECTED, found(info));
  }
  const only = (name: string): OnnxModelInfo => ({ ...info, outputs: info.outputs.filter((o) => o.name === name) });
  return {
    image: imageParts(only('image_embeds'), file, COMBINED_EXPECTED, pixels),
    text: textParts(
      only('text_embeds'),
      file,
      COMBINED_EXPECTED,
      ids,
      info.inputs.find((i) => i.name === 'attention_mask'),
    ),
  };
}

/** Which contract a file seems to follow, so the message says when a file is in the wrong place. */
function looksLike(info: OnnxModelInfo): string {
  const names = new Set(info.inputs.map((i) => i.name));
  if (names.has('pixel_values') && names.has('input_ids')) return 'looks like a combined CLIP model';
  if (names.has('pixel_values') || names.has('image')) return 'looks like an image encoder';
  if (names.has('input_ids') || names.has('text')) return 'looks like a text encoder';
  if (names.has('images')) return 'looks like a detection or segmentation model';
  return 'not a CLIP encoder';
}
