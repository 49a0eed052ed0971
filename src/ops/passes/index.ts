// The one place that picks a kernel strategy for a convolution geometry.
import type { ConvGeometry } from '../geometry.js';
import { gemmPasses } from './gemm.js';
import type { ConvPasses } from './types.js';

export type { ConvPasses, ForwardPointers, InputGradientPointers, FilterGradientPointers, Pass } from './types.js';

export function convPasses(g: ConvGeometry): ConvPasses {
  return gemmPasses(g);
}
