// conv1d and conv1dBackward: NCL activations, [O, C/groups, K] weights. The kernels see a
// 2-D convolution with a unit height axis.
import type { Tensor } from '../tensor.js';
import { convolve, convolveAlgorithms, convolveBackward, convolveBackwardFilter, convolveBackwardInput, type ConvGradients, type ConvSpec } from './conv.js';
import type { ConvAlgorithms } from './passes/index.js';
import { prepareConv, type PreparedConv } from './prepared.js';
import { parseConv1dOptions, type Conv1dOptions } from './options.js';

const CONV1D: ConvSpec<Conv1dOptions> = {
  name: 'conv1d',
  rank: 3,
  xLayout: '[N,C,L]',
  wLayout: '[O,C/groups,K]',
  parseOptions: parseConv1dOptions,
};

/** y[N,O,OL] = x[N,C,L] ⋆ w[O,C/groups,K] (+ bias[O]). */
export function conv1d(x: Tensor, w: Tensor, bias?: Tensor | null, opts?: Conv1dOptions): Tensor {
  return convolve(CONV1D, x, w, bias, opts);
}

/** Gradients of conv1d given dy = ∂L/∂y: dx, and dw and db summed over the batch. */
export function conv1dBackward(dy: Tensor, x: Tensor, w: Tensor, opts?: Conv1dOptions): ConvGradients {
  return convolveBackward(CONV1D, dy, x, w, opts);
}

/** dx alone, given dy and w; x's shape stands in for x (dx does not depend on x). */
export function conv1dBackwardInput(dy: Tensor, w: Tensor, xShape: readonly number[], opts?: Conv1dOptions): Tensor {
  return convolveBackwardInput(CONV1D, dy, w, xShape, opts);
}

/** dw and db alone (summed over the batch), given dy and x; w's shape stands in for w. */
export function conv1dBackwardFilter(dy: Tensor, x: Tensor, wShape: readonly number[], opts?: Conv1dOptions): { dw: Tensor; db: Tensor } {
  return convolveBackwardFilter(CONV1D, dy, x, wShape, opts);
}

/**
 * w [O,C/groups,K] and bias [O] kept in Wasm memory, transformed or packed once, for repeated
 * conv1d(x, w, bias, opts) calls: `run(x)` gives the same result bit for bit; `dispose()` frees it.
 */
export function prepareConv1d(w: Tensor, bias?: Tensor | null, opts?: Conv1dOptions): PreparedConv {
  return prepareConv(CONV1D, w, bias, opts);
}

/**
 * Which kernels conv1d(x, w, bias, opts) and its gradients run for these shapes on the current
 * backend ('winograd', 'gemm', 'pointwise' or 'depthwise' per pass) and on how many threads;
 * nothing is computed. The same Errors as conv1d for shapes or options it would refuse.
 */
export function conv1dAlgorithms(xShape: readonly number[], wShape: readonly number[], opts?: Conv1dOptions): ConvAlgorithms {
  return convolveAlgorithms(CONV1D, xShape, wShape, opts);
}
