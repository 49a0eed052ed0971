// The one place that picks a kernel strategy for a convolution geometry.
import type { ConvGeometry } from '../geometry.js';
import { depthwisePasses, isDepthwise } from './depthwise.js';
import { gemmPasses } from './gemm.js';
import type { ConvPasses } from './types.js';

export type { ConvPasses, ForwardPointers, InputGradientPointers, FilterGradientPointers, Pass } from './types.js';

/**
 * Depthwise (groups = C > 1, any multiplier) runs the direct kernels: on S6 4–20× the per-group
 * GEMM (M = multiplier rows) depending on the pass. A single-channel input with groups = 1 (S1)
 * stays on the GEMM: there the direct kernels win forward and dW but lose dX, and the GEMM is
 * being sped up.
 */
export function convPasses(g: ConvGeometry): ConvPasses {
  return isDepthwise(g) ? depthwisePasses(g) : gemmPasses(g);
}
