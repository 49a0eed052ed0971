// The activations a FusedConv2D kernel applies after the bias, element by element in place,
// with the very formulas of tfjs-backend-cpu's Relu, Relu6, LeakyRelu, Elu and Sigmoid kernels.
// 'prelu' takes a weights tensor and stays with the backend's own kernel.

export const FUSED_ACTIVATIONS = ['linear', 'relu', 'relu6', 'leakyrelu', 'elu', 'sigmoid'];

/** Whether applyActivation does `activation` (unset means 'linear', as in tfjs). */
export const isFusedActivation = (activation: unknown): boolean => FUSED_ACTIVATIONS.includes((activation ?? 'linear') as string);

/** values ← activation(values), in place. */
export function applyActivation(values: Float32Array, activation: unknown, leakyreluAlpha: number): void {
  const n = values.length;
  switch (activation ?? 'linear') {
    case 'linear':
      return;
    case 'relu':
      for (let i = 0; i < n; i++) values[i] = Math.max(0, values[i]);
      return;
    case 'relu6':
      for (let i = 0; i < n; i++) values[i] = Math.min(Math.max(0, values[i]), 6);
      return;
    case 'leakyrelu':
      for (let i = 0; i < n; i++) values[i] = values[i] < 0 ? leakyreluAlpha * values[i] : values[i];
      return;
    case 'elu':
      for (let i = 0; i < n; i++) values[i] = values[i] >= 0 ? values[i] : Math.exp(values[i]) - 1;
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) values[i] = 1 / (1 + Math.exp(-values[i]));
      return;
    default:
      throw new Error(`FusedConv2D (wasmconv/tfjs): activation ${JSON.stringify(activation)} is not one of ${FUSED_ACTIVATIONS.join(', ')}`);
  }
}
