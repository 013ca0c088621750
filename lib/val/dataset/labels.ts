/**
 * YOLO segmentation label files, checked as verify_image_label checks them: one `cls x1 y1 x2 y2 ...` line
 * per object (normalised polygon; a file where any line has more than 6 values is read as polygons
 * throughout), boxes derived from the polygon extremes, values in float32, coordinates in [0, 1],
 * duplicate rows dropped (leaving NumPy's sorted-unique order). A bad file makes its image "corrupt".
 */
import * as fs from 'node:fs';

const f32 = Math.fround;

export interface ImageLabels {
  /** Class per object (float32, as the reference keeps it). */
  cls: Float32Array;
  /** n x 4 normalised xywh boxes (float32). */
  boxes: Float32Array;
  /** Per object, the normalised polygon [x0, y0, x1, y1, ...] (float32); empty for box-only files. */
  segments: Float32Array[];
}

export type LabelRead = { ok: true; labels: ImageLabels; missing: boolean } | { ok: false; reason: string };

const EMPTY: ImageLabels = { cls: new Float32Array(0), boxes: new Float32Array(0), segments: [] };

function parseNumber(token: string): number {
  const v = Number(token);
  if (token === '' || Number.isNaN(v)) throw new Error(`'${token}' is not a number`);
  return f32(v);
}

/** segments2boxes + xyxy2xywh, in float32. */
function polygonBox(seg: Float32Array): [number, number, number, number] {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (let i = 0; i < seg.length; i += 2) {
    x1 = Math.min(x1, seg[i]);
    x2 = Math.max(x2, seg[i]);
    y1 = Math.min(y1, seg[i + 1]);
    y2 = Math.max(y2, seg[i + 1]);
  }
  return [f32(f32(x1 + x2) / 2), f32(f32(y1 + y2) / 2), f32(x2 - x1), f32(y2 - y1)];
}

function compareRows(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

export function parseLabels(text: string, nc: number): ImageLabels {
  const lines = text
    .trim()
    .split(/\r?\n/)
    .filter((l) => l.length > 0)
    .map((l) => l.trim().split(/\s+/));
  if (lines.length === 0) return EMPTY;
  const isSegment = lines.some((l) => l.length > 6);
  let rows: number[][];
  let segments: Float32Array[] = [];
  if (isSegment) {
    segments = lines.map((l) => {
      if ((l.length - 1) % 2 !== 0) throw new Error(`a polygon has an odd number of coordinates (${l.length - 1})`);
      return Float32Array.from(l.slice(1), parseNumber);
    });
    rows = lines.map((l, i) => [parseNumber(l[0]), ...polygonBox(segments[i])]);
  } else {
    rows = lines.map((l) => {
      if (l.length !== 5) throw new Error(`labels require 5 columns, ${l.length} columns detected`);
      return l.map(parseNumber);
    });
  }
  for (const row of rows) {
    if (row.slice(1).some((v) => v > 1)) throw new Error('non-normalized or out of bounds coordinates');
    if (row.some((v) => v < 0)) throw new Error('negative label values');
  }
  const maxCls = Math.max(...rows.map((r) => Math.trunc(r[0])));
  if (maxCls > nc) throw new Error(`label class ${maxCls} exceeds dataset class count ${nc}`);
  // Duplicate rows: np.unique(axis=0, return_index=True) keeps first occurrences in sorted row order.
  const order = rows.map((_, i) => i).sort((a, b) => compareRows(rows[a], rows[b]) || a - b);
  const unique = order.filter((i, k) => k === 0 || compareRows(rows[i], rows[order[k - 1]]) !== 0);
  const keep = unique.length < rows.length ? unique : rows.map((_, i) => i);
  return {
    cls: Float32Array.from(keep, (i) => rows[i][0]),
    boxes: Float32Array.from(keep.flatMap((i) => rows[i].slice(1))),
    segments: segments.length ? keep.map((i) => segments[i]) : [],
  };
}

/** Reads one image's label file: a missing file is a background image; a bad one makes it corrupt. */
export function readLabels(file: string, nc: number): LabelRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { ok: true, labels: EMPTY, missing: true };
  }
  try {
    return { ok: true, labels: parseLabels(text, nc), missing: false };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
