// conv2d and conv2dBackward: NCHW activations, [O, C/groups, KH, KW] weights.
import type { Tensor } from '../tensor.js';
import { convolve, convolveBackward, type ConvGradients, type ConvSpec } from './conv.js';
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
