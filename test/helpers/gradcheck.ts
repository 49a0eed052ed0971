// Finite-difference checks for nn layers: f = Σ y·r for a fixed random r, so ∂f/∂y = r; the
// analytic gradients from backward(r) must match central differences of f. Conv and Linear are
// linear in each argument, so their differences are exact up to float32 rounding of f; inputs of
// ReLU and MaxPool are kept away from kinks and ties by more than eps.
import { expect } from 'vitest';
import { nn } from '../../src/index.js';

export interface GradCheckOptions {
  eps?: number;
  /** max |fd − analytic| allowed, relative to max(1, max |analytic|) */
  tolerance?: number;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function compare(label: string, analytic: Float32Array, fd: Float64Array, tolerance: number): void {
  let scale = 1;
  for (const v of analytic) scale = Math.max(scale, Math.abs(v));
  let worst = 0, at = -1;
  for (let i = 0; i < fd.length; i++) {
    const e = Math.abs(fd[i] - analytic[i]);
    if (e > worst) [worst, at] = [e, i];
  }
  expect(worst / scale, `${label}: worst at index ${at}: finite difference ${fd[at]}, backward ${analytic[at]} (scale ${scale})`).toBeLessThanOrEqual(tolerance);
  // the check can fail: the gradient must not be all zeros where the differences are not
  expect(analytic.some((v) => v !== 0) || fd.every((v) => Math.abs(v) < tolerance), `${label}: backward gave all zeros`).toBe(true);
}

/** What gradCheck drives: a Sequential, or a Graph with one input and one output. */
export type Differentiable = Pick<nn.Sequential, 'forward' | 'backward' | 'parameters'>;

/** Checks dx and every parameter gradient of `model` at x against central differences. */
export function gradCheck(label: string, model: Differentiable, x: Float32Array, xShape: number[], r: Float32Array, opts: GradCheckOptions = {}): void {
  const eps = opts.eps ?? 1e-2;
  const tolerance = opts.tolerance ?? 2e-3;
  const f = (input: Float32Array): number => dot(model.forward({ data: input, shape: xShape }).data, r);
  const y = model.forward({ data: x, shape: xShape });
  expect(y.data.length, `${label}: r matches y`).toBe(r.length);
  const dx = model.backward({ data: r, shape: y.shape }, { inputGradient: true })!;
  const grads = model.parameters().map((p) => p.readGrad());

  const fdx = new Float64Array(x.length);
  const xp = x.slice();
  for (let i = 0; i < x.length; i++) {
    xp[i] = x[i] + eps;
    const plus = f(xp);
    xp[i] = x[i] - eps;
    const minus = f(xp);
    xp[i] = x[i];
    fdx[i] = (plus - minus) / (2 * eps);
  }
  compare(`${label} dx`, dx.data, fdx, tolerance);

  model.parameters().forEach((p, k) => {
    const w = p.read();
    const wp = w.slice();
    const fdw = new Float64Array(w.length);
    for (let i = 0; i < w.length; i++) {
      wp[i] = w[i] + eps;
      p.write(wp);
      const plus = f(x);
      wp[i] = w[i] - eps;
      p.write(wp);
      const minus = f(x);
      wp[i] = w[i];
      fdw[i] = (plus - minus) / (2 * eps);
    }
    p.write(w);
    compare(`${label} ${p.name}`, grads[k], fdw, tolerance);
  });
}
