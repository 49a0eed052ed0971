// The one place that picks a kernel strategy for a convolution geometry.
import type { ConvGeometry } from '../geometry.js';
import { depthwisePasses, isDepthwise } from './depthwise.js';
import { isConv1d, winogradIneligibility } from '../algorithm.js';
import { gemmPasses, isPointwise } from './gemm.js';
import { parallelPasses, threadsFor, type Threads } from './parallel.js';
import type { ConvPasses, ImageCopies, Pass, StagedPass, StrategyPasses } from './types.js';
import { forwardTilesPerBlock, fusesFilterTransform, winogradPasses } from './winograd.js';
import { winograd1dPasses } from './winograd1d.js';

export type { ConvPasses, WeightsBlock, ForwardPointers, ImageCopies, InputGradientPointers, FilterGradientPointers, Pass, Slice } from './types.js';
export type { Threads } from './parallel.js';

/**
 * Depthwise (groups = C > 1, any multiplier) runs the direct kernels: on S6 they are 8× (forward),
 * 9× (dX) and 18× (dW+db) faster than the per-group GEMM with M = multiplier rows; on every
 * depthwise shape tried (strides 1–2, 3×3 to 5×5, multipliers 1–16, 1-D) faster on every pass.
 * A single-channel input with groups = 1 (S1) stays on the GEMM: there the direct kernels win
 * forward and dW but lose dX, and the GEMM is being sped up.
 */
function strategyPasses(g: ConvGeometry, winograd: WinogradChoice): StrategyPasses {
  if (isDepthwise(g)) return depthwisePasses(g);
  if (winograd === 'none') return gemmPasses(g);
  return isConv1d(g) ? winograd1dPasses(g, winograd === 'every pass') : winogradPasses(g, winograd === 'every pass');
}

/** Which passes of a call run Winograd. */
type WinogradChoice = 'none' | 'forward and dX' | 'every pass';

/**
 * 'winograd' forced: every pass. 'auto' where usesWinograd: forward and dX, and dW too where its
 * accumulators M (36·O·C floats, 6·O·C for conv1d, one per thread) on all `threads` take at most half of x's
 * floats. Winograd dW measured 1.3–2.5× the GEMM's on every shape tried (16–128 channels, batch
 * 1–128; docs/winograd.md), so memory is the limit: S4's backward on 2 threads (M 0.73× x per
 * thread) stays on the GEMM's dW at 1.59× x of scratch, within the 2× test/memory.test.ts allows.
 */
function winogradChoice(g: ConvGeometry, threads: number): WinogradChoice {
  if (g.algorithm === 'winograd') return 'every pass';
  if (!usesWinograd(g)) return 'none';
  const points = isConv1d(g) ? 6 : 36;
  const accumulators = threads * points * g.outChannels * (g.inChannels / g.groups);
  return accumulators <= (g.batch * g.inChannels * g.inH * g.inW) / 2 ? 'every pass' : 'forward and dX';
}

/**
 * Winograd F(4×4, 3×3) (forward and dX) when asked for ('winograd'; convGeometry has checked
 * that it can), and under 'auto' where it can and measured faster on every ISA (docs/winograd.md,
 * 2026-12-06, one thread):
 * - at least 16 input and output channels: from 16 up it was 1.5–2.9× faster (S2–S4, ResNet
 *   layers of 64–256 channels); at 8 only 1.2–1.35×, at 1–3 slower (0.5–0.9×: the GEMMs'
 *   reduction is C or O long, too short for the micro-kernel, and the transforms dominate);
 * - at least 16 tiles of 4×4 outputs per call (batch × tiles per image): U, 4× the weights,
 *   is made and read once per call, so a call of few tiles pays for it only while U stays in
 *   cache (below: 4–15 tiles with a small U); or, with the weights prepared (U kept), 4 per
 *   image in one block of tiles (further below);
 * - at least half of the tiles' outputs inside the output (5×5 outputs fill 25 of 64).
 */
