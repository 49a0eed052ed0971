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
  /**
   * Only output channels [from, to) of a pass's `of`, of image `start` (count 1): a block of
   * one image, which in NCHW is a contiguous part of it.
   */
  channels?: { from: number; to: number; of: number };
}

/**
 * Copying around a pass (the functional API's tensors in and out of Wasm memory). A pass split
 * across threads calls them chunk by chunk on the calling thread, while the workers compute:
 * `feed` for each chunk's images, whole images once each, before they are computed; `drain`
 * for each chunk's results (a block of an image's channels, for a chunk that is one), once
 * they are. A pass on one thread calls each once, for the whole batch.
 */
export interface ImageCopies {
  feed?(images: Slice): void;
  drain?(images: Slice): void;
}

/**
 * What a pass makes from the weights alone and every thread reads (the Winograd-transformed
 * filter, the GEMM's packed weights). A call makes it once, on the calling thread; a caller
 * that keeps weights resident (a prepared conv, a layer between weight updates) can make it
 * once into a block of its own and hand that to every later run (Pass.run's `prepared`).
 */
export interface WeightsBlock<Pointers> {
  /** floats of the block (at a 16-byte aligned byte offset) */
  readonly floats: number;
  /**
   * What the block holds, as a function of the weights: two passes with the same key make the
   * same block from the same weights, so one made by either serves both.
   */
  readonly key: string;
  /** Fills the block at `at` from the weights at p's weight pointer (reads nothing else of p). */
  prepare(kernels: KernelExports, p: Pointers, at: number): void;
}

export interface Pass<Pointers> {
  /** floats of scratch the pass needs at `scratch` (16-byte aligned) */
  readonly scratchFloats: number;
  /** the block the pass makes from the weights, if it makes one */
  readonly shared?: WeightsBlock<Pointers>;
  /**
   * `prepared`: the byte offset of a block shared.prepare has already filled from the same
   * weights p points at; the pass then reads it instead of making its own.
   */
  run(kernels: KernelExports, p: Pointers, scratch: number, copies?: ImageCopies, prepared?: number): void;
}

/**
 * A kernel strategy's pass on the calling thread, in two stages: what depends on the weights
 * alone (packing W, a plan), then the batch's images. The scratch layout does not depend on
 * the batch, so one `prepare` serves every chunk a thread runs.
 */
export interface StagedPass<Pointers> {
  /** floats of scratch the pass needs at `scratch` (16-byte aligned) */
  readonly scratchFloats: number;
  /**
   * What depends on the weights alone and every thread reads (the Winograd filter
   * transform, the GEMM's packed W): made once per call, on the calling thread, into `floats`
   * floats at `shared` (16-byte aligned), before any thread prepares, or made earlier and
   * kept (Pass.run's `prepared`). prepare, images and channelBlocks get that `shared` pointer
   * too (0 when there is none).
   */
  readonly shared?: WeightsBlock<Pointers>;
  prepare(kernels: KernelExports, p: Pointers, scratch: number, shared: number): void;
  /** the batch's images, with the scratch as prepare left it */
  images(kernels: KernelExports, p: Pointers, scratch: number, shared: number): void;
  /**
   * True when prepare, images and channelBlocks do nothing but call kernels, with arguments
   * that depend only on the pointers and the scratch (no JavaScript writes into memory, as
   * depthwise's plan is): threads then record their tapes once per pointers and scratch.
   */
  readonly callsOnly?: boolean;
  /**
   * Where the pass can compute part of an image's output channels on its own: `channels` of
   * them, and `block` to compute channels [from, to) of image n (from a multiple of 4), with the
   * scratch as prepare left it. Threads use it to cut a small batch finer than its images.
   */
  readonly channelBlocks?: {
    readonly channels: number;
    block(kernels: KernelExports, p: Pointers, scratch: number, n: number, from: number, to: number, shared: number): void;
  };
  /**
   * Where the pass can compute a block of its output for the whole batch on its own: threads
   * use it for a batch smaller than their count (one image on 2 threads), cutting the output
   * instead of the batch. Blocks start at multiples of 4 units and every output value is
   * computed as the whole pass computes it, so the results are the same bit for bit (dW and db
   * too: each row's sum over the batch runs in the same order). `prepare` replaces the pass's
   * own prepare and must not need the weights.
   * - cuts 'channels': `units` output channels (rows of the GEMMs: blocks start on the
   *   micro-kernel's 4-row tiles), and a block's output is a contiguous part of each image;
   * - cuts 'tiles': `units` Winograd tiles of each image, a block's output scattered over each
   *   image's rows.
   * Either way the shared block (packed W, U) is whole before any block runs: made on the
   * calling thread, or kept per weight version (prepareConv2d, nn layers).
   * `ownFloats` floats at `own` are the block's alone (16-byte aligned): a pass that writes a
   * plan from JavaScript (depthwise) writes each block's there, since a thread's tapes are all
   * recorded before it runs any of them.
   */
  readonly outputBlocks?: {
    readonly cuts: 'channels' | 'tiles';
    readonly units: number;
    readonly ownFloats?: number;
    prepare(kernels: KernelExports, p: Pointers, scratch: number): void;
    block(kernels: KernelExports, p: Pointers, scratch: number, from: number, to: number, shared: number, own: number): void;
  };
}

/** One kernel strategy's three passes, on the calling thread. */
export interface StrategyPasses {
  /** which kernel family serves this geometry, for diagnostics and benchmarks */
  readonly strategy: 'gemm' | 'pointwise' | 'depthwise' | 'winograd';
  readonly forward: StagedPass<ForwardPointers>;
  readonly inputGradient: StagedPass<InputGradientPointers>;
  readonly filterGradient: StagedPass<FilterGradientPointers>;
}

/** The passes ops and layers run: a strategy's, on the calling thread or split across threads. */
export interface ConvPasses {
  readonly strategy: StrategyPasses['strategy'];
  readonly forward: Pass<ForwardPointers>;
  readonly inputGradient: Pass<InputGradientPointers>;
  readonly filterGradient: Pass<FilterGradientPointers>;
  /** the threads the passes run on (1 when not split) */
  readonly threads: number;
}
