// Gradient clipping by global norm, as PyTorch's clip_grad_norm_: all gradients are treated as
// one vector; if its L2 norm exceeds maxNorm, every gradient is scaled by maxNorm / (norm + 1e-6).
import type { Parameter } from './resident.js';

/** Clips the parameters' gradients in place; returns their total norm before clipping. */
export function clipGradNorm(params: Parameter[], maxNorm: number): number {
  const op = 'nn.clipGradNorm';
  if (!Array.isArray(params) || params.length === 0) throw new Error(`${op}: params must be a non-empty array of Parameters (model.parameters())`);
  if (typeof maxNorm !== 'number' || !(maxNorm > 0) || !Number.isFinite(maxNorm)) {
    throw new Error(`${op}: maxNorm must be a finite number > 0, got ${String(maxNorm)}`);
  }
  const k = params[0].backend.kernels;
  let squares = 0;
  for (const p of params) squares += k.f32_sum_squares(p.gradPtr, p.size);
  const norm = Math.sqrt(squares);
  if (!Number.isFinite(norm)) {
    // scaling by NaN would silently wreck the weights at the next step
    throw new Error(`${op}: the gradients' total norm is ${norm}: a gradient holds NaN or Infinity (lower the learning rate or check the input)`);
  }
  const coefficient = maxNorm / (norm + 1e-6);
  if (coefficient < 1) for (const p of params) k.f32_scale(p.gradPtr, p.size, coefficient);
  return norm;
}
