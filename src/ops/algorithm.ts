// The `algorithm` option of conv calls and conv layers: which way a convolution is computed.
// 'gemm' is the exact-summation path (im2col-style GEMMs and the direct depthwise kernels);
// 'winograd' is Winograd's minimal filtering F(4×4, 3×3) for the forward pass and dX (its
// error bound is in docs/winograd.md); 'auto' lets src/ops/passes/index.ts pick.
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

/** Why Winograd cannot compute `g` (null when it can): it needs a 2-D 3×3 kernel, stride 1, dilation 1 and groups 1. */
export function winogradIneligibility(g: ConvGeometry): string | null {
  if (g.outShape.length !== 4) return 'it serves 2-D convolutions only (conv1d is not supported yet)';
  const reasons: string[] = [];
  if (g.kernelH !== 3 || g.kernelW !== 3) reasons.push(`the kernel is ${g.kernelH}×${g.kernelW}, not 3×3`);
  if (g.strideH !== 1 || g.strideW !== 1) reasons.push(`the stride is ${g.strideH}×${g.strideW}, not 1`);
  if (g.dilationH !== 1 || g.dilationW !== 1) reasons.push(`the dilation is ${g.dilationH}×${g.dilationW}, not 1`);
  if (g.groups !== 1) reasons.push(`groups is ${g.groups}, not 1`);
  return reasons.length > 0 ? reasons.join(', ') : null;
}
