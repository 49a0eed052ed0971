// The conv options' fused activation in float64: y = min(max(y, lo), hi) in place, after the bias.
import type { ConvActivation } from '../ops/activation.js';

export function clampRef(y: Float64Array, activation: ConvActivation | undefined): Float64Array {
  if (activation === undefined) return y;
  const [lo, hi] = activation === 'relu' ? [0, Infinity] : activation === 'relu6' ? [0, 6] : [activation.min, activation.max];
  for (let i = 0; i < y.length; i++) y[i] = Math.min(Math.max(y[i], lo), hi);
  return y;
}
