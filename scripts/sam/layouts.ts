/**
 * Which SAM ONNX layout a user's file has, read from its declared inputs and outputs:
 *   - encoder: one float image input [B, 3, S, S] (transformers.js / optimum call it pixel_values) and an
 *     `image_embeddings` output [B, 256, 64, 64], plus `image_positional_embeddings` in some exports;
 *   - decoder "transformers" (transformers / transformers.js / optimum SamModel export, and ours):
 *     image_embeddings, image_positional_embeddings, input_points [B, P, N, 2], input_labels [B, P, N],
 *     optionally input_boxes [B, P, 4]; outputs iou_scores, pred_masks;
 *   - decoder "segment-anything" (the SAM repository's scripts/export_onnx_model.py): image_embeddings,
 *     point_coords [1, N, 2], point_labels [1, N] (float), mask_input, has_mask_input, orig_im_size;
 *     one prompt per run.
 */
import { ONNX_ELEM_TYPE, type OnnxModelInfo, type OnnxValueInfo } from '../../lib/onnx/model-info';

export interface EncoderLayout {
  input: string;
  size: number;
  embeddings: string;
  /** [1, C, E, E] as declared, SAM's [1, 256, S/16, S/16] where the file leaves dims symbolic. */
  embeddingDims: [number, number, number, number];
  /** Present when the encoder also returns the image-wide positional embedding. */
  positional?: string;
}

export interface TransformersDecoderLayout {
  kind: 'transformers';
  imageEmbeddings: string;
  positional?: string;
  points: string;
  labels?: { name: string; elemType: number };
  boxes?: string;
  /** Prompts one run may take: a fixed size, or null when the point-batch axis is dynamic. */
  fixedPromptBatch: number | null;
}

export interface SegmentAnythingDecoderLayout {
  kind: 'segment-anything';
  imageEmbeddings: string;
  pointCoords: string;
  pointLabels: string;
  maskInput: string;
  hasMaskInput: string;
  origImSize: { name: string; elemType: number };
}

export type DecoderLayout = TransformersDecoderLayout | SegmentAnythingDecoderLayout;

const describe = (values: OnnxValueInfo[]) => values.map((v) => `${v.name}[${v.dims.join(',')}]`).join(', ');

function find(values: OnnxValueInfo[], name: string): OnnxValueInfo | undefined {
  return values.find((v) => v.name === name);
}

export function encoderLayout(info: OnnxModelInfo, label: string): EncoderLayout {
  const input = info.inputs.find((v) => v.elemType === ONNX_ELEM_TYPE.FLOAT && v.dims.length === 4 && v.dims[1] === 3);
  const embeddings = find(info.outputs, 'image_embeddings') ?? info.outputs.find((v) => v.dims.length === 4);
  if (!input || !embeddings) {
    throw new Error(
      `${label}: not a SAM image encoder (need a float [B,3,S,S] input and a 4-D embeddings output); inputs ${describe(info.inputs)}; outputs ${describe(info.outputs)}`,
    );
  }
  const side = input.dims[2];
  const size = typeof side === 'number' ? side : 1024;
  const declared = (i: number, fallback: number) => {
    const d = embeddings.dims[i];
    return typeof d === 'number' && d > 0 ? d : fallback;
  };
  return {
    input: input.name,
    size,
    embeddings: embeddings.name,
    embeddingDims: [1, declared(1, 256), declared(2, size / 16), declared(3, size / 16)],
    positional: find(info.outputs, 'image_positional_embeddings')?.name,
  };
}

export function decoderLayout(info: OnnxModelInfo, label: string): DecoderLayout {
  const image = find(info.inputs, 'image_embeddings');
  const points = find(info.inputs, 'input_points');
  if (image && points) {
    const labels = find(info.inputs, 'input_labels');
    const batch = points.dims[1];
    return {
      kind: 'transformers',
      imageEmbeddings: image.name,
      positional: find(info.inputs, 'image_positional_embeddings')?.name,
      points: points.name,
      labels: labels && { name: labels.name, elemType: labels.elemType },
      boxes: find(info.inputs, 'input_boxes')?.name,
      fixedPromptBatch: typeof batch === 'number' ? batch : null,
    };
  }
  const names = ['point_coords', 'point_labels', 'mask_input', 'has_mask_input', 'orig_im_size'];
  const [coords, pointLabels, maskInput, hasMask, origSize] = names.map((n) => find(info.inputs, n));
  if (image && coords && pointLabels && maskInput && hasMask && origSize) {
    return {
      kind: 'segment-anything',
      imageEmbeddings: image.name,
      pointCoords: coords.name,
      pointLabels: pointLabels.name,
      maskInput: maskInput.name,
      hasMaskInput: hasMask.name,
      origImSize: { name: origSize.name, elemType: origSize.elemType },
    };
  }
  throw new Error(
    `${label}: unknown SAM decoder layout; inputs ${describe(info.inputs)}. Supported: transformers/transformers.js ` +
      '(image_embeddings, input_points, input_labels[, image_positional_embeddings, input_boxes]) and segment-anything ' +
      '(image_embeddings, point_coords, point_labels, mask_input, has_mask_input, orig_im_size)',
  );
}
