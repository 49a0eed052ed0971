// Multi-threaded passes: the batch cut into chunks of consecutive images (a few per thread),
// each chunk run by the single-thread pass for that many images, and the chunks shared out
// as the threads come free (src/threads). Each thread has its own scratch. Forward and dX
// chunks write disjoint parts of y and dx, so those equal one thread's bit for bit. dW and db
// are sums over the batch: each chunk sums its images into its own partial buffer, then the
// partials are added in chunk order, so the result depends on the chunking (the batch and
// thread count) but never on which thread ran what.
import type { WasmArena } from '../../memory.js';
import type { Chunk, ThreadPool } from '../../threads/pool.js';
import type { ConvGeometry } from '../geometry.js';
import type {
  ConvPasses, FilterGradientPointers, ForwardPointers, ImageCopies, InputGradientPointers, Pass, Slice, StagedPass, StrategyPasses,
} from './types.js';

/** What a multi-threaded pass runs on. */
export interface Threads {
  pool: ThreadPool;
  arena: WasmArena;
  /** the op, for errors */
  op: string;
}

/**
 * Below this many FLOPs per thread a pass stays on one thread: waking a worker and handing it
 * its tapes costs tens of microseconds, about what 2 MFLOP take.
 */
let minFlopsPerThread = 2e6;

/** Sets that threshold (0: split any batch of 2 or more; the thread tests use it on small shapes). Returns the old value. */
export function setMinFlopsPerThread(flops: number): number {
  const old = minFlopsPerThread;
  minFlopsPerThread = flops;
  return old;
}

/**
 * Chunks per thread: enough that a thread held up for a while (its core lent to another
 * process) leaves its share to the others, few enough that each chunk's own setup (packing
 * W, say) stays small beside its images' work.
 */
export const CHUNKS_PER_THREAD = 4;
/**
 * dW+db's chunks each hold a partial dW: no more of them than fit in x's size (S4's backward
 * scratch, with dX's, stays under 2× x).
 */
const filterChunksPerThread = (g: ConvGeometry, threads: number) =>
  Math.min(CHUNKS_PER_THREAD, Math.floor((g.batch * g.inChannels * g.inH * g.inW) / weightFloats(g) / threads));

const weightFloats = (g: ConvGeometry) => g.outChannels * (g.inChannels / g.groups) * g.kernelH * g.kernelW;
/** No chunk smaller than this many FLOPs (a chunk costs a few microseconds to hand out). */
const MIN_FLOPS_PER_CHUNK = 1e6;

/** [start, start + total) cut into `count` contiguous slices whose sizes differ by at most one. */
export function evenSlices(start: number, total: number, count: number): Slice[] {
  return Array.from({ length: count }, (_, t) => {
    const from = start + Math.floor((t * total) / count);
    return { start: from, count: start + Math.floor(((t + 1) * total) / count) - from };
  });
}

/** How many threads a pass over `g` uses, out of `threads`: one when splitting does not pay. */
export function threadsFor(g: ConvGeometry, threads: number): number {
  return Math.max(1, Math.min(threads, g.batch, minFlopsPerThread > 0 ? Math.floor(flopsOf(g) / minFlopsPerThread) : Infinity));
}

/** The chunks of the batch for `threads` threads, `perThread` each at most. */
function batchChunks(g: ConvGeometry, threads: number, perThread: number): Slice[] {
  const bySize = minFlopsPerThread > 0 ? Math.floor(flopsOf(g) / MIN_FLOPS_PER_CHUNK) : Infinity;
  return evenSlices(0, g.batch, Math.max(threads, Math.min(g.batch, perThread * threads, bySize)));
}

function flopsOf(g: ConvGeometry): number {
  return 2 * g.batch * g.outChannels * g.outH * g.outW * (g.inChannels / g.groups) * g.kernelH * g.kernelW;
}

const PAGE_BYTES = 4096;
const PAGE_FLOATS = PAGE_BYTES / 4;
const wholePages = (floats: number) => Math.ceil(floats / PAGE_FLOATS) * PAGE_FLOATS;

