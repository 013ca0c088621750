/**
 * Raw YOLOv8-seg outputs to per-image detections: NMS, FastSAM's full-image box and scale_boxes (native,
 * off the JS thread), with masks left lazy in a store over the image's prototypes. The CPU pipeline runs
 * it on ONNX Runtime's outputs; the public postprocess() on anyone's ("bring your own inference").
 */
import { FastSAMError } from '../../errors';
import { LazyMaskStore } from '../../masks/masks';
import { native } from '../../native';
import { checkSize, invalid } from '../../options/check';
import { MAX_IMGSZ } from '../../options/limits';
import type { ImageDetections, PipelineRequest, RawOutputs } from '../pipeline';

export interface OutputLayout {
  batch: number;
  /** 4 + nc + nm. */
  rows: number;
  anchors: number;
  nc: number;
  nm: number;
  protoHeight: number;
  protoWidth: number;
}

const count = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

/** The layout the two outputs declare, checked against their data. */
export function readOutputLayout(outputs: RawOutputs): OutputLayout {
  const { output0, output1 } = outputs ?? {};
  if (!output0 || !output1 || !(output0.data instanceof Float32Array) || !(output1.data instanceof Float32Array)) {
    invalid('outputs', '{ output0, output1 } with Float32Array data and dims', outputs);
  }
  const d0 = output0.dims;
  const d1 = output1.dims;
  const integers = (dims: unknown) => Array.isArray(dims) && dims.every((d) => Number.isInteger(d) && d > 0);
  if (!integers(d0) || !integers(d1) || d0.length !== 3 || d1.length !== 4 || d0[0] !== d1[0]) {
    throw new FastSAMError(
      'E_MODEL_FORMAT',
      `expected output0 [B,4+nc+nm,N] and output1 [B,nm,H/4,W/4]; got [${String(d0)}] and [${String(d1)}]`,
    );
  }
  if (output0.data.length !== count(d0) || output1.data.length !== count(d1)) {
    throw new FastSAMError('E_MODEL_FORMAT', 'output data length does not match its dims');
  }
  const nm = d1[1];
  const nc = d0[1] - 4 - nm;
  if (nc < 1) throw new FastSAMError('E_MODEL_FORMAT', `output0 has ${d0[1]} rows: too few for ${nm} mask coefficients`);
  return { batch: d0[0], rows: d0[1], anchors: d0[2], nc, nm, protoHeight: d1[2], protoWidth: d1[3] };
}

/** Detections for the first `origShapes.length` images of the outputs. */
export async function detectOutputs(
  outputs: RawOutputs,
  layout: OutputLayout,
  request: PipelineRequest,
  origShapes: Array<[number, number]>,
): Promise<ImageDetections[]> {
  const [inputHeight, inputWidth] = checkSize('inputShape', request.inputSize, MAX_IMGSZ);
  const { rows, anchors, nc, nm, protoHeight, protoWidth } = layout;
  const perImage0 = rows * anchors;
  const perImage1 = nm * protoHeight * protoWidth;
  const retina = request.retinaMasks;
  return Promise.all(
    origShapes.map(async ([origHeight, origWidth], b): Promise<ImageDetections> => {
      const found = await native().detect(outputs.output0.data.subarray(b * perImage0, (b + 1) * perImage0), {
        rows,
        anchors,
        nc,
        conf: request.conf,
        iou: request.iou,
        agnostic: request.agnosticNms,
        maxDet: request.maxDet,
        ...(request.classes ? { classes: request.classes } : {}),
        fullImageBox: request.fullImageBox,
        inputHeight,
        inputWidth,
        origHeight,
        origWidth,
      });
      const masks = new LazyMaskStore({
        protos: outputs.output1.data.subarray(b * perImage1, (b + 1) * perImage1),
        nm,
        protoHeight,
        protoWidth,
        coef: found.coef,
        cropBoxes: retina ? found.boxes : found.inputBoxes,
        mode: retina ? 'native' : 'letterbox',
        inputHeight,
        inputWidth,
        maskHeight: retina ? origHeight : inputHeight,
        maskWidth: retina ? origWidth : inputWidth,
      });
      return { origShape: [origHeight, origWidth], boxes: found.boxes, conf: found.conf, cls: found.cls, masks };
    }),
  );
}
