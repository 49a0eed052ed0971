// Multi-threaded passes: the batch split into one contiguous slice of images per thread, each
// slice run by the single-thread pass for that many images, with its own scratch. Forward and
// dX slices write disjoint parts of y and dx. dW and db are sums over the batch: each slice
// sums its images into its own partial buffer, then the partials are added in slice order,
// so the result depends on the thread count but never on scheduling.
import type { WasmArena } from '../../memory.js';
import type { ThreadPool } from '../../threads/pool.js';
import type { ConvGeometry } from '../geometry.js';
import type { ConvPasses, FilterGradientPointers, ForwardPointers, InputGradientPointers, Pass } from './types.js';

/** What a multi-threaded pass runs on. */
export interface Threads {
  pool: ThreadPool;
  arena: WasmArena;
  /** the op, for errors */
  op: string;
}

/**
 * Below this many FLOPs per slice a pass stays on one thread: waking a worker and handing it
 * a tape costs tens of microseconds, about what 2 MFLOP take.
 */
let minFlopsPerSlice = 2e6;

/** Sets that threshold (0: split any batch of 2 or more; the thread tests use it on small shapes). Returns the old value. */
export function setMinFlopsPerSlice(flops: number): number {
  const old = minFlopsPerSlice;
  minFlopsPerSlice = flops;
  return old;
}

/** The first image and image count of each slice; one slice when splitting does not pay. */
export function batchSlices(g: ConvGeometry, threads: number): Array<{ start: number; count: number }> {
  const flops = 2 * g.batch * g.outChannels * g.outH * g.outW * (g.inChannels / g.groups) * g.kernelH * g.kernelW;
  const slices = Math.max(1, Math.min(threads, g.batch, minFlopsPerSlice > 0 ? Math.floor(flops / minFlopsPerSlice) : Infinity));
  return Array.from({ length: slices }, (_, t) => {
    const start = Math.floor((t * g.batch) / slices);
    return { start, count: Math.floor(((t + 1) * g.batch) / slices) - start };
  });
}

const roundUp4 = (floats: number) => Math.ceil(floats / 4) * 4;

/** `single` passes run over batch slices on the pool's threads. */
export function parallelPasses(
  g: ConvGeometry, slices: Array<{ start: number; count: number }>, single: (g: ConvGeometry) => ConvPasses, threads: Threads,
): ConvPasses {
  const passes = slices.map(({ count }) => single({ ...g, batch: count, outShape: [count, ...g.outShape.slice(1)] }));
  const xImageBytes = g.inChannels * g.inH * g.inW * 4;
  const yImageBytes = g.outChannels * g.outH * g.outW * 4;
  const wFloats = g.outChannels * (g.inChannels / g.groups) * g.kernelH * g.kernelW;
  const tapeSpace = (bytes: number) => threads.arena.after(threads.op, bytes);

  /** A pass whose slices each get `perSlice` floats of scratch, after `shared` floats. */
  function split<P>(pick: (p: ConvPasses) => Pass<P>, shared: number, run: (scratch: number, perSlice: number, p: P) => void): Pass<P> {
    const perSlice = roundUp4(Math.max(...passes.map((p) => pick(p).scratchFloats)));
    return { scratchFloats: shared + perSlice * slices.length, run: (_k, p, scratch) => run(scratch, perSlice, p) };
  }

  const forward = split<ForwardPointers>((p) => p.forward, 0, (scratch, perSlice, p) =>
    threads.pool.run(threads.op, slices.map(({ start }, t) => (k) => passes[t].forward.run(k, {
      ...p, x: p.x + start * xImageBytes, y: p.y + start * yImageBytes,
    }, scratch + t * perSlice * 4)), tapeSpace));

  const inputGradient = split<InputGradientPointers>((p) => p.inputGradient, 0, (scratch, perSlice, p) =>
    threads.pool.run(threads.op, slices.map(({ start }, t) => (k) => passes[t].inputGradient.run(k, {
      ...p, dy: p.dy + start * yImageBytes, dx: p.dx + start * xImageBytes,
    }, scratch + t * perSlice * 4)), tapeSpace));

  // partial dW rows (slices × wFloats, packed so f32_colsum adds them) then partial db rows
  const partialFloats = roundUp4(slices.length * wFloats) + roundUp4(slices.length * g.outChannels);
  const filterGradient = split<FilterGradientPointers>((p) => p.filterGradient, partialFloats, (scratch, perSlice, p) => {
    const dwPartials = scratch;
    const dbPartials = scratch + roundUp4(slices.length * wFloats) * 4;
    const sliceScratch = scratch + partialFloats * 4;
    threads.pool.run(threads.op, slices.map(({ start }, t) => (k) => passes[t].filterGradient.run(k, {
      dy: p.dy + start * yImageBytes, x: p.x + start * xImageBytes,
      dw: dwPartials + t * wFloats * 4, db: dbPartials + t * g.outChannels * 4,
    }, sliceScratch + t * perSlice * 4)), tapeSpace);
    const k = threads.pool.kernels;
    k.f32_colsum(dwPartials, slices.length, wFloats, p.dw);
    k.f32_colsum(dbPartials, slices.length, g.outChannels, p.db);
  });

  return { strategy: passes[0].strategy, forward, inputGradient, filterGradient };
}
