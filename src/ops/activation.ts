// The `activation` option of forward conv calls: an activation fused into the conv's output
// epilogue, applied right after the bias as a clamp min(max(y, lo), hi), so that it costs no
// separate pass over memory. max and min are exact, so the result is bit-identical to the conv
// followed by a separate relu (f32_relu), relu6 or clip (f32_clip).
import { describe } from '../tensor.js';

export type ConvActivation = 'relu' | 'relu6' | { min: number; max: number };

/** An output clamp [lo, hi]: ReLU is [0, +∞], ReLU6 [0, 6]; lo ≤ hi, neither NaN. */
export type OutputClamp = readonly [lo: number, hi: number];

export function parseActivation(op: string, value: unknown): OutputClamp | null {
  if (value === undefined) return null;
  if (value === 'relu') return [0, Infinity];
  if (value === 'relu6') return [0, 6];
  const expected = `activation must be 'relu', 'relu6' or { min, max } with min ≤ max`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${op}: ${expected}, got ${describe(value)}`);
  }
  const { min, max, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new Error(`${op}: ${expected}; unknown key '${extra[0]}' in activation`);
  if (typeof min !== 'number' || Number.isNaN(min)) throw new Error(`${op}: ${expected}: activation.min must be a number, got ${describe(min)}`);
  if (typeof max !== 'number' || Number.isNaN(max)) throw new Error(`${op}: ${expected}: activation.max must be a number, got ${describe(max)}`);
  if (min > max) throw new Error(`${op}: ${expected}, got activation min ${min} > max ${max}`);
  return [min, max];
}

/** The forward-only option refused by the backward calls: a fused activation's gradient needs the activation's output. */
export function refuseActivation(op: string, clamp: OutputClamp | null): void {
  if (clamp) {
    throw new Error(
      `${op}: the activation option is forward-only (the gradient of a fused activation needs its output): ` +
        `call ${op} without it, on dy masked by the forward output (ReLU: where y > 0; ReLU6/clip: where min < y < max)`,
    );
  }
}