/** `single` passes run over chunks of the batch on `count` of the pool's threads. */
export function parallelPasses(g: ConvGeometry, count: number, single: (g: ConvGeometry) => StrategyPasses, threads: Threads): ConvPasses {
  const sized = new Map<number, StrategyPasses>();
  /** The single-thread passes for `images` images (chunks come in at most two sizes). */
  const passesFor = (images: number) => {
    let passes = sized.get(images);
    if (!passes) sized.set(images, (passes = single({ ...g, batch: images, outShape: [images, ...g.outShape.slice(1)] })));
    return passes;
  };
  const xImageBytes = g.inChannels * g.inH * g.inW * 4;
  const yImageBytes = g.outChannels * g.outH * g.outW * 4;
  const wFloats = weightFloats(g);
  const tapeSpace = (bytes: number) => threads.arena.after(threads.op, bytes);

  /**
   * A pass over `chunks`: each thread prepares its scratch once (packs W, say), then runs
   * chunks of images. `reserved` floats per chunk (partial sums) and each thread's scratch lie
   * in regions of whole pages. Regions start on page boundaries because the cores'
   * prefetchers stop there: with one thread's partial dW right after another's, each core's
   * prefetches kept stealing the lines the other was accumulating into, and LeNet's second
   * conv's dW+db ran 15–75% slower on 2 threads than its half alone; in separate pages it
   * runs at the half's speed. `chunkPointers` gives chunk c's pointers (its images, its
   * partials); `after` runs once all chunks are done.
   */
  function split<P>(
    chunks: Slice[], pick: (p: StrategyPasses) => StagedPass<P>, reserved: number,
    chunkPointers: (p: P, chunk: Slice, reservedAt: number) => P, after?: (p: P, reservedAt: (c: number) => number, stride: number) => void,
  ): Pass<P> {
    const chunkFloats = wholePages(reserved);
    const reservedFloats = reserved > 0 ? chunkFloats * chunks.length : 0;
    const threadFloats = wholePages(Math.max(...chunks.map((c) => pick(passesFor(c.count)).scratchFloats)));
    return {
      // a page of slack to round the caller's (16-byte aligned) scratch up to a page boundary
      scratchFloats: PAGE_FLOATS + reservedFloats + threadFloats * count,
      run: (_k, p, scratch, copies?: ImageCopies) => {
        const base = Math.ceil(scratch / PAGE_BYTES) * PAGE_BYTES;
        const reservedAt = (c: number) => base + c * chunkFloats * 4;
        const threadScratch = (t: number) => base + (reservedFloats + t * threadFloats) * 4;
        threads.pool.run(
          threads.op,
          chunks.map((chunk, c) => (k, thread) => pick(passesFor(chunk.count)).images(k, chunkPointers(p, chunk, reservedAt(c)), threadScratch(thread))),
          tapeSpace,
          {
            prologue: (k, thread) => pick(passesFor(chunks[0].count)).prepare(k, p, threadScratch(thread)),
            feed: copies?.feed && ((c) => copies.feed!(chunks[c])),
            drain: copies?.drain && ((c) => copies.drain!(chunks[c])),
          },
          count,
        );
        after?.(p, reservedAt, chunkFloats);
      },
    };
  }

  const chunks = batchChunks(g, count, CHUNKS_PER_THREAD);
  const forward = split<ForwardPointers>(chunks, (s) => s.forward, 0, (p, { start }) => ({
    ...p, x: p.x + start * xImageBytes, y: p.y + start * yImageBytes,
  }));
  const inputGradient = split<InputGradientPointers>(chunks, (s) => s.inputGradient, 0, (p, { start }) => ({
    ...p, dy: p.dy + start * yImageBytes, dx: p.dx + start * xImageBytes,
  }));

  // each chunk's region: its partial dW, then its partial db (16-byte aligned); the partials
  // are added in chunk order, so which thread ran a chunk never changes the sums
  const filterChunks = batchChunks(g, count, filterChunksPerThread(g, count));
  const dbOffsetFloats = Math.ceil(wFloats / 4) * 4;
  const partialFloats = dbOffsetFloats + Math.ceil(g.outChannels / 4) * 4;
  const filterGradient = split<FilterGradientPointers>(filterChunks, (s) => s.filterGradient, partialFloats, (p, { start }, at) => ({
    dy: p.dy + start * yImageBytes, x: p.x + start * xImageBytes, dw: at, db: at + dbOffsetFloats * 4,
  }), (p, reservedAt, stride) => {
    const k = threads.pool.kernels;
    k.f32_colsum(reservedAt(0), filterChunks.length, wFloats, stride, p.dw);
    k.f32_colsum(reservedAt(0) + dbOffsetFloats * 4, filterChunks.length, g.outChannels, stride, p.db);
  });

  return { strategy: passesFor(chunks[0].count).strategy, forward, inputGradient, filterGradient, threads: count };
}
