// The forward passes' fused activation (ConvGeometry.clamp): y = min(max(y, lo), hi) after the
// bias. Winograd's output transform clamps as it stores (f32_winograd_output_4x4_3x3's lo, hi);
// so does the 3×3 depthwise kernel (f32_dwconv_fwd_3x3's lo, hi); the GEMM and other depthwise
// passes clamp each block of output they have just written, right after
// the kernel, while it is still in cache, with f32_clip: the same max-then-min as the separate
// ReLU / ReLU6 / Clip layers' kernels, so the bits match theirs. A block clamps only its own
// output, so blocks on different threads never touch each other's.
import type { KernelExports } from '../../loader.js';
import type { ConvGeometry } from '../geometry.js';

/** [lo, hi] for a kernel that always clamps: [−∞, +∞] (the identity) without an activation. */
export const clampBounds = (g: ConvGeometry): readonly [number, number] => g.clamp ?? [-Infinity, Infinity];

/** Clamps `floats` floats of output at byte offset `y` in place (nothing without an activation). */
export function clampOutput(k: KernelExports, g: ConvGeometry, y: number, floats: number): void {
  if (g.clamp) k.f32_clip(y, y, floats, g.clamp[0], g.clamp[1]);
}

/** Clamps a block of `rows` rows of `cols` floats, `rowFloats` apart, at byte offset `y` (nothing without an activation). */
export function clampColumns(k: KernelExports, g: ConvGeometry, y: number, rows: number, cols: number, rowFloats: number): void {
  if (g.clamp) k.f32_clip_rows(y, rows, cols, rowFloats * 4, g.clamp[0], g.clamp[1]);
}

/** `g` without its activation: the geometry of the passes that reuse a forward pass for a gradient (dX as a transposed conv). */
export function withoutClamp(g: ConvGeometry): ConvGeometry {
  const { clamp: _, ...rest } = g;
  return rest;
}
