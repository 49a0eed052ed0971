// The oracle checked on its own: its gradients against central finite differences of its
// forward pass, in float64, for the loss L = Σ y·r with random r (so ∂L/∂y = r).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conv1dBackwardRef, conv1dRef, conv2dBackwardRef, conv2dRef } from '../src/reference/index.js';
import { conv1dCase, conv2dCase } from './helpers/arbitraries.js';
import type { ConvCase } from './helpers/check-conv.js';
import { product, seededRandom } from './helpers/random.js';

const STEP = 1e-3;

function checkFiniteDifferences(c: ConvCase): void {
  const is2d = c.xShape.length === 4;
  const random = seededRandom(c.seed);
  const values = (n: number) => Float64Array.from({ length: n }, () => random() * 2 - 1);
  const x = values(product(c.xShape));
  const w = values(product(c.wShape));
  const bias = values(c.wShape[0]);
  const forward = (xd: Float64Array, wd: Float64Array, bd: Float64Array) =>
    is2d
      ? conv2dRef({ data: xd, shape: c.xShape }, { data: wd, shape: c.wShape }, bd, c.opts as never)
      : conv1dRef({ data: xd, shape: c.xShape }, { data: wd, shape: c.wShape }, bd, c.opts as never);
  const y = forward(x, w, bias);
  const r = values(y.data.length);
  const loss = (xd: Float64Array, wd: Float64Array, bd: Float64Array) => forward(xd, wd, bd).data.reduce((s, v, i) => s + v * r[i], 0);
  const dy = { data: r, shape: y.shape };
  const g = is2d
    ? conv2dBackwardRef(dy, { data: x, shape: c.xShape }, { data: w, shape: c.wShape }, c.opts as never)
    : conv1dBackwardRef(dy, { data: x, shape: c.xShape }, { data: w, shape: c.wShape }, c.opts as never);
  const numeric = (which: 0 | 1 | 2, i: number) => {
    const args = [x, w, bias].map((a) => a.slice()) as [Float64Array, Float64Array, Float64Array];
    args[which][i] += STEP;
    const up = loss(...args);
    args[which][i] -= 2 * STEP;
    return (up - loss(...args)) / (2 * STEP);
  };
  for (const [which, name, analytic] of [[0, 'dx', g.dx.data], [1, 'dw', g.dw.data], [2, 'db', g.db.data]] as const) {
    for (let i = 0; i < analytic.length; i++) {
      const fd = numeric(which, i);
      expect(Math.abs(fd - analytic[i]), `${name}[${i}]: finite difference ${fd}, reference ${analytic[i]}; x [${c.xShape}] w [${c.wShape}] ${JSON.stringify(c.opts)}`)
        .toBeLessThanOrEqual(1e-8 * (1 + Math.abs(fd)));
    }
  }
}

// Keep the cases small: each gradient element costs two forward passes.
const small = (c: ConvCase) => product(c.xShape) <= 300 && product(c.wShape) <= 120;

describe('reference gradients = finite differences of the reference forward', () => {
  it('conv2d: 60 random cases', () => {
    fc.assert(fc.property(conv2dCase.filter(small), checkFiniteDifferences), { numRuns: 60 });
  });
  it('conv1d: 60 random cases', () => {
    fc.assert(fc.property(conv1dCase.filter(small), checkFiniteDifferences), { numRuns: 60 });
  });
});
