// The shared body of conv1d/conv2d and their backward passes: validate → normalise options →
// geometry → run the kernel sequence. The 1-D and 2-D entry points differ only in their spec.
import { requireBackend } from '../runtime.js';
import type { Tensor } from '../tensor.js';
import { convBackward, convForward } from './execute.js';
import { checkBias, checkOutputGradient, checkTensor, convGeometry } from './geometry.js';
import type { ConvParams } from './options.js';

export interface ConvSpec<Options> {
  name: string;
  rank: number;
  xLayout: string;
  wLayout: string;
  parseOptions(op: string, opts: Options | undefined): ConvParams;
}

export interface ConvGradients {
  dx: Tensor;
  dw: Tensor;
  db: Tensor;
}

export function convolve<Options>(spec: ConvSpec<Options>, x: Tensor, w: Tensor, bias: Tensor | null | undefined, opts: Options | undefined): Tensor {
  const op = spec.name;
  const backend = requireBackend(op);
  checkTensor(op, 'x', x, spec.rank, spec.xLayout);
  checkTensor(op, 'w', w, spec.rank, spec.wLayout);
  const geometry = convGeometry(op, x.shape, w.shape, spec.parseOptions(op, opts));
  const b = checkBias(op, bias, geometry.outChannels, w.shape);
  const y = convForward(op, backend, geometry, x.data, w.data, b ? b.data : null);
  return { data: y, shape: geometry.outShape };
}

export function convolveBackward<Options>(spec: ConvSpec<Options>, dy: Tensor, x: Tensor, w: Tensor, opts: Options | undefined): ConvGradients {
  const op = `${spec.name}Backward`;
  const backend = requireBackend(op);
  checkTensor(op, 'x', x, spec.rank, spec.xLayout);
  checkTensor(op, 'w', w, spec.rank, spec.wLayout);
  const geometry = convGeometry(op, x.shape, w.shape, spec.parseOptions(op, opts));
  checkOutputGradient(op, dy, geometry, x.shape, w.shape);
  const g = convBackward(op, backend, geometry, dy.data, x.data, w.data);
  return {
    dx: { data: g.dx, shape: [...x.shape] },
    dw: { data: g.dw, shape: [...w.shape] },
    db: { data: g.db, shape: [geometry.outChannels] },
  };
}
