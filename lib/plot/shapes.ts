/** SVG fragments for what plots draw as vectors: boxes, points, labels. */
import { escapeXml, type Rgb, rgbCss } from './canvas';

export function boxSvg(box: ArrayLike<number>, colour: Rgb, width: number): string {
  const [x1, y1, x2, y2] = Array.from(box);
  return `<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}" fill="none" stroke="${rgbCss(colour)}" stroke-width="${width}" shape-rendering="crispEdges"/>`;
}

export function pointSvg(x: number, y: number, colour: Rgb, radius: number): string {
  return `<circle cx="${x}" cy="${y}" r="${radius}" fill="${rgbCss(colour)}"/>`;
}

/** A filled label tag above the box's top-left corner (inside the image when there is no room). */
export function labelSvg(text: string, x: number, y: number, background: Rgb, fontSize: number): string {
  const w = Math.ceil(text.length * fontSize * 0.6) + 4;
  const h = Math.ceil(fontSize * 1.3);
  const top = y - h >= 0 ? y - h : y;
  return (
    `<rect x="${x}" y="${top}" width="${w}" height="${h}" fill="${rgbCss(background)}"/>` +
    `<text x="${x + 2}" y="${top + h - Math.ceil(fontSize * 0.3)}" font-family="DejaVu Sans, sans-serif" font-size="${fontSize}" fill="white">${escapeXml(text)}</text>`
  );
}
