// The pointer-level contract every convolution strategy implements. A pass reads and writes
// tensors that already sit in Wasm linear memory (byte offsets), plus `scratchFloats` floats of
// scratch at `scratch`; it never allocates. The functional API (execute.ts) copies tensors in
// and out around a pass; resident-tensor callers (layers) call passes directly.
import type { KernelExports } from '../../loader.js';

export interface ForwardPointers {
  x: number;
  w: number;
  /** 0 when there is no bias */
  bias: number;
  y: number;
}

export interface InputGradientPointers {
  dy: number;
  w: number;
  /** overwritten */
  dx: number;
}

export interface FilterGradientPointers {
  dy: number;
  x: number;
  /** overwritten with the sum over the batch */
  dw: number;
  /** overwritten with the sum over the batch and positions */
  db: number;
}

export interface Pass<Pointers> {
  /** floats of scratch the pass needs at `scratch` (16-byte aligned) */
  readonly scratchFloats: number;
  run(kernels: KernelExports, p: Pointers, scratch: number): void;
}

export interface ConvPasses {
  /** which kernel family serves this geometry, for diagnostics and benchmarks */
  readonly strategy: 'gemm' | 'pointwise' | 'depthwise';
  readonly forward: Pass<ForwardPointers>;
  readonly inputGradient: Pass<InputGradientPointers>;
  readonly filterGradient: Pass<FilterGradientPointers>;
}
