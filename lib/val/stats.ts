/** Per-image match results gathered over a validation run (the validator's `stats` list). */
import type { ValStats } from './metrics/segment-metrics';

export class StatsAccumulator {
  private readonly tpBox: Uint8Array[] = [];
  private readonly tpMask: Uint8Array[] = [];
  private readonly conf: Float32Array[] = [];
  private readonly predCls: Float32Array[] = [];
  private readonly targetCls: Float32Array[] = [];
  images = 0;

  constructor(private readonly T: number) {}

  /** One image; an image with neither predictions nor labels adds nothing but counts as seen. */
  addImage(tpBox: Uint8Array, tpMask: Uint8Array, conf: Float32Array, predCls: Float32Array, targetCls: Float32Array): void {
    this.images++;
    if (conf.length === 0 && targetCls.length === 0) return;
    this.tpBox.push(tpBox);
    this.tpMask.push(tpMask);
    this.conf.push(conf);
    this.predCls.push(predCls);
    this.targetCls.push(targetCls);
  }

  get instances(): number {
    return this.targetCls.reduce((n, c) => n + c.length, 0);
  }

  finish(): ValStats {
    const join = <A extends Uint8Array | Float32Array>(parts: A[], make: (n: number) => A): A => {
      const out = make(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    };
    return {
      tpBox: join(this.tpBox, (n) => new Uint8Array(n)),
      tpMask: join(this.tpMask, (n) => new Uint8Array(n)),
      conf: join(this.conf, (n) => new Float32Array(n)),
      predCls: join(this.predCls, (n) => new Float32Array(n)),
      targetCls: join(this.targetCls, (n) => new Float32Array(n)),
      T: this.T,
    };
  }
}
