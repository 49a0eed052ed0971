// BatchNorm2d as plain float64 loops, PyTorch's definitions (torch.nn.BatchNorm2d): batch
// statistics with the biased variance in training, the unbiased one in the running variance,
// eps inside the square root; running statistics in evaluation.
import type { RefTensor } from './conv2d.js';
import type { RefArray } from './layers.js';

export interface BatchNormRefOptions {
  training: boolean;
  runningMean: ArrayLike<number>;
  runningVar: ArrayLike<number>;
  /** default 0.1 */
  momentum?: number;
  /** default 1e-5 */
  eps?: number;
}

export interface BatchNormRefResult {
  y: RefArray;
  /** the statistics y was normalised with (batch mean and biased variance, or the running ones) */
  mean: Float64Array;
  variance: Float64Array;
  /** the running statistics after the pass (unchanged in evaluation) */
  runningMean: Float64Array;
  runningVar: Float64Array;
}

/** y = γ·(x − mean)/√(var + eps) + β per channel of x [N, C, H, W]. */
export function batchNorm2dRef(x: RefTensor, gamma: ArrayLike<number>, beta: ArrayLike<number>, opts: BatchNormRefOptions): BatchNormRefResult {
  const [N, C, H, W] = x.shape;
  const plane = H * W, M = N * plane;
  const momentum = opts.momentum ?? 0.1, eps = opts.eps ?? 1e-5;
  const mean = new Float64Array(C), variance = new Float64Array(C);
  const runningMean = Float64Array.from(opts.runningMean), runningVar = Float64Array.from(opts.runningVar);
  for (let c = 0; c < C; c++) {
    if (opts.training) {
      let s = 0;
      for (let n = 0; n < N; n++) for (let j = 0; j < plane; j++) s += x.data[(n * C + c) * plane + j];
      mean[c] = s / M;
      let q = 0;
      for (let n = 0; n < N; n++) for (let j = 0; j < plane; j++) q += (x.data[(n * C + c) * plane + j] - mean[c]) ** 2;
      variance[c] = q / M;
      runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c];
      runningVar[c] = (1 - momentum) * runningVar[c] + momentum * (q / (M - 1));
    } else {
      mean[c] = opts.runningMean[c];
      variance[c] = opts.runningVar[c];
    }
  }
  const y = new Float64Array(x.data.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const scale = gamma[c] / Math.sqrt(variance[c] + eps);
      for (let j = 0; j < plane; j++) {
        const i = (n * C + c) * plane + j;
        y[i] = (x.data[i] - mean[c]) * scale + beta[c];
      }
    }
  return { y: { data: y, shape: [...x.shape] }, mean, variance, runningMean, runningVar };
}

/**
 * The gradients of batchNorm2dRef for dy = ∂L/∂y. In training the mean and variance are
 * functions of x, which gives dx its two extra terms; in evaluation they are constants.
 */
export function batchNorm2dBackwardRef(
  dy: ArrayLike<number>, x: RefTensor, gamma: ArrayLike<number>, forward: BatchNormRefResult, opts: { training: boolean; eps?: number },
): { dx: RefArray; dgamma: Float64Array; dbeta: Float64Array } {
  const [N, C, H, W] = x.shape;
  const plane = H * W, M = N * plane;
  const eps = opts.eps ?? 1e-5;
  const dx = new Float64Array(x.data.length), dgamma = new Float64Array(C), dbeta = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const invStd = 1 / Math.sqrt(forward.variance[c] + eps);
    const xhat = (i: number) => (x.data[i] - forward.mean[c]) * invStd;
    for (let n = 0; n < N; n++)
      for (let j = 0; j < plane; j++) {
        const i = (n * C + c) * plane + j;
        dbeta[c] += dy[i];
        dgamma[c] += dy[i] * xhat(i);
      }
    for (let n = 0; n < N; n++)
      for (let j = 0; j < plane; j++) {
        const i = (n * C + c) * plane + j;
        const g = gamma[c] * invStd;
        dx[i] = opts.training ? g * (dy[i] - dbeta[c] / M - (xhat(i) * dgamma[c]) / M) : g * dy[i];
      }
  }
  return { dx: { data: dx, shape: [...x.shape] }, dgamma, dbeta };
}
