// One helper checks a whole convolution case on the active backend: forward (with or without
// bias) and every gradient against the reference, within the roundoff bound of tolerance.ts.
import { conv1d, conv1dBackward, conv1dBackwardFilter, conv1dBackwardInput, conv2d, conv2dBackward, conv2dBackwardFilter, conv2dBackwardInput, type Conv1dOptions, type Conv2dOptions, type ConvGradients, type Tensor } from '../../src/index.js';
import { conv1dBackwardRef, conv1dRef, conv2dBackwardRef, conv2dRef, type RefTensor } from '../../src/reference/index.js';
import { product, randomData, seededRandom } from './random.js';
import { absolute, expectWithinRoundoff } from './tolerance.js';

export interface ConvCase {
  xShape: number[];
  wShape: number[];
  bias: boolean;
  opts: Conv2dOptions | Conv1dOptions;
  seed: number;
}

/** Worst error seen so far, in units of roundoff, per ISA (reported in the closing note). */
export const worstSeen = new Map<string, number>();

export function describeCase(c: ConvCase): string {
  return `case: x [${c.xShape}], w [${c.wShape}], bias ${c.bias}, opts ${JSON.stringify(c.opts)}, data seed ${c.seed}`;
}

/** The library's and the reference's functions for a case's rank, with the options typed loosely. */
type Opts = Conv2dOptions & Conv1dOptions;
interface Ops {
  forward(x: Tensor, w: Tensor, bias: Tensor | null, opts: Opts): Tensor;
  backward(dy: Tensor, x: Tensor, w: Tensor, opts: Opts): ConvGradients;
  backwardInput(dy: Tensor, w: Tensor, xShape: number[], opts: Opts): Tensor;
  backwardFilter(dy: Tensor, x: Tensor, wShape: number[], opts: Opts): { dw: Tensor; db: Tensor };
  forwardRef(x: RefTensor, w: RefTensor, bias: ArrayLike<number> | null, opts: Opts): { data: Float64Array; shape: number[] };
  backwardRef(dy: RefTensor, x: RefTensor, w: RefTensor, opts: Opts): Record<'dx' | 'dw' | 'db', { data: Float64Array; shape: number[] }>;
}
const OPS_2D: Ops = {
  forward: conv2d, backward: conv2dBackward, backwardInput: conv2dBackwardInput, backwardFilter: conv2dBackwardFilter,
  forwardRef: conv2dRef, backwardRef: conv2dBackwardRef,
};
const OPS_1D: Ops = {
  forward: conv1d, backward: conv1dBackward, backwardInput: conv1dBackwardInput, backwardFilter: conv1dBackwardFilter,
  forwardRef: conv1dRef, backwardRef: conv1dBackwardRef,
};

export function checkConvCase(isa: string, c: ConvCase): void {
  const ops = c.xShape.length === 4 ? OPS_2D : OPS_1D;
  const opts = c.opts as Opts;
  const random = seededRandom(c.seed);
  const x = { data: randomData(product(c.xShape), random), shape: c.xShape };
  const w = { data: randomData(product(c.wShape), random), shape: c.wShape };
  const outChannels = c.wShape[0];
  const bias = c.bias ? { data: randomData(outChannels, random), shape: [outChannels] } : null;
  const xCopy = x.data.slice(), wCopy = w.data.slice();
  const context = () => `isa ${isa}; ${describeCase(c)}`;

  const y = ops.forward(x, w, bias, opts);
  const yRef = ops.forwardRef(x, w, bias?.data ?? null, opts);
  const absX = { data: absolute(x.data), shape: c.xShape };
  const absW = { data: absolute(w.data), shape: c.wShape };
  const absBias = bias ? absolute(bias.data) : null;
  const yScale = ops.forwardRef(absX, absW, absBias, opts);
  if (JSON.stringify(y.shape) !== JSON.stringify(yRef.shape)) {
    throw new Error(`y shape [${y.shape}], expected [${yRef.shape}]\n${context()}`);
  }
  const kernelTerms = product(c.wShape.slice(1));
  const results = [expectWithinRoundoff('y', y.data, yRef.data, yScale.data, kernelTerms + 1, context)];

  const dy = { data: randomData(product(yRef.shape), random), shape: yRef.shape };
  const dyCopy = dy.data.slice();
  const g = ops.backward(dy, x, w, opts);
  const gRef = ops.backwardRef(dy, x, w, opts);
  const absDy = { data: absolute(dy.data), shape: dy.shape };
  const gScale = ops.backwardRef(absDy, absX, absW, opts);
  const groupOut = outChannels / (opts.groups ?? 1);
  const positions = product(yRef.shape.slice(2));
  const kernelArea = product(c.wShape.slice(2));
  for (const [name, t] of [['dx', g.dx], ['dw', g.dw], ['db', g.db]] as const) {
    if (JSON.stringify(t.shape) !== JSON.stringify(gRef[name].shape)) {
      throw new Error(`${name} shape [${t.shape}], expected [${gRef[name].shape}]\n${context()}`);
    }
  }
  results.push(
    expectWithinRoundoff('dx', g.dx.data, gRef.dx.data, gScale.dx.data, groupOut * kernelArea, context),
    expectWithinRoundoff('dw', g.dw.data, gRef.dw.data, gScale.dw.data, c.xShape[0] * positions, context),
    expectWithinRoundoff('db', g.db.data, gRef.db.data, gScale.db.data, c.xShape[0] * positions, context),
  );
  // The single-gradient entry points run the same passes, so they must agree bit for bit.
  const dxOnly = ops.backwardInput(dy, w, c.xShape, opts);
  const filterOnly = ops.backwardFilter(dy, x, c.wShape, opts);
  for (const [name, got, want] of [['dx', dxOnly, g.dx], ['dw', filterOnly.dw, g.dw], ['db', filterOnly.db, g.db]] as const) {
    const differs = JSON.stringify(got.shape) !== JSON.stringify(want.shape) || got.data.some((v, i) => !Object.is(v, want.data[i]));
    if (differs) throw new Error(`${name} from the single-gradient function differs from ${ops === OPS_2D ? 'conv2d' : 'conv1d'}Backward's\n${context()}`);
  }
  const inputsIntact = [x.data, w.data, dy.data].every((a, i) => a.every((v, j) => Object.is(v, [xCopy, wCopy, dyCopy][i][j])));
  if (!inputsIntact) throw new Error(`an input was modified\n${context()}`);
  const worst = Math.max(...results.map((r) => r.worstUlps));
  worstSeen.set(isa, Math.max(worstSeen.get(isa) ?? 0, worst));
}