const WINOGRAD_MIN_CHANNELS = 16;
const WINOGRAD_MIN_TILES = 16;
const WINOGRAD_MIN_FILL = 0.5;
/**
 * Calls of fewer than 16 tiles (batch 1 at 7×7 to 15×15 outputs), from 32 channels. One image
 * whose tiles fit one block makes U a few rows at a time (fusesFilterTransform in winograd.ts):
 * per call, batch 1, C = O, padding 1, GEMM ÷ Winograd time, forward and dX (docs/winograd.md,
 * 2026-12-06 23:40 UTC): 4 tiles (7×7) 1.37–1.85× from 32 to 512 channels on simd, 1.12–1.29×
 * at 256–512 on scalar; 9 tiles (12×12) 1.41–2.10× up to 256. Otherwise U (36·O·C floats) is
 * made whole per call and read back, which pays only while it stays in cache: 4 tiles with U
 * up to 4 MiB, or 9 with U up to 16 MiB (made whole, batch 1: 1.05–1.75× up to 128 channels
 * at 4 tiles, at 256 0.89–0.99× on scalar, at 512 0.83–0.89×; 512 at 12×12, two blocks: 0.83–1.21×).
 * At 16 channels the calls take 0.03 ms and the ratios scatter around 1 (0.90–1.43×).
 */
const WINOGRAD_FEW_TILES_MIN_CHANNELS = 32;
const WINOGRAD_FEW_TILES = [
  { minTiles: 4, maxUBytes: 4 << 20 },
  { minTiles: 9, maxUBytes: 16 << 20 },
];
/**
 * With U made once and kept (a prepared conv, g.preparedWeights), what counts is U read once
 * per block of tiles against the GEMMs' width: prepared, batch 1, C = O (docs/winograd.md,
 * 2026-12-06), four tiles in one block (7×7, 8×8 outputs) were 1.4–2.6× the GEMM path from 32
 * to 512 channels (1.0–1.35× at 16); one tile (4×4 outputs) 0.6–1.1×; 512 channels at 12×12
 * (9 tiles, two blocks: U read twice) 0.7–0.8×. So: at least 4 tiles per image, all in one block.
 */
const WINOGRAD_MIN_TILES_PREPARED = 4;

export function usesWinograd(g: ConvGeometry): boolean {
  if (g.algorithm === 'winograd') return true;
  if (g.algorithm === 'gemm' || winogradIneligibility(g) !== null) return false;
  if (isConv1d(g)) return usesWinograd1d(g);
  const tiles = Math.ceil(g.outH / 4) * Math.ceil(g.outW / 4);
  if (Math.min(g.inChannels, g.outChannels) < WINOGRAD_MIN_CHANNELS || (g.outH * g.outW) / (tiles * 16) < WINOGRAD_MIN_FILL) return false;
  if (g.batch * tiles >= WINOGRAD_MIN_TILES) return true;
  const forwardBlockTiles = forwardTilesPerBlock(tiles, g.inChannels, g.outChannels);
  if (Math.min(g.inChannels, g.outChannels) >= WINOGRAD_FEW_TILES_MIN_CHANNELS) {
    // U made a few rows at a time (one image in one block of tiles), or whole while it is small
    const uBytes = 36 * g.outChannels * g.inChannels * 4;
    const fused = fusesFilterTransform(g, forwardBlockTiles);
    const fewTilesPay = WINOGRAD_FEW_TILES.some((rule) => g.batch * tiles >= rule.minTiles && (fused || uBytes <= rule.maxUBytes));
    if (fewTilesPay) return true;
  }
  return g.preparedWeights === true && tiles >= WINOGRAD_MIN_TILES_PREPARED && forwardBlockTiles >= tiles;
}

