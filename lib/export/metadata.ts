/**
 * The metadata_props an Ultralytics 8.0.120 ONNX export carries, with values written as Python's str()
 * writes them ("[640, 640]", "{0: 'object'}"), so every reader of Ultralytics exports reads ours.
 */

/** The Ultralytics release whose exporter we reproduce (also the reference FastSAM pins). */
export const ULTRALYTICS_VERSION = '8.0.120';

/** Python's repr() of a str: single quotes unless the text has ' and no ". */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

export function pythonNamesRepr(names: ReadonlyMap<number, string>): string {
  return `{${[...names].map(([k, v]) => `${k}: ${pythonStringRepr(v)}`).join(', ')}}`;
}

export interface MetadataInput {
  /** 'YOLOv8s-seg' (from the yaml file name, as Ultralytics' pretty_name). */
  prettyName: string;
  /** The training data set's file name, when the checkpoint records one. */
  data: string | undefined;
  stride: number;
  batch: number;
  imgsz: [number, number];
  names: ReadonlyMap<number, string>;
}

export function ultralyticsMetadata(input: MetadataInput): Record<string, string> {
  return {
    description: `Ultralytics ${input.prettyName} model ${input.data ? `trained on ${input.data}` : '(untrained)'}`,
    author: 'Ultralytics',
    license: 'AGPL-3.0 https://ultralytics.com/license',
    version: ULTRALYTICS_VERSION,
    stride: String(input.stride),
    task: 'segment',
    batch: String(input.batch),
    imgsz: `[${input.imgsz[0]}, ${input.imgsz[1]}]`,
    names: pythonNamesRepr(input.names),
  };
}

/** Ultralytics' pretty_name: the yaml file's stem with 'yolo' capitalised. */
export function prettyName(yamlFile: string | undefined, fallback: string): string {
  const base = (yamlFile ?? fallback).split(/[\\/]/).pop() ?? fallback;
  return base.replace(/\.[^.]*$/, '').replace(/yolo/g, 'YOLO');
}
