/**
 * What the page hands back: the selection as an RGBA cut-out PNG (the image where the selection is,
 * transparent elsewhere, cropped to it), as a black-and-white mask PNG at the image size, as COCO results
 * JSON, and the same request as a curl command.
 */
import { maskToImage, type MaskFrame } from '../../masks/mask-frame';
import { encodeMask, type Everything } from './masks';
import type { Selected } from './selection';

/** The selection's pixels as a white-on-transparent canvas at the image size. */
function selectionAlpha(selection: Selected[], everything: Everything): HTMLCanvasElement {
  const { frame } = everything;
  const [mh, mw] = frame.shape;
  const [h0, w0] = frame.origShape;
  const small = document.createElement('canvas');
  small.width = mw;
  small.height = mh;
  const sctx = small.getContext('2d')!;
  const image = sctx.createImageData(mw, mh);
  for (const { bitmap: m } of selection) {
    for (let y = 0; y < m.height; y++) {
      for (let x = 0; x < m.width; x++) if (m.data[y * m.width + x]) image.data.set([255, 255, 255, 255], ((m.y + y) * mw + m.x + x) * 4);
    }
  }
  sctx.putImageData(image, 0, 0);
  const full = document.createElement('canvas');
  full.width = w0;
  full.height = h0;
  const ctx = full.getContext('2d')!;
  ctx.imageSmoothingEnabled = frame.gain !== 1; // letterboxed masks are upsampled smoothly; retina ones stay exact
  ctx.drawImage(small, -frame.padX / frame.gain, -frame.padY / frame.gain, mw / frame.gain, mh / frame.gain);
  return full;
}

/** The selection's extent in image pixels, integer and inside the image. */
function selectionBounds(selection: Selected[], frame: MaskFrame): [number, number, number, number] | undefined {
  const [h0, w0] = frame.origShape;
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const { bitmap: m } of selection) {
    if (m.width === 0) continue;
    const [ax, ay] = maskToImage(frame, m.x, m.y);
    const [bx, by] = maskToImage(frame, m.x + m.width, m.y + m.height);
    x1 = Math.min(x1, ax);
    y1 = Math.min(y1, ay);
    x2 = Math.max(x2, bx);
    y2 = Math.max(y2, by);
  }
  if (x2 < x1) return undefined;
  return [Math.max(0, Math.floor(x1)), Math.max(0, Math.floor(y1)), Math.min(w0, Math.ceil(x2)), Math.min(h0, Math.ceil(y2))];
}

const toBlob = (canvas: HTMLCanvasElement) =>
  new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));

export async function cutoutPng(image: CanvasImageSource, selection: Selected[], everything: Everything): Promise<Blob> {
  const alpha = selectionAlpha(selection, everything);
  const [x1, y1, x2, y2] = selectionBounds(selection, everything.frame) ?? [0, 0, 1, 1];
  const out = document.createElement('canvas');
  out.width = Math.max(1, x2 - x1);
  out.height = Math.max(1, y2 - y1);
  const ctx = out.getContext('2d')!;
  ctx.drawImage(alpha, -x1, -y1);
  ctx.globalCompositeOperation = 'source-in';
  ctx.drawImage(image, -x1, -y1);
  return toBlob(out);
}

export async function maskPng(selection: Selected[], everything: Everything): Promise<Blob> {
  const alpha = selectionAlpha(selection, everything);
  const out = document.createElement('canvas');
  out.width = alpha.width;
  out.height = alpha.height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(alpha, 0, 0);
  return toBlob(out);
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** COCO results: xywh boxes, scores, masks as compressed RLE at the mask size. */
export function cocoJson(selection: Selected[], everything: Everything, imageId: string): string {
  const results = selection.map((s) => {
    const [x1, y1, x2, y2] = s.box;
    const mask = s.index !== undefined ? everything.detections[s.index].mask! : encodeMask(s.bitmap, everything.shape);
    return {
      image_id: imageId,
      category_id: s.class,
      category_name: s.name,
      bbox: [round(x1, 3), round(y1, 3), round(x2 - x1, 3), round(y2 - y1, 3)],
      score: round(s.score, 5),
      segmentation: mask,
    };
  });
  return JSON.stringify(results, null, 1);
}

export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const shellQuote = (value: string) => (/^[\w.,:/=@+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

/** The same request from a shell: one -F per field. */
export function curlCommand(origin: string, fileName: string, fields: Record<string, string>): string {
  const parts = [`curl -s -F ${shellQuote(`image=@${fileName}`)}`];
  for (const [key, value] of Object.entries(fields)) parts.push(`-F ${shellQuote(`${key}=${value}`)}`);
  parts.push(`${origin}/v1/segment`);
  return parts.join(' \\\n  ');
}
