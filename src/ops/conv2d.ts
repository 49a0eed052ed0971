// conv2d and conv2dBackward: validate → normalise options → run the kernel sequence.
import { requireBackend } from '../runtime.js';
import type { Tensor } from '../tensor.js';
import { convBackward, convForward } from './execute.js';
import { checkBias, checkOutputGradient, checkTensor, convGeometry } from './geometry.js';
import { parseConv2dOptions, type Conv2dOptions } from './options.js';

/** y[N,O,OH,OW] = x[N,C,H,W] ⋆ w[O,C/groups,KH,KW] (+ bias[O]). */
export function conv2d(x: Tensor, w: Tensor, bias?: Tensor | null, opts?: Conv2dOptions): Tensor {
  const op = 'conv2d';
  const backend = requireBackend(op);
  checkTensor(op, 'x', x, 4, '[N,C,H,W]');
  checkTensor(op, 'w', w, 4, '[O,C/groups,KH,KW]');
  const geometry = convGeometry(op, x.shape, w.shape, parseConv2dOptions(op, opts));
  const b = checkBias(op, bias, geometry.outChannels, w.shape);
  const y = convForward(op, backend, geometry, x.data, w.data, b ? b.data : null);
  return { data: y, shape: geometry.outShape };
}

/** Gradients of conv2d given dy = ∂L/∂y: dx, and dw and db summed over the batch. */
export function conv2dBackward(dy: Tensor, x: Tensor, w: Tensor, opts?: Conv2dOptions): { dx: Tensor; dw: Tensor; db: Tensor } {
  const op = 'conv2dBackward';
  const backend = requireBackend(op);
  checkTensor(op, 'x', x, 4, '[N,C,H,W]');
  checkTensor(op, 'w', w, 4, '[O,C/groups,KH,KW]');
  const geometry = convGeometry(op, x.shape, w.shape, parseConv2dOptions(op, opts));
  checkOutputGradient(op, dy, geometry, x.shape, w.shape);
  const g = convBackward(op, backend, geometry, dy.data, x.data, w.data);
  return {
    dx: { data: g.dx, shape: [...x.shape] },
    dw: { data: g.dw, shape: [...w.shape] },
    db: { data: g.db, shape: [geometry.outChannels] },
  };
}