/**
 * conv1d under 'auto' (eligible, not forced): F(4, 3) where it measured faster than the GEMM
 * path (docs/winograd.md, "conv1d: F(4, 3)", 2026-12-06, one thread, simd, scalar and
 * relaxed-simd), the 2-D rule's thresholds:
 * - at least 16 input and output channels: from 32 up, at 16 tiles or more, 1.1–1.9× on every
 *   pass; at 16 mostly 1.0–1.5× (single medians down to 0.75 on calls of 10–20 µs); at 8
 *   0.4–1.5×, dX about even;
 * - at least 16 tiles of 4 outputs per call (batch × ⌈OL/4⌉): U, 2× the weights, is made once
 *   per call; one row of 4–16 outputs at 256–512 channels ran 0.5–0.97× forward and
 *   0.51–0.74× dW, of 32 outputs 0.9–1.34×, of 64 outputs (16 tiles) 1.09–1.53×.
 */
const WINOGRAD_1D_MIN_CHANNELS = 16;
const WINOGRAD_1D_MIN_TILES = 16;

function usesWinograd1d(g: ConvGeometry): boolean {
  return Math.min(g.inChannels, g.outChannels) >= WINOGRAD_1D_MIN_CHANNELS && g.batch * Math.ceil(g.outW / 4) >= WINOGRAD_1D_MIN_TILES;
}

/** A pass on the calling thread, with its copies around it: the whole batch in, the pass, the whole batch out. */
function onCallingThread<P>(pass: StagedPass<P>, batch: number): Pass<P> {
  const all = { start: 0, count: batch };
  // the shared block first, then the pass's own scratch
  const sharedFloats = Math.ceil((pass.shared?.floats ?? 0) / 4) * 4;
  return {
    scratchFloats: sharedFloats + pass.scratchFloats,
    shared: pass.shared,
    run: (k, p, scratch, copies?: ImageCopies, prepared?: number) => {
      const shared = !pass.shared ? 0 : prepared ?? scratch;
      const own = scratch + sharedFloats * 4;
      copies?.feed?.(all);
      if (pass.shared && prepared === undefined) pass.shared.prepare(k, p, shared);
      pass.prepare(k, p, own, shared);
      pass.images(k, p, own, shared);
      copies?.drain?.(all);
    },
  };
}

/** The kernels each pass of a convolution runs on, and the threads it splits across. */
export interface ConvAlgorithms {
  forward: StrategyPasses['strategy'];
  inputGradient: StrategyPasses['strategy'];
  filterGradient: StrategyPasses['strategy'];
  threads: number;
}

/** What convPasses(g, threads) runs: the same choices, without building the passes. */
export function convAlgorithms(g: ConvGeometry, threads?: Threads | null): ConvAlgorithms {
  const count = threads && threads.pool.serving ? threadsFor(g, threads.pool.threads) : 1;
  const winograd = winogradChoice(g, count);
  const base: StrategyPasses['strategy'] = isDepthwise(g) ? 'depthwise' : isPointwise(g) ? 'pointwise' : 'gemm';
  const transformed = winograd === 'none' ? base : 'winograd';
  return { forward: transformed, inputGradient: transformed, filterGradient: winograd === 'every pass' ? 'winograd' : base, threads: count };
}

/**
 * The passes for `g`: split across `threads` when it has a serving pool and the work pays for
 * it, over the batch, or over blocks of its output for a batch smaller than the pool.
 */
export function convPasses(g: ConvGeometry, threads?: Threads | null): ConvPasses {
  // 'auto' is settled on the whole call's geometry: a thread's chunk of the batch has fewer
  // tiles, and every chunk must take the same path
  const count = threads && threads.pool.serving ? threadsFor(g, threads.pool.threads) : 1;
  const winograd = winogradChoice(g, count);
  const strategy = (chunk: ConvGeometry) => strategyPasses(chunk, winograd);
  if (count > 1) return parallelPasses(g, count, strategy, threads!, onCallingThread);
  const { strategy: name, forward, inputGradient, filterGradient } = strategy(g);
  return {
    strategy: name, threads: 1,
    forward: onCallingThread(forward, g.batch),
    inputGradient: onCallingThread(inputGradient, g.batch),
    filterGradient: onCallingThread(filterGradient, g.batch),
  };
}
