/**
 * Python's round() on a number: halves go to the even neighbour (round(0.5) = 0, round(1.5) = 2). The one
 * copy in TypeScript, for the rules that stay in TS (prompt boxes, CLIP's centre crop, model.yaml depths);
 * the native core has its own for the letterbox and scale_boxes (native/core/geometry.h). Pure: bundles
 * for the browser with the prompt rules.
 */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
