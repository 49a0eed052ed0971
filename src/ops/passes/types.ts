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

/** Images [start, start + count) of the batch. */
export interface Slice {
  start: number;
  count: number;
}

/**
 * What the calling thread does around its own slice of a pass split across threads (while the
 * workers run theirs): the functional API copies that slice's tensors in and out there.
 * Passes on one thread ignore them.
 */
export interface SliceHooks {
  before?(): void;
  after?(): void;
  /** told how many milliseconds the calling thread's slice took */
  timed?(ms: number): void;
}

export interface Pass<Pointers> {
  /** floats of scratch the pass needs at `scratch` (16-byte aligned) */
  readonly scratchFloats: number;
  run(kernels: KernelExports, p: Pointers, scratch: number, hooks?: SliceHooks): void;
}

export interface ConvPasses {
  /** which kernel family serves this geometry, for diagnostics and benchmarks */
  readonly strategy: 'gemm' | 'pointwise' | 'depthwise';
  readonly forward: Pass<ForwardPointers>;
  readonly inputGradient: Pass<InputGradientPointers>;
  readonly filterGradient: Pass<FilterGradientPointers>;
  /** the batch slices when the passes are split across threads, the calling thread's first */
  readonly slices?: readonly Slice[];
}
