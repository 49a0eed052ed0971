// Multi-threaded passes: the batch split into one contiguous slice of images per thread, each
// slice run by the single-thread pass for that many images, with its own scratch. Forward and
// dX slices write disjoint parts of y and dx. dW and db are sums over the batch: each slice
// sums its images into its own partial buffer, then the partials are added in slice order,
// so the result depends on the thread count but never on scheduling.
import type { WasmArena } from '../../memory.js';
import type { Part, ThreadPool } from '../../threads/pool.js';
import type { ConvGeometry } from '../geometry.js';
import type { ConvPasses, FilterGradientPointers, ForwardPointers, InputGradientPointers, Pass, Slice, SliceHooks } from './types.js';

/** What a multi-threaded pass runs on. */
export interface Threads {
  pool: ThreadPool;
  arena: WasmArena;
  /** the op, for errors */
  op: string;
  /** how many images the calling thread takes (default: an even share) */
  mainImages?: number;
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

/** [start, start + total) cut into `count` contiguous slices whose sizes differ by at most one. */
export function evenSlices(start: number, total: number, count: number): Slice[] {
  return Array.from({ length: count }, (_, t) => {
    const from = start + Math.floor((t * total) / count);
    return { start: from, count: start + Math.floor(((t + 1) * total) / count) - from };
  });
}

/**
 * The slices of the batch, the calling thread's first; one slice when splitting does not pay.
 * `mainImages` sets how many the calling thread takes (at least one, at most an even share):
 * fewer when it also copies tensors in and out around its slice. The rest are shared evenly.
 */
export function batchSlices(g: ConvGeometry, threads: number, mainImages?: number): Slice[] {
  const flops = 2 * g.batch * g.outChannels * g.outH * g.outW * (g.inChannels / g.groups) * g.kernelH * g.kernelW;
  const count = Math.max(1, Math.min(threads, g.batch, minFlopsPerSlice > 0 ? Math.floor(flops / minFlopsPerSlice) : Infinity));
  if (count === 1) return [{ start: 0, count: g.batch }];
  const even = Math.floor(g.batch / count);
  const first = Math.min(Math.max(1, Math.round(mainImages ?? even)), even);
  return [{ start: 0, count: first }, ...evenSlices(first, g.batch - first, count - 1)];
}

const roundUp4 = (floats: number) => Math.ceil(floats / 4) * 4;
const PAGE_FLOATS = 1024;

/** `single` passes run over batch slices on the pool's threads. */
export function parallelPasses(g: ConvGeometry, slices: Slice[], single: (g: ConvGeometry) => ConvPasses, threads: Threads): ConvPasses {
  const passes = slices.map(({ count }) => single({ ...g, batch: count, outShape: [count, ...g.outShape.slice(1)] }));
  const xImageBytes = g.inChannels * g.inH * g.inW * 4;
  const yImageBytes = g.outChannels * g.outH * g.outW * 4;
  const wFloats = g.outChannels * (g.inChannels / g.groups) * g.kernelH * g.kernelW;
  const tapeSpace = (bytes: number) => threads.arena.after(threads.op, bytes);

  /** Runs the slices' parts on the pool, the hooks around the calling thread's. */
  const runSlices = (parts: Part[], hooks?: SliceHooks) => {
    const ms = threads.pool.run(threads.op, parts, tapeSpace, { before: hooks?.before, after: hooks?.after });
    hooks?.timed?.(ms);
  };

  /** A pass whose slices each get `perSlice` floats of scratch, after `shared` floats. */
  function split<P>(
    pick: (p: ConvPasses) => Pass<P>, shared: number, run: (scratch: number, perSlice: number, p: P, hooks?: SliceHooks) => void,
  ): Pass<P> {
    // whole 4 KiB pages per slice: slices next to each other must not share a cache line
    // (one slice's tap table beside the next one's B panel made S1-like forwards slower on 2
    // threads than on 1)
    const perSlice = Math.ceil(Math.max(...passes.map((p) => pick(p).scratchFloats)) / PAGE_FLOATS) * PAGE_FLOATS;
    return { scratchFloats: shared + perSlice * slices.length, run: (_k, p, scratch, hooks) => run(scratch, perSlice, p, hooks) };
  }

  const forward = split<ForwardPointers>((p) => p.forward, 0, (scratch, perSlice, p, hooks) =>
    runSlices(slices.map(({ start }, t) => (k) => passes[t].forward.run(k, {
      ...p, x: p.x + start * xImageBytes, y: p.y + start * yImageBytes,
    }, scratch + t * perSlice * 4)), hooks));

  const inputGradient = split<InputGradientPointers>((p) => p.inputGradient, 0, (scratch, perSlice, p, hooks) =>
    runSlices(slices.map(({ start }, t) => (k) => passes[t].inputGradient.run(k, {
      ...p, dy: p.dy + start * yImageBytes, dx: p.dx + start * xImageBytes,
    }, scratch + t * perSlice * 4)), hooks));

  // partial dW rows (slices × wFloats, packed so f32_colsum adds them) then partial db rows
  const partialFloats = Math.ceil((roundUp4(slices.length * wFloats) + roundUp4(slices.length * g.outChannels)) / PAGE_FLOATS) * PAGE_FLOATS;
  const filterGradient = split<FilterGradientPointers>((p) => p.filterGradient, partialFloats, (scratch, perSlice, p, hooks) => {
    const dwPartials = scratch;
    const dbPartials = scratch + roundUp4(slices.length * wFloats) * 4;
    const sliceScratch = scratch + partialFloats * 4;
    runSlices(slices.map(({ start }, t) => (k) => passes[t].filterGradient.run(k, {
      dy: p.dy + start * yImageBytes, x: p.x + start * xImageBytes,
      dw: dwPartials + t * wFloats * 4, db: dbPartials + t * g.outChannels * 4,
    }, sliceScratch + t * perSlice * 4)), hooks);
    const k = threads.pool.kernels;
    k.f32_colsum(dwPartials, slices.length, wFloats, p.dw);
    k.f32_colsum(dbPartials, slices.length, g.outChannels, p.db);
  });

  return { strategy: passes[0].strategy, forward, inputGradient, filterGradient, slices };
}
