/** YOLO segmentation label lines: `class x1 y1 x2 y2 ...` with coordinates normalised to [0, 1]. */

/** Python's '%g': 6 significant digits, no trailing zeros. */
export function formatG(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs < 1e-4 || abs >= 1e6) {
    const [mantissa, exponent] = value.toExponential(5).split('e');
    const m = mantissa.replace(/\.?0+$/, '');
    const e = Number(exponent);
    return `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return String(Number(value.toPrecision(6)));
}

/** One line per detection with a non-empty polygon (normalised); `conf` appended when given (save_conf). */
export function toYoloLines(cls: Float32Array, polygonsNormalized: Float32Array[], conf?: Float32Array): string[] {
  const lines: string[] = [];
  polygonsNormalized.forEach((polygon, i) => {
    if (polygon.length < 6) return; // fewer than 3 points is not a polygon
    const values = [cls[i], ...Array.from(polygon), ...(conf ? [conf[i]] : [])];
    lines.push(values.map(formatG).join(' '));
  });
  return lines;
}
