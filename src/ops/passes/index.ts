// The one place that picks a kernel strategy for a convolution geometry.
import type { ConvGeometry } from '../geometry.js';
import { depthwisePasses, isDepthwise } from './depthwise.js';
import { winogradIneligibility } from '../algorithm.js';
import { gemmPasses } from './gemm.js';
import { parallelPasses, threadsFor, type Threads } from './parallel.js';
import type { ConvPasses, ImageCopies, Pass, StagedPass, StrategyPasses } from './types.js';
import { winogradPasses } from './winograd.js';

export type { ConvPasses, ForwardPointers, ImageCopies, InputGradientPointers, FilterGradientPointers, Pass, Slice } from './types.js';
export type { Threads } from './parallel.js';

/**
 * Depthwise (groups = C > 1, any multiplier) runs the direct kernels: on S6 they are 8× (forward),
 * 9× (dX) and 18× (dW+db) faster than the per-group GEMM with M = multiplier rows; on every
 * depthwise shape tried (strides 1–2, 3×3 to 5×5, multipliers 1–16, 1-D) faster on every pass.
 * A single-channel input with groups = 1 (S1) stays on the GEMM: there the direct kernels win
 * forward and dW but lose dX, and the GEMM is being sped up.
 */
function strategyPasses(g: ConvGeometry): StrategyPasses {
  if (isDepthwise(g)) return depthwisePasses(g);
  return usesWinograd(g) ? winogradPasses(g) : gemmPasses(g);
}

/**
 * Winograd F(4×4, 3×3) (forward and dX) when asked for ('winograd'; convGeometry has checked
 * that it can), and under 'auto' where it can and measured faster: TODO measure.
 */
export function usesWinograd(g: ConvGeometry): boolean {
  if (g.algorithm === 'winograd') return true;
  if (g.algorithm === 'gemm' || winogradIneligibility(g) !== null) return false;
  return false;
}

/** A pass on the calling thread, with its copies around it: the whole batch in, the pass, the whole batch out. */
function onCallingThread<P>(pass: StagedPass<P>, batch: number): Pass<P> {
  const all = { start: 0, count: batch };
  return {
    scratchFloats: pass.scratchFloats,
    run: (k, p, scratch, copies?: ImageCopies) => {
      copies?.feed?.(all);
      pass.prepare(k, p, scratch);
      pass.images(k, p, scratch);
      copies?.drain?.(all);
    },
  };
}

/** The passes for `g`: split over the batch across `threads` when it has a serving pool and the work pays for it. */
export function convPasses(g: ConvGeometry, threads?: Threads | null): ConvPasses {
  if (threads && threads.pool.serving) {
    const count = threadsFor(g, threads.pool.threads);
    if (count > 1) return parallelPasses(g, count, strategyPasses, threads);
  }
  const { strategy, forward, inputGradient, filterGradient } = strategyPasses(g);
  return {
    strategy, threads: 1,
    forward: onCallingThread(forward, g.batch),
    inputGradient: onCallingThread(inputGradient, g.batch),
    filterGradient: onCallingThread(filterGradient, g.batch),
  };
}
