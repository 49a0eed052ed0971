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

const PAGE_BYTES = 4096;
const PAGE_FLOATS = PAGE_BYTES / 4;
const wholePages = (floats: number) => Math.ceil(floats / PAGE_FLOATS) * PAGE_FLOATS;

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

  /**
   * A pass whose slices each get a region of whole pages: `reserved` floats (partial sums)
   * then the slice pass's scratch. Regions start on page boundaries because the cores'
   * prefetchers stop there: with one slice's partial dW right after the other's, each core's
   * prefetches kept stealing the lines the other core was accumulating into, and L3's dW+db
   * ran 15–75% slower on 2 threads than its half alone (1.16 ms); in separate pages it runs
   * at the half's speed.
   */
  function split<P>(
    pick: (p: ConvPasses) => Pass<P>, reserved: number,
    run: (regions: number, regionFloats: number, p: P, hooks?: SliceHooks) => void,
  ): Pass<P> {
    const regionFloats = wholePages(reserved + Math.max(...passes.map((p) => pick(p).scratchFloats)));
    return {
      // a page of slack to round the caller's (16-byte aligned) scratch up to a page boundary
      scratchFloats: PAGE_FLOATS + regionFloats * slices.length,
      run: (_k, p, scratch, hooks) => run(Math.ceil(scratch / PAGE_BYTES) * PAGE_BYTES, regionFloats, p, hooks),
    };
  }

  const forward = split<ForwardPointers>((p) => p.forward, 0, (regions, regionFloats, p, hooks) =>
    runSlices(slices.map(({ start }, t) => (k) => passes[t].forward.run(k, {
      ...p, x: p.x + start * xImageBytes, y: p.y + start * yImageBytes,
    }, regions + t * regionFloats * 4)), hooks));

  const inputGradient = split<InputGradientPointers>((p) => p.inputGradient, 0, (regions, regionFloats, p, hooks) =>
    runSlices(slices.map(({ start }, t) => (k) => passes[t].inputGradient.run(k, {
      ...p, dy: p.dy + start * yImageBytes, dx: p.dx + start * xImageBytes,
    }, regions + t * regionFloats * 4)), hooks));

  // each region: the slice's partial dW, its partial db (16-byte aligned), then its scratch;
  // the partials are added in slice order, so scheduling never changes the sums
  const dbOffsetFloats = Math.ceil(wFloats / 4) * 4;
  const partialFloats = dbOffsetFloats + Math.ceil(g.outChannels / 4) * 4;
  const filterGradient = split<FilterGradientPointers>((p) => p.filterGradient, partialFloats, (regions, regionFloats, p, hooks) => {
    const region = (t: number) => regions + t * regionFloats * 4;
    runSlices(slices.map(({ start }, t) => (k) => passes[t].filterGradient.run(k, {
      dy: p.dy + start * yImageBytes, x: p.x + start * xImageBytes,
      dw: region(t), db: region(t) + dbOffsetFloats * 4,
    }, region(t) + partialFloats * 4)), hooks);
    const k = threads.pool.kernels;
    k.f32_colsum(regions, slices.length, wFloats, regionFloats, p.dw);
    k.f32_colsum(regions + dbOffsetFloats * 4, slices.length, g.outChannels, regionFloats, p.db);
  });

  return { strategy: passes[0].strategy, forward, inputGradient, filterGradient, slices };
}
