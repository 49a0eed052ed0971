// conv2d and conv2dBackward: NCHW activations, [O, C/groups, KH, KW] weights.
import type { Tensor } from '../tensor.js';
import { convolve, convolveAlgorithms, convolveBackward, convolveBackwardFilter, convolveBackwardInput, type ConvGradients, type ConvSpec } from './conv.js';
import type { ConvAlgorithms } from './passes/index.js';
import { prepareConv, type PreparedConv } from './prepared.js';
import { parseConv2dOptions, type Conv2dOptions } from './options.js';

const CONV2D: ConvSpec<Conv2dOptions> = {
  name: 'conv2d',
  rank: 4,
  xLayout: '[N,C,H,W]',
  wLayout: '[O,C/groups,KH,KW]',
  parseOptions: parseConv2dOptions,
};

/** y[N,O,OH,OW] = x[N,C,H,W] ⋆ w[O,C/groups,KH,KW] (+ bias[O]). */
export function conv2d(x: Tensor, w: Tensor, bias?: Tensor | null, opts?: Conv2dOptions): Tensor {
  return convolve(CONV2D, x, w, bias, opts);
}

/** Gradients of conv2d given dy = ∂L/∂y: dx, and dw and db summed over the batch. */
export function conv2dBackward(dy: Tensor, x: Tensor, w: Tensor, opts?: Conv2dOptions): ConvGradients {
  return convolveBackward(CONV2D, dy, x, w, opts);
}

/** dx alone, given dy and w; x's shape stands in for x (dx does not depend on x). */
export function conv2dBackwardInput(dy: Tensor, w: Tensor, xShape: readonly number[], opts?: Conv2dOptions): Tensor {
  return convolveBackwardInput(CONV2D, dy, w, xShape, opts);
}

/** dw and db alone (summed over the batch), given dy and x; w's shape stands in for w. */
export function conv2dBackwardFilter(dy: Tensor, x: Tensor, wShape: readonly number[], opts?: Conv2dOptions): { dw: Tensor; db: Tensor } {
  return convolveBackwardFilter(CONV2D, dy, x, wShape, opts);
}

/**
 * w [O,C/groups,KH,KW] and bias [O] kept in Wasm memory, transformed or packed once, for repeated
 * conv2d(x, w, bias, opts) calls: `run(x)` gives the same result bit for bit; `dispose()` frees it.
 */
export function prepareConv2d(w: Tensor, bias?: Tensor | null, opts?: Conv2dOptions): PreparedConv {
  return prepareConv(CONV2D, w, bias, opts);
}

/**
 * Which kernels conv2d(x, w, bias, opts) and its gradients run for these shapes on the current
 * backend ('winograd', 'gemm', 'pointwise' or 'depthwise' per pass) and on how many threads;
 * nothing is computed. The same Errors as conv2d for shapes or options it would refuse.
 */
export function conv2dAlgorithms(xShape: readonly number[], wShape: readonly number[], opts?: Conv2dOptions): ConvAlgorithms {
  return convolveAlgorithms(CONV2D, xShape, wShape, opts);
}
