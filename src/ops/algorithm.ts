// The `algorithm` option of conv calls and conv layers: which way a convolution is computed.
// 'gemm' is the exact-summation path (im2col-style GEMMs and the direct depthwise kernels);
// 'winograd' is Winograd's minimal filtering, F(4×4, 3×3) for conv2d and F(4, 3) for conv1d,
// for the forward pass, dX and dW (its error bounds are in docs/winograd.md); 'auto' lets
// src/ops/passes/index.ts pick.
import { describe } from '../tensor.js';
import type { ConvGeometry } from './geometry.js';

export type ConvAlgorithm = 'auto' | 'gemm' | 'winograd';

export const ALGORITHMS: readonly ConvAlgorithm[] = ['auto', 'gemm', 'winograd'];

export function parseAlgorithm(op: string, value: unknown): ConvAlgorithm {
  if (value === undefined) return 'auto';
  if (!ALGORITHMS.includes(value as ConvAlgorithm)) {
    throw new Error(`${op}: algorithm must be ${ALGORITHMS.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as ConvAlgorithm;
}

/**
 * Why Winograd cannot compute `g` (null when it can): it needs a 3×3 kernel (conv2d, F(4×4, 3×3))
 * or a 3-tap one (conv1d, F(4, 3)), stride 1, dilation 1 and groups 1.
 */
export function winogradIneligibility(g: ConvGeometry): string | null {
  const reasons: string[] = [];
  if (g.outShape.length === 3) {
    // conv1d: the kernels see a unit height axis; name the length axis alone
    if (g.kernelW !== 3) reasons.push(`the kernel is ${g.kernelW}, not 3`);
    if (g.strideW !== 1) reasons.push(`the stride is ${g.strideW}, not 1`);
    if (g.dilationW !== 1) reasons.push(`the dilation is ${g.dilationW}, not 1`);
  } else {
    if (g.kernelH !== 3 || g.kernelW !== 3) reasons.push(`the kernel is ${g.kernelH}×${g.kernelW}, not 3×3`);
    if (g.strideH !== 1 || g.strideW !== 1) reasons.push(`the stride is ${g.strideH}×${g.strideW}, not 1`);
    if (g.dilationH !== 1 || g.dilationW !== 1) reasons.push(`the dilation is ${g.dilationH}×${g.dilationW}, not 1`);
  }
  if (g.groups !== 1) reasons.push(`groups is ${g.groups}, not 1`);
  return reasons.length > 0 ? reasons.join(', ') : null;
}

/** A conv1d's geometry (the kernels see it as 2-D with a unit height axis). */
export const isConv1d = (g: ConvGeometry): boolean => g.outShape.length === 3;
