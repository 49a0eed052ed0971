// The one place that picks a kernel strategy for a convolution geometry.
import type { ConvGeometry } from '../geometry.js';
import { depthwisePasses, isDepthwise } from './depthwise.js';
import { gemmPasses } from './gemm.js';
import { batchSlices, parallelPasses, type Threads } from './parallel.js';
import type { ConvPasses } from './types.js';

export type { ConvPasses, ForwardPointers, InputGradientPointers, FilterGradientPointers, Pass, Slice, SliceHooks } from './types.js';
export type { Threads } from './parallel.js';

/**
 * Depthwise (groups = C > 1, any multiplier) runs the direct kernels: on S6 they are 8× (forward),
 * 9× (dX) and 18× (dW+db) faster than the per-group GEMM with M = multiplier rows; on every
 * depthwise shape tried (strides 1–2, 3×3 to 5×5, multipliers 1–16, 1-D) faster on every pass.
 * A single-channel input with groups = 1 (S1) stays on the GEMM: there the direct kernels win
 * forward and dW but lose dX, and the GEMM is being sped up.
 */
function singleThreadPasses(g: ConvGeometry): ConvPasses {
  return isDepthwise(g) ? depthwisePasses(g) : gemmPasses(g);
}

/** The passes for `g`: split over the batch across `threads` when it has a serving pool and the work pays for it. */
export function convPasses(g: ConvGeometry, threads?: Threads | null): ConvPasses {
  if (threads && threads.pool.serving) {
    const slices = batchSlices(g, threads.pool.threads, threads.mainImages);
    if (slices.length > 1) return parallelPasses(g, slices, singleThreadPasses, threads);
  }
  return singleThreadPasses(g);
}
