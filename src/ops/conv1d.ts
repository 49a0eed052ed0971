// conv1d and conv1dBackward: the same kernels as 2-D, with a unit height axis.
import { requireBackend } from '../runtime.js';
import type { Tensor } from '../tensor.js';
import { convBackward, convForward } from './execute.js';
import { checkBias, checkOutputGradient, checkTensor, convGeometry } from './geometry.js';
import { parseConv1dOptions, type Conv1dOptions } from './options.js';

/** y[N,O,OL] = x[N,C,L] ⋆ w[O,C/groups,K] (+ bias[O]). */
export function conv1d(x: Tensor, w: Tensor, bias?: Tensor | null, opts?: Conv1dOptions): Tensor {
  const op = 'conv1d';
  const backend = requireBackend(op);
  checkTensor(op, 'x', x, 3, '[N,C,L]');
  checkTensor(op, 'w', w, 3, '[O,C/groups,K]');
  const geometry = convGeometry(op, x.shape, w.shape, parseConv1dOptions(op, opts));
  const b = checkBias(op, bias, geometry.outChannels, w.shape);
  const y = convForward(op, backend, geometry, x.data, w.data, b ? b.data : null);
  return { data: y, shape: geometry.outShape };
}

/** Gradients of conv1d given dy = ∂L/∂y: dx, and dw and db summed over the batch. */
export function conv1dBackward(dy: Tensor, x: Tensor, w: Tensor, opts?: Conv1dOptions): { dx: Tensor; dw: Tensor; db: Tensor } {
  const op = 'conv1dBackward';
  const backend = requireBackend(op);
  checkTensor(op, 'x', x, 3, '[N,C,L]');
  checkTensor(op, 'w', w, 3, '[O,C/groups,K]');
  const geometry = convGeometry(op, x.shape, w.shape, parseConv1dOptions(op, opts));
  checkOutputGradient(op, dy, geometry, x.shape, w.shape);
  const g = convBackward(op, backend, geometry, dy.data, x.data, w.data);
  return {
    dx: { data: g.dx, shape: [...x.shape] },
    dw: { data: g.dw, shape: [...w.shape] },
    db: { data: g.db, shape: [geometry.outChannels] },
  };
}
