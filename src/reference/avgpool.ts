// AvgPool2d as plain float64 loops, PyTorch's definition (torch.nn.AvgPool2d with padding,
// ceil_mode and count_include_pad).
import type { RefTensor } from './conv2d.js';
import type { RefArray } from './layers.js';

export interface AvgPoolRefOptions {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  ceilMode: boolean;
  countIncludePad: boolean;
}

function outLength(size: number, k: number, s: number, p: number, ceil: boolean): number {
  let out = (ceil ? Math.ceil((size + 2 * p - k) / s) : Math.floor((size + 2 * p - k) / s)) + 1;
  // the last window must start inside the input or its left padding
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

/** For each output: the input window [h0, h1) × [w0, w1) it sums and its divisor. */
function windows(xShape: readonly number[], o: AvgPoolRefOptions) {
  const [, , H, W] = xShape;
  const OH = outLength(H, o.kernel[0], o.stride[0], o.padding[0], o.ceilMode);
  const OW = outLength(W, o.kernel[1], o.stride[1], o.padding[1], o.ceilMode);
  const list: Array<{ h0: number; h1: number; w0: number; w1: number; divisor: number }> = [];
  for (let oh = 0; oh < OH; oh++)
    for (let ow = 0; ow < OW; ow++) {
      let h0 = oh * o.stride[0] - o.padding[0], w0 = ow * o.stride[1] - o.padding[1];
      let h1 = Math.min(h0 + o.kernel[0], H + o.padding[0]), w1 = Math.min(w0 + o.kernel[1], W + o.padding[1]);
      const poolSize = (h1 - h0) * (w1 - w0);
      h0 = Math.max(h0, 0);
      w0 = Math.max(w0, 0);
      h1 = Math.min(h1, H);
      w1 = Math.min(w1, W);
      list.push({ h0, h1, w0, w1, divisor: o.countIncludePad ? poolSize : (h1 - h0) * (w1 - w0) });
    }
  return { OH, OW, list };
}

export function avgPool2dRef(x: RefTensor, opts: AvgPoolRefOptions): RefArray {
  const [N, C, H, W] = x.shape;
  const { OH, OW, list } = windows(x.shape, opts);
  const y = new Float64Array(N * C * OH * OW);
  for (let p = 0; p < N * C; p++)
    list.forEach(({ h0, h1, w0, w1, divisor }, j) => {
      let s = 0;
      for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) s += x.data[p * H * W + h * W + w];
      y[p * OH * OW + j] = s / divisor;
    });
  return { data: y, shape: [N, C, OH, OW] };
}

export function avgPool2dBackwardRef(dy: ArrayLike<number>, xShape: readonly number[], opts: AvgPoolRefOptions): RefArray {
  const [N, C, H, W] = xShape;
  const { OH, OW, list } = windows(xShape, opts);
  const dx = new Float64Array(N * C * H * W);
  for (let p = 0; p < N * C; p++)
    list.forEach(({ h0, h1, w0, w1, divisor }, j) => {
      for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) dx[p * H * W + h * W + w] += dy[p * OH * OW + j] / divisor;
    });
  return { data: dx, shape: [...xShape] };
}
