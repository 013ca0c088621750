/**
 * Folds BatchNorm into the preceding convolution exactly as Ultralytics' fuse_conv_and_bn does it in
 * float32, operation by operation (Math.fround after each), so the fused weights are bit-identical to an
 * Ultralytics export:
 *   scale = gamma / sqrt(eps + var);  W' = scale * W
 *   b'    = scale * b_conv + (beta - gamma * mean / sqrt(var + eps))
 */
const f = Math.fround;

export interface BatchNorm {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  eps: number;
}

export function foldBatchNorm(
  weight: Float32Array,
  outChannels: number,
  bn: BatchNorm,
  convBias?: Float32Array,
): { weight: Float32Array; bias: Float32Array } {
  const perChannel = weight.length / outChannels;
  const eps = f(bn.eps); // torch casts the Python float to the tensor's float32
  const fused = new Float32Array(weight.length);
  const bias = new Float32Array(outChannels);
  for (let c = 0; c < outChannels; c++) {
    const std = f(Math.sqrt(f(bn.variance[c] + eps)));
    const scale = f(bn.gamma[c] / std);
    // torch.mm sums from +0, so a -0 product comes out +0: `+ 0` does the same and nothing else.
    for (let j = c * perChannel; j < (c + 1) * perChannel; j++) fused[j] = f(scale * weight[j]) + 0;
    const shift = f(bn.beta[c] - f(f(bn.gamma[c] * bn.mean[c]) / std));
    // mm(diag(scale), b_conv) + shift; without a conv bias the product is exactly +0.
    bias[c] = f((convBias ? f(scale * convBias[c]) + 0 : 0) + shift);
  }
  return { weight: fused, bias };
}
