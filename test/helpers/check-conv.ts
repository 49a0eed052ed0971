// One helper checks a whole convolution case on the active backend: forward (with or without
// bias) and every gradient against the reference, within the roundoff bound of tolerance.ts.
import { conv1d, conv1dBackward, conv2d, conv2dBackward, type Conv1dOptions, type Conv2dOptions } from '../../src/index.js';
import { conv1dBackwardRef, conv1dRef, conv2dBackwardRef, conv2dRef } from '../../src/reference/index.js';
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

export function checkConvCase(isa: string, c: ConvCase): void {
  const is2d = c.xShape.length === 4;
  const random = seededRandom(c.seed);
  const x = { data: randomData(product(c.xShape), random), shape: c.xShape };
  const w = { data: randomData(product(c.wShape), random), shape: c.wShape };
  const outChannels = c.wShape[0];
  const bias = c.bias ? { data: randomData(outChannels, random), shape: [outChannels] } : null;
  const xCopy = x.data.slice(), wCopy = w.data.slice();
  const context = () => `isa ${isa}; ${describeCase(c)}`;

  const y = is2d ? conv2d(x, w, bias, c.opts as Conv2dOptions) : conv1d(x, w, bias, c.opts as Conv1dOptions);
  const yRef = is2d ? conv2dRef(x, w, bias?.data ?? null, c.opts as Conv2dOptions) : conv1dRef(x, w, bias?.data ?? null, c.opts as Conv1dOptions);
  const absX = { data: absolute(x.data), shape: c.xShape };
  const absW = { data: absolute(w.data), shape: c.wShape };
  const absBias = bias ? absolute(bias.data) : null;
  const yScale = is2d ? conv2dRef(absX, absW, absBias, c.opts as Conv2dOptions) : conv1dRef(absX, absW, absBias, c.opts as Conv1dOptions);
  if (JSON.stringify(y.shape) !== JSON.stringify(yRef.shape)) {
    throw new Error(`y shape [${y.shape}], expected [${yRef.shape}]\n${context()}`);
  }
  const kernelTerms = product(c.wShape.slice(1));
  const results = [expectWithinRoundoff('y', y.data, yRef.data, yScale.data, kernelTerms + 1, context)];

  const dy = { data: randomData(product(yRef.shape), random), shape: yRef.shape };
  const dyCopy = dy.data.slice();
  const g = is2d ? conv2dBackward(dy, x, w, c.opts as Conv2dOptions) : conv1dBackward(dy, x, w, c.opts as Conv1dOptions);
  const gRef = is2d ? conv2dBackwardRef(dy, x, w, c.opts as Conv2dOptions) : conv1dBackwardRef(dy, x, w, c.opts as Conv1dOptions);
  const absDy = { data: absolute(dy.data), shape: dy.shape };
  const gScale = is2d ? conv2dBackwardRef(absDy, absX, absW, c.opts as Conv2dOptions) : conv1dBackwardRef(absDy, absX, absW, c.opts as Conv1dOptions);
  const groupOut = outChannels / ((c.opts.groups as number | undefined) ?? 1);
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
  const inputsIntact = [x.data, w.data, dy.data].every((a, i) => a.every((v, j) => Object.is(v, [xCopy, wCopy, dyCopy][i][j])));
  if (!inputsIntact) throw new Error(`an input was modified\n${context()}`);
  const worst = Math.max(...results.map((r) => r.worstUlps));
  worstSeen.set(isa, Math.max(worstSeen.get(isa) ?? 0, worst));
}
