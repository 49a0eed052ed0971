// The shared body of conv1d/conv2d and their backward passes: validate → normalise options →
// geometry → run the kernel sequence. The 1-D and 2-D entry points differ only in their spec.
import { requireBackend } from '../runtime.js';
import { refuseActivation } from './activation.js';
import { checkShape, formatShape, type Tensor } from '../tensor.js';
import { convBackward, convFilterGradient, convForward, convInputGradient, threadsOf } from './execute.js';
import { checkBias, checkOutputGradient, checkTensor, convGeometry } from './geometry.js';
import type { ConvParams } from './options.js';
import { convAlgorithms, type ConvAlgorithms } from './passes/index.js';

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
  const geometry = convGeometry(op, x.shape, w.shape, backwardParams(op, spec.parseOptions(op, opts)));
  checkOutputGradient(op, dy, geometry, x.shape, w.shape);
  const g = convBackward(op, backend, geometry, dy.data, x.data, w.data);
  return {
    dx: { data: g.dx, shape: [...x.shape] },
    dw: { data: g.dw, shape: [...w.shape] },
    db: { data: g.db, shape: [geometry.outChannels] },
  };
}

/** dx alone: the shape of x stands in for x, which dx does not depend on. */
export function convolveBackwardInput<Options>(spec: ConvSpec<Options>, dy: Tensor, w: Tensor, xShape: readonly number[], opts: Options | undefined): Tensor {
  const op = `${spec.name}BackwardInput`;
  const backend = requireBackend(op);
  checkShapeArgument(op, 'xShape', xShape, spec.rank, spec.xLayout);
  checkTensor(op, 'w', w, spec.rank, spec.wLayout);
  const geometry = convGeometry(op, xShape, w.shape, backwardParams(op, spec.parseOptions(op, opts)));
  checkOutputGradient(op, dy, geometry, xShape, w.shape);
  return { data: convInputGradient(op, backend, geometry, dy.data, w.data), shape: [...xShape] };
}

/** dw and db alone: the shape of w stands in for w, which they do not depend on. */
export function convolveBackwardFilter<Options>(spec: ConvSpec<Options>, dy: Tensor, x: Tensor, wShape: readonly number[], opts: Options | undefined): { dw: Tensor; db: Tensor } {
  const op = `${spec.name}BackwardFilter`;
  const backend = requireBackend(op);
  checkTensor(op, 'x', x, spec.rank, spec.xLayout);
  checkShapeArgument(op, 'wShape', wShape, spec.rank, spec.wLayout);
  const geometry = convGeometry(op, x.shape, wShape, backwardParams(op, spec.parseOptions(op, opts)));
  checkOutputGradient(op, dy, geometry, x.shape, wShape);
  const wFloats = wShape.reduce((a, b) => a * b, 1);
  const g = convFilterGradient(op, backend, geometry, dy.data, x.data, wFloats);
  return { dw: { data: g.dw, shape: [...wShape] }, db: { data: g.db, shape: [geometry.outChannels] } };
}

/** Which kernels a conv of these shapes and options runs for each pass, on how many threads (nothing is computed). */
export function convolveAlgorithms<Options>(spec: ConvSpec<Options>, xShape: readonly number[], wShape: readonly number[], opts: Options | undefined): ConvAlgorithms {
  const op = `${spec.name}Algorithms`;
  const backend = requireBackend(op);
  checkShapeArgument(op, 'xShape', xShape, spec.rank, spec.xLayout);
  checkShapeArgument(op, 'wShape', wShape, spec.rank, spec.wLayout);
  return convAlgorithms(convGeometry(op, xShape, wShape, spec.parseOptions(op, opts)), threadsOf(op, backend));
}

/** The options of a backward call: the activation option (forward only) is an Error. */
function backwardParams(op: string, params: ConvParams): ConvParams {
  refuseActivation(op, params.clamp);
  return params;
}

function checkShapeArgument(op: string, name: string, shape: unknown, rank: number, layout: string): asserts shape is number[] {
  checkShape(op, name, shape);
  if (shape.length !== rank) {
    throw new Error(`${op}: ${name} must have rank ${rank} (${layout}), got ${formatShape(shape)}`);
  }
}
