// The element-wise activations as float64 formulas, forward and backward (in terms of the input
// x, as the layers compute them): the oracle for the kernels in assembly/f32-activation/.
import type { RefTensor } from './conv2d.js';
import type { RefArray } from './layers.js';

/** Which activation, with its parameters (the layers' specs). */
export type ActivationRef =
  | { type: 'LeakyReLU'; negativeSlope: number }
  | { type: 'ReLU6' }
  | { type: 'Clip'; min: number; max: number }
  | { type: 'HardSigmoid'; alpha: number; beta: number }
  | { type: 'HardSwish' }
  | { type: 'Sigmoid' }
  | { type: 'Tanh' }
  | { type: 'SiLU' };

/** 1/(1 + e^−x) without overflow for large |x|. */
function sigmoid(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** f(x) of one element. */
export function activationOf(a: ActivationRef, x: number): number {
  switch (a.type) {
    case 'LeakyReLU': return x > 0 ? x : a.negativeSlope * x;
    case 'ReLU6': return clamp(x, 0, 6);
    case 'Clip': return clamp(x, a.min, a.max);
    case 'HardSigmoid': return clamp(a.alpha * x + a.beta, 0, 1);
    case 'HardSwish': return x * clamp(x / 6 + 0.5, 0, 1);
    case 'Sigmoid': return sigmoid(x);
    case 'Tanh': return Math.tanh(x);
    case 'SiLU': return x * sigmoid(x);
  }
}

/** f'(x) of one element; at a kink, PyTorch's choice (the gradient of Clip/ReLU6 is 0 at the bounds). */
export function activationGradOf(a: ActivationRef, x: number): number {
  switch (a.type) {
    case 'LeakyReLU': return x > 0 ? 1 : a.negativeSlope;
    case 'ReLU6': return x > 0 && x < 6 ? 1 : 0;
    case 'Clip': return x > a.min && x < a.max ? 1 : 0;
    case 'HardSigmoid': {
      const v = a.alpha * x + a.beta;
      return v > 0 && v < 1 ? a.alpha : 0;
    }
    case 'HardSwish': return x <= -3 ? 0 : x >= 3 ? 1 : x / 3 + 0.5;
    case 'Sigmoid': {
      const s = sigmoid(x);
      return s * sigmoid(-x);
    }
    case 'Tanh': {
      // 1 − tanh²x = 1/cosh²x = 4e/(1 + e)², e = e^−2|x|: no cancellation where tanh x ≈ ±1
      const e = Math.exp(-2 * Math.abs(x));
      return (4 * e) / ((1 + e) * (1 + e));
    }
    case 'SiLU': {
      const s = sigmoid(x);
      return s * (1 + x * sigmoid(-x));
    }
  }
}

/** y = f(x) element by element. */
export function activationRef(a: ActivationRef, x: RefTensor): RefArray {
  return { data: Float64Array.from(x.data, (v) => activationOf(a, v)), shape: [...x.shape] };
}

/** dx = dy·f'(x) element by element (x the input of the forward pass). */
export function activationBackwardRef(a: ActivationRef, dy: ArrayLike<number>, x: RefTensor): RefArray {
  return { data: Float64Array.from(x.data, (v, i) => dy[i] * activationGradOf(a, v)), shape: [...x.shape] };
}
