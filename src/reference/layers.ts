// The reference for the nn layers besides convolution: ReLU, max-pool, linear and softmax
// cross-entropy as plain float64 loops, forward and backward side by side. Together with
// conv2dRef / conv2dBackwardRef they form the JS reference path that whole models are checked
// (and benchmarked) against.
import type { RefTensor } from './conv2d.js';

export interface RefArray {
  data: Float64Array;
  shape: number[];
}

/** y = max(x, 0) */
export function reluRef(x: RefTensor): RefArray {
  return { data: Float64Array.from(x.data, (v) => Math.max(v, 0)), shape: [...x.shape] };
}

/** dx = dy where y > 0, else 0 (y the ReLU's output) */
export function reluBackwardRef(dy: ArrayLike<number>, y: RefTensor): RefArray {
  return { data: Float64Array.from(y.data, (v, i) => (v > 0 ? dy[i] : 0)), shape: [...y.shape] };
}

/**
 * Max over kernel windows at stride (default: the kernel size) with padding (PyTorch's rules:
 * padded cells never win; with ceilMode the output size rounds up, but a last window may not
 * start past the input and its top/left padding); argmax holds each output's x index. A window
 * is scanned row by row from its first cell inside the input, which a later one replaces only
 * when strictly greater, as the kernels do: ties keep the first, a NaN never replaces, and a NaN
 * first element stays.
 */
export function maxPool2dRef(
  x: RefTensor, kernel: number | readonly [number, number], stride: number | readonly [number, number] = kernel,
  padding: number | readonly [number, number] = 0, ceilMode = false,
): { y: RefArray; argmax: Int32Array } {
  const [N, C, H, W] = x.shape;
  const two = (v: number | readonly [number, number]) => (typeof v === 'number' ? [v, v] : v);
  const [KH, KW] = two(kernel), [SH, SW] = two(stride), [PH, PW] = two(padding);
  const outLength = (size: number, k: number, s: number, p: number) => {
    let out = Math.floor((size + 2 * p - k + (ceilMode ? s - 1 : 0)) / s) + 1;
    if (ceilMode && (out - 1) * s >= size + p) out--;
    return out;
  };
  const OH = outLength(H, KH, SH, PH), OW = outLength(W, KW, SW, PW);
  const y = new Float64Array(N * C * OH * OW), argmax = new Int32Array(y.length);
  for (let p = 0; p < N * C; p++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        let best = NaN, at = -1;
        for (let h = oh * SH - PH; h < oh * SH - PH + KH; h++)
          for (let w = ow * SW - PW; w < ow * SW - PW + KW; w++) {
            if (h < 0 || h >= H || w < 0 || w >= W) continue;
            const xi = p * H * W + h * W + w;
            if (at < 0 || x.data[xi] > best) [best, at] = [x.data[xi], xi];
          }
        const yi = (p * OH + oh) * OW + ow;
        y[yi] = best;
        argmax[yi] = at;
      }
  return { y: { data: y, shape: [N, C, OH, OW] }, argmax };
}

/** dx[argmax[i]] += dy[i] */
export function maxPool2dBackwardRef(dy: ArrayLike<number>, argmax: Int32Array, xShape: readonly number[]): RefArray {
  const dx = new Float64Array(xShape.reduce((a, b) => a * b, 1));
  argmax.forEach((xi, yi) => (dx[xi] += dy[yi]));
  return { data: dx, shape: [...xShape] };
}

/** y[n,o] = b[o] + Σ_i x[n,i]·w[o,i]  (w [O, I], PyTorch's layout) */
export function linearRef(x: RefTensor, w: ArrayLike<number>, b: ArrayLike<number> | null, outFeatures: number): RefArray {
  const [N, I] = x.shape;
  const O = outFeatures;
  const y = new Float64Array(N * O);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < I; i++) s += x.data[n * I + i] * w[o * I + i];
      y[n * O + o] = s;
    }
  return { data: y, shape: [N, O] };
}

/** dx = dy·W, dW = dyᵀ·x, db = Σ_n dy */
export function linearBackwardRef(dy: ArrayLike<number>, x: RefTensor, w: ArrayLike<number>, outFeatures: number): { dx: RefArray; dw: Float64Array; db: Float64Array } {
  const [N, I] = x.shape;
  const O = outFeatures;
  const dx = new Float64Array(N * I), dw = new Float64Array(O * I), db = new Float64Array(O);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      const g = dy[n * O + o];
      db[o] += g;
      for (let i = 0; i < I; i++) {
        dw[o * I + i] += g * x.data[n * I + i];
        dx[n * I + i] += g * w[o * I + i];
      }
    }
  return { dx: { data: dx, shape: [N, I] }, dw, db };
}

/** Mean softmax cross-entropy over the rows of z [N, K] and its gradient ∂loss/∂z. */
export function softmaxCrossEntropyRef(z: RefTensor, labels: ArrayLike<number>, labelSmoothing = 0): { loss: number; dz: Float64Array } {
  const [N, K] = z.shape;
  const dz = new Float64Array(N * K);
  // the target distribution: (1 − ε) on the label, ε/K spread over every class
  const target = (n: number, j: number) => (1 - labelSmoothing) * (j === labels[n] ? 1 : 0) + labelSmoothing / K;
  let loss = 0;
  for (let n = 0; n < N; n++) {
    let m = -Infinity;
    for (let j = 0; j < K; j++) m = Math.max(m, z.data[n * K + j]);
    let sum = 0;
    for (let j = 0; j < K; j++) sum += Math.exp(z.data[n * K + j] - m);
    const logSumExp = Math.log(sum) + m;
    for (let j = 0; j < K; j++) loss += target(n, j) * (logSumExp - z.data[n * K + j]);
    for (let j = 0; j < K; j++) dz[n * K + j] = (Math.exp(z.data[n * K + j] - m) / sum - target(n, j)) / N;
  }
  return { loss: loss / N, dz };
}

/** y[n,c,0,0] = mean of x[n,c] over its H×W plane */
export function globalAvgPool2dRef(x: RefTensor): RefArray {
  const [N, C, H, W] = x.shape;
  const plane = H * W;
  const y = new Float64Array(N * C);
  for (let p = 0; p < N * C; p++) {
    let s = 0;
    for (let j = 0; j < plane; j++) s += x.data[p * plane + j];
    y[p] = s / plane;
  }
  return { data: y, shape: [N, C, 1, 1] };
}

/** dx[n,c,h,w] = dy[n,c] / (H·W) */
export function globalAvgPool2dBackwardRef(dy: ArrayLike<number>, xShape: readonly number[]): RefArray {
  const [N, C, H, W] = xShape;
  const plane = H * W;
  const dx = new Float64Array(N * C * plane);
  for (let p = 0; p < N * C; p++) for (let j = 0; j < plane; j++) dx[p * plane + j] = dy[p] / plane;
  return { data: dx, shape: [...xShape] };
}

/** y = a + b (same shapes) */
export function addRef(a: RefTensor, b: RefTensor): RefArray {
  return { data: Float64Array.from(a.data, (v, i) => v + b.data[i]), shape: [...a.shape] };
}
