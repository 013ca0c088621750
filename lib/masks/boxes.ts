/** Detection boxes in original-image pixels, as flat typed arrays (n x 4, n, n). */
import { FastSAMError } from '../errors';

/** A result's detection boxes in original image pixels, as flat typed arrays (Ultralytics' `Boxes`). */
export class Boxes {
  constructor(
    /** n x 4: x1, y1, x2, y2. */
    readonly xyxy: Float32Array,
    /** Confidence of each box, in [0, 1]. */
    readonly conf: Float32Array,
    /** Class indices (as float, like Ultralytics). */
    readonly cls: Float32Array,
    /** [height, width] of the original image, for the normalised forms. */
    readonly origShape: [number, number],
  ) {}

  /** Number of boxes. */
  get length(): number {
    return this.conf.length;
  }

  /** n x 4: centre x, centre y, width, height. */
  get xywh(): Float32Array {
    const out = new Float32Array(this.xyxy.length);
    for (let i = 0; i < this.length; i++) {
      const [x1, y1, x2, y2] = this.xyxy.subarray(i * 4, i * 4 + 4);
      out.set([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], i * 4);
    }
    return out;
  }

  /** n x 4: x1, y1, x2, y2 divided by the image width and height (in [0, 1]). */
  get xyxyn(): Float32Array {
    return this.normalise(this.xyxy);
  }

  /** n x 4: centre x, centre y, width, height divided by the image width and height. */
  get xywhn(): Float32Array {
    return this.normalise(this.xywh);
  }

  /** n x 6 rows [x1, y1, x2, y2, conf, cls], Ultralytics' boxes.data. */
  get data(): Float32Array {
    const out = new Float32Array(this.length * 6);
    for (let i = 0; i < this.length; i++) {
      out.set(this.xyxy.subarray(i * 4, i * 4 + 4), i * 6);
      out[i * 6 + 4] = this.conf[i];
      out[i * 6 + 5] = this.cls[i];
    }
    return out;
  }

  /** The boxes at `indices`, in that order. Throws E_BAD_OPTION for an index out of range. */
  select(indices: ArrayLike<number>): Boxes {
    const rows = Array.from(indices);
    const xyxy = new Float32Array(rows.length * 4);
    const conf = new Float32Array(rows.length);
    const cls = new Float32Array(rows.length);
    rows.forEach((row, i) => {
      if (!Number.isInteger(row) || row < 0 || row >= this.length) {
        throw new FastSAMError('E_BAD_OPTION', `box index ${row} is out of range [0, ${this.length})`);
      }
      xyxy.set(this.xyxy.subarray(row * 4, row * 4 + 4), i * 4);
      conf[i] = this.conf[row];
      cls[i] = this.cls[row];
    });
    return new Boxes(xyxy, conf, cls, this.origShape);
  }

  private normalise(values: Float32Array): Float32Array {
    const [h, w] = this.origShape;
    return values.map((v, i) => (i % 2 === 0 ? v / w : v / h));
  }
}
