// Multi-threaded passes: the batch cut into chunks, each run by the single-thread pass for
// that many images (or, for the last image of a thread's share, by a block of its output
// channels), and the chunks shared out as the threads come free (src/threads). Each thread
// has its own scratch. Forward and dX chunks write disjoint parts of y and dx, so those equal
// one thread's bit for bit. dW and db are sums over the batch: each chunk sums its images into
// its own partial buffer, then the partials are added in chunk order, so the result depends on
// the chunking (the batch and thread count) but never on which thread ran what.
import type { KernelExports } from '../../loader.js';
import type { WasmArena } from '../../memory.js';
import { MAX_CHUNKS } from '../../threads/protocol.js';
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
  built = new WeakMap(); // their chunk plans depend on it
  return old;
}

/**
 * Chunks per thread of the element-wise layer kernels (src/nn/parallel.ts): enough that a
 * thread held up for a while (its core lent to another process) leaves its share to the others.
 */
export const CHUNKS_PER_THREAD = 4;
/**
 * dW+db's chunks each hold a partial dW: at most this many per thread, and no more of them
 * than fit in x's size (S4's backward scratch, with dX's, stays under 2× x). They are added
 * up once all are done.
 */
const MAX_FILTER_CHUNKS_PER_THREAD = 6;
const filterChunksPerThread = (g: ConvGeometry, threads: number) =>
  Math.max(1, Math.min(MAX_FILTER_CHUNKS_PER_THREAD, Math.floor((g.batch * g.inChannels * g.inH * g.inW) / weightFloats(g) / threads)));

const weightFloats = (g: ConvGeometry) => g.outChannels * (g.inChannels / g.groups) * g.kernelH * g.kernelW;
/** No chunk smaller than this many FLOPs (a chunk costs a few microseconds to hand out). */
const MIN_FLOPS_PER_CHUNK = 1e6;
/**
 * dW's partials are summed on every thread (a share of the columns each) from this many floats
 * of partials on: S5's six partials (1.5 MB) took the calling thread 65–190 µs alone.
 */
const MIN_SPLIT_SUM_FLOATS = 1 << 17;
/** An image cut into at most this many blocks of output channels. */
const MAX_BLOCKS_PER_IMAGE = 4;

/** [start, start + total) cut into `count` contiguous slices whose sizes differ by at most one. */
export function evenSlices(start: number, total: number, count: number): Slice[] {
  return Array.from({ length: count }, (_, t) => {
    const from = start + Math.floor((t * total) / count);
    return { start: from, count: start + Math.floor(((t + 1) * total) / count) - from };
  });
}

/**
 * How many threads a pass over `g` uses, out of `threads`: one when splitting does not pay.
 * Not capped at the batch: a batch smaller than the thread count is cut into blocks of its
 * output where the pass can (planOutputBlocks), and over fewer threads where it cannot.
 */
export function threadsFor(g: ConvGeometry, threads: number): number {
  return Math.max(1, Math.min(threads, minFlopsPerThread > 0 ? Math.floor(flopsOf(g) / minFlopsPerThread) : Infinity));
}

/**
 * Blocks per thread when a small batch is cut by its output (planOutputBlocks): two, so that a
 * thread the OS holds up leaves half its share to the others; each block repeats the work its
 * output does not cut (padding the images; the Winograd input transform, cut by channels).
 */
const OUTPUT_BLOCKS_PER_THREAD = 2;

/** Blocks [from, to) of a pass's output units, and the first block of each thread's range. */
export interface BlockPlan {
  blocks: Array<{ from: number; to: number }>;
  starts: number[];
}

/**
 * `units` (output channels or tiles) cut into blocks for `threads` threads, `perThread` each
 * as far as whole groups of 4 go (blocks start at multiples of 4, the micro-kernel's rows and
 * the output transform's tiles per vector): the chunks of a batch smaller than the thread
 * count, each over the whole batch.
 */
export function planOutputBlocks(units: number, threads: number, perThread = OUTPUT_BLOCKS_PER_THREAD): BlockPlan {
  const groupsOf4 = Math.ceil(units / 4);
  const count = Math.min(threads * perThread, groupsOf4);
  const blocks = evenSlices(0, groupsOf4, count).map(({ start, count: groups }) => ({ from: 4 * start, to: Math.min(units, 4 * (start + groups)) }));
  const starts = Array.from({ length: threads }, (_, t) => Math.floor((t * count) / threads));
  return { blocks, starts };
}

/**
 * Chunk sizes for one thread's range of `total` images, largest first: each about half of
 * what is left, at most a quarter of the range, at least `minSize`, no more than `maxCount`
 * chunks. A thread runs its range front to back and the others take from its back, so the
 * small chunks at the end even out when the threads finish: the calling thread also copies
 * every chunk in and out, and a thread may lose its core for a while.
 */
export function guidedSizes(total: number, minSize: number, maxCount: number): number[] {
  const sizes: number[] = [];
  const maxSize = Math.ceil(total / 4);
  for (let left = total; left > 0;) {
    const chunksLeft = maxCount - sizes.length;
    const size = chunksLeft <= 1 ? left : Math.min(left, Math.max(minSize, Math.ceil(left / chunksLeft), Math.min(maxSize, Math.ceil(left / 2))));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

/** A pass's chunks, and the first chunk of each thread's range. */
export interface ChunkPlan {
  chunks: Slice[];
  starts: number[];
}

/**
 * The chunks of a pass over `g` on `threads` threads: each thread's even share of the batch
 * in guided sizes, and, for a pass that can split an image (`channels` output channels), the
 * last image of each share in blocks of channels (multiples of 4), so that with a small batch
 * (S5: 8 images on 2 threads) the threads still end within a fraction of an image.
 */
export function planChunks(g: ConvGeometry, threads: number, maxPerThread: number, channels?: number): ChunkPlan {
  const imageFlops = flopsOf(g) / g.batch;
  const splitting = minFlopsPerThread > 0;
  const minImages = splitting ? Math.max(1, Math.ceil(MIN_FLOPS_PER_CHUNK / imageFlops)) : 1;
  const budget = Math.min(maxPerThread, Math.floor(MAX_CHUNKS / threads));
  const maxBlocks = channels === undefined ? 1 : Math.max(1, Math.min(
    MAX_BLOCKS_PER_IMAGE, Math.ceil(channels / 4), splitting ? Math.floor(imageFlops / MIN_FLOPS_PER_CHUNK) : Infinity,
  ));
  const chunks: Slice[] = [];
  const starts: number[] = [];
  for (const share of evenSlices(0, g.batch, threads)) {
    starts.push(chunks.length);
    if (share.count === 0) continue;
    const sizes = guidedSizes(share.count, minImages, Math.max(1, budget - (maxBlocks - 1)));
    let at = share.start;
    for (const count of sizes) {
      chunks.push({ start: at, count });
      at += count;
    }
    const last = chunks[chunks.length - 1];
    const blocks = Math.min(maxBlocks, budget - sizes.length + 1);
    if (last.count === 1 && blocks > 1) chunks.splice(chunks.length - 1, 1, ...channelBlocks(last.start, channels!, blocks));
  }
  return { chunks, starts };
}

/** Image n's `channels` output channels in `blocks` blocks starting at multiples of 4. */
function channelBlocks(n: number, channels: number, blocks: number): Slice[] {
  const groupsOf4 = Math.ceil(channels / 4);
  return Array.from({ length: blocks }, (_, b) => ({
    start: n,
    count: 1,
    channels: { from: 4 * Math.floor((b * groupsOf4) / blocks), to: Math.min(channels, 4 * Math.floor(((b + 1) * groupsOf4) / blocks)), of: channels },
  }));
}

/**
 * Chunk c's feed, for chunks some of which are blocks of one image: the blocks share their
 * image's inputs, so only the first of them to be fed copies the image in.
 */
function feedingImagesOnce(feed: (images: Slice) => void, chunks: Slice[], batch: number): (c: number) => void {
  const fed = new Uint8Array(batch);
  return (c) => {
    const { start, count } = chunks[c];
    if (fed[start]) return;
    fed.fill(1, start, start + count);
    feed({ start, count });
  };
}

function flopsOf(g: ConvGeometry): number {
  return 2 * g.batch * g.outChannels * g.outH * g.outW * (g.inChannels / g.groups) * g.kernelH * g.kernelW;
}

const PAGE_BYTES = 4096;
const PAGE_FLOATS = PAGE_BYTES / 4;
const wholePages = (floats: number) => Math.ceil(floats / PAGE_FLOATS) * PAGE_FLOATS;

/**
 * Split passes built so far, per pool, by op, thread count and geometry (at most MAX_BUILT
 * per pool, the oldest dropped first): building one (chunk plans, passes per chunk size)
 * took ~60 µs of each of S2's calls, on the calling thread while the workers wait.
 */
let built = new WeakMap<ThreadPool, Map<string, ConvPasses>>();
/** Names each split pass built, for the pool's tape cache. */
let nextSplitId = 0;
const MAX_BUILT = 64;

/** A strategy's pass on the calling thread alone, for `batch` images (index.ts). */
export type OnCallingThread = <P>(pass: StagedPass<P>, batch: number) => Pass<P>;

/**
 * `single` passes run over chunks of the batch on `count` of the pool's threads; with fewer
 * images than threads, over blocks of output channels where the pass has them, else over
 * as many threads as images (`onCallingThread` for one).
 */
export function parallelPasses(
  g: ConvGeometry, count: number, single: (g: ConvGeometry) => StrategyPasses, threads: Threads, onCallingThread: OnCallingThread,
): ConvPasses {
  let forPool = built.get(threads.pool);
  if (!forPool) built.set(threads.pool, (forPool = new Map()));
  // String(±Infinity): JSON would write both as null (an activation's clamp bounds)
  const key = `${threads.op} ${count} ${JSON.stringify(g, (_k, v) => (v === Infinity || v === -Infinity ? String(v) : v))}`;
  let passes = forPool.get(key);
  if (!passes) {
    if (forPool.size >= MAX_BUILT) forPool.delete(forPool.keys().next().value!);
    forPool.set(key, (passes = buildParallelPasses(g, count, single, threads, onCallingThread)));
  }
  return passes;
}

function buildParallelPasses(
  g: ConvGeometry, count: number, single: (g: ConvGeometry) => StrategyPasses, threads: Threads, onCallingThread: OnCallingThread,
): ConvPasses {
  const sized = new Map<number, StrategyPasses>();
  /** The single-thread passes for `images` images. */
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
   * A pass over the plan's chunks: each thread prepares its scratch once (packs W, say), then
   * runs chunks of images or blocks of an image's channels. `reserved` floats per chunk
   * (partial sums) and each thread's scratch lie in regions of whole pages. Regions start on
   * page boundaries because the cores' prefetchers stop there: with one thread's partial dW
   * right after another's, each core's prefetches kept stealing the lines the other was
   * accumulating into, and LeNet's second conv's dW+db ran 15–75% slower on 2 threads than its
   * half alone; in separate pages it runs at the half's speed. `chunkPointers` gives a chunk of
   * images its pointers (its images, its partials); `after` runs once all chunks are done.
   */
  function split<P>(
    { chunks, starts }: ChunkPlan, pick: (p: StrategyPasses) => StagedPass<P>, reserved: number,
    chunkPointers: (p: P, chunk: Slice, reservedAt: number) => P, after?: (p: P, reservedAt: (c: number) => number, stride: number) => void,
    count = starts.length,
  ): Pass<P> {
    const chunkFloats = wholePages(reserved);
    const reservedFloats = reserved > 0 ? chunkFloats * chunks.length : 0;
    // tapes depend on the pointers and the scratch alone for passes that only call kernels
    const tapeId = chunks.every((c) => pick(passesFor(c.count)).callsOnly) ? `split ${nextSplitId++}` : null;
    const threadFloats = wholePages(Math.max(...chunks.map((c) => pick(passesFor(c.count)).scratchFloats)));
    // the block every thread reads (the same for every chunk size: it depends on the weights alone)
    const sharedPass = pick(passesFor(chunks[0].count)).shared;
    const sharedFloats = wholePages(sharedPass?.floats ?? 0);
    const run = (k: KernelExports, p: P, chunk: Slice, reservedAt: number, scratch: number, shared: number) => {
      const pass = pick(passesFor(chunk.count));
      if (chunk.channels) pass.channelBlocks!.block(k, p, scratch, chunk.start, chunk.channels.from, chunk.channels.to, shared);
      else pass.images(k, chunkPointers(p, chunk, reservedAt), scratch, shared);
    };
    return {
      // a page of slack to round the caller's (16-byte aligned) scratch up to a page boundary
      scratchFloats: PAGE_FLOATS + reservedFloats + sharedFloats + threadFloats * count,
      shared: sharedPass,
      run: (_k, p, scratch, copies?: ImageCopies, prepared?: number) => {
        const base = Math.ceil(scratch / PAGE_BYTES) * PAGE_BYTES;
        const reservedAt = (c: number) => base + c * chunkFloats * 4;
        const shared = !sharedPass ? 0 : prepared ?? base + reservedFloats * 4;
        const threadScratch = (t: number) => base + (reservedFloats + sharedFloats + t * threadFloats) * 4;
        if (sharedPass && prepared === undefined) sharedPass.prepare(threads.pool.kernels, p, shared);
        threads.pool.run(
          threads.op,
          chunks.map((chunk, c) => (k, thread) => run(k, p, chunk, reservedAt(c), threadScratch(thread), shared)),
          tapeSpace,
          {
            prologue: (k, thread) => pick(passesFor(chunks[0].count)).prepare(k, p, threadScratch(thread), shared),
            // resident tensors (training) have nothing to feed, and no per-call bookkeeping for it
            feed: copies?.feed && feedingImagesOnce(copies.feed, chunks, g.batch),
            drain: copies?.drain && ((c) => copies.drain!(chunks[c])),
          },
          count,
          starts,
          // the tapes hold the shared block's pointer too: a prepared block sits elsewhere
          tapeId === null ? undefined : `${tapeId} ${Object.values(p as object).join(' ')} ${scratch} ${shared}`,
        );
        after?.(p, reservedAt, chunkFloats);
      },
    };
  }

  /**
   * A batch smaller than the thread count, cut into blocks of its output (planOutputBlocks),
   * each block over the whole batch: each thread prepares its scratch once (the part of
   * prepare that does not need the weights), then runs blocks. The calling thread feeds every
   * image with the first block it feeds, and drains blocks of channels as they are done, tiles
   * (scattered over each image) once all are.
   */
  function splitOutputs<P>(pick: (p: StrategyPasses) => StagedPass<P>): Pass<P> {
    const pass = pick(passesFor(g.batch));
    const output = pass.outputBlocks!;
    const { blocks, starts } = planOutputBlocks(output.units, count);
    const byChannels = output.cuts === 'channels';
    const tapeId = pass.callsOnly ? `blocks ${nextSplitId++}` : null;
    const threadFloats = wholePages(pass.scratchFloats);
    const sharedFloats = wholePages(pass.shared?.floats ?? 0);
    const ownFloats = Math.ceil((output.ownFloats ?? 0) / 4) * 4;
    const blocksFloats = wholePages(ownFloats * blocks.length);
    const all = { start: 0, count: g.batch };
    return {
      scratchFloats: PAGE_FLOATS + sharedFloats + blocksFloats + threadFloats * count,
      shared: pass.shared,
      run: (_k, p, scratch, copies?: ImageCopies, prepared?: number) => {
        const base = Math.ceil(scratch / PAGE_BYTES) * PAGE_BYTES;
        const shared = !pass.shared ? 0 : prepared ?? base;
        const own = (b: number) => base + (sharedFloats + b * ownFloats) * 4;
        const threadScratch = (t: number) => base + (sharedFloats + blocksFloats + t * threadFloats) * 4;
        let fed = false;
        // every block reads the shared block (U, packed W): made here first unless it was kept
        if (pass.shared && prepared === undefined) pass.shared.prepare(threads.pool.kernels, p, shared);
        threads.pool.run(
          threads.op,
          blocks.map(({ from, to }, b) => (k, thread) => output.block(k, p, threadScratch(thread), from, to, shared, own(b))),
          tapeSpace,
          {
            prologue: (k, thread) => output.prepare(k, p, threadScratch(thread)),
            feed: copies?.feed && (() => {
              if (!fed) copies.feed!(all);
              fed = true;
            }),
            // a block of an image's channels is a contiguous part of it
            drain: byChannels && copies?.drain ? (c) => {
              const channels = { ...blocks[c], of: output.units };
              for (let n = 0; n < g.batch; n++) copies.drain!({ start: n, count: 1, channels });
            } : undefined,
          },
          count,
          starts,
          // the tapes hold the shared block's pointer too: a prepared block sits elsewhere
          tapeId === null ? undefined : `${tapeId} ${Object.values(p as object).join(' ')} ${scratch} ${shared}`,
        );
        if (!byChannels) copies?.drain?.(all);
      },
    };
  }

  /**
   * A pass over the batch's chunks (`splitOver` a thread count) when it has at least `count`
   * images; else cut by its output where it can, else over as many threads as images, or on
   * the calling thread alone.
   */
  const byBatchOrOutput = <P>(pick: (p: StrategyPasses) => StagedPass<P>, splitOver: (threadCount: number) => Pass<P>): Pass<P> => {
    if (g.batch >= count) return splitOver(count);
    // at most 4 units are one block: nothing to share out
    if ((pick(passesFor(g.batch)).outputBlocks?.units ?? 0) > 4) return splitOutputs(pick);
    return g.batch > 1 ? splitOver(g.batch) : onCallingThread(pick(passesFor(g.batch)), g.batch);
  };

  const blockable = (pass: StagedPass<unknown>) => pass.channelBlocks?.channels;
  const forward = byBatchOrOutput((s) => s.forward, (threadCount) =>
    split<ForwardPointers>(planChunks(g, threadCount, Infinity, blockable(passesFor(1).forward)), (s) => s.forward, 0, (p, { start }) => ({
      ...p, x: p.x + start * xImageBytes, y: p.y + start * yImageBytes,
    })));
  const inputGradient = byBatchOrOutput((s) => s.inputGradient, (threadCount) =>
    split<InputGradientPointers>(planChunks(g, threadCount, Infinity, blockable(passesFor(1).inputGradient)), (s) => s.inputGradient, 0, (p, { start }) => ({
      ...p, dy: p.dy + start * yImageBytes, dx: p.dx + start * xImageBytes,
    })));
  const filterGradient = byBatchOrOutput((s) => s.filterGradient, (threadCount) => splitFilterGradient(threadCount));
  return { strategy: passesFor(1).strategy, forward, inputGradient, filterGradient, threads: count };

  /**
   * dW+db over chunks of the batch on `count` threads: each chunk's region holds its partial
   * dW, then its partial db (16-byte aligned); the partials are added in chunk order, so which
   * thread ran a chunk never changes the sums.
   */
  function splitFilterGradient(count: number): Pass<FilterGradientPointers> {
    const filterPlan = planChunks(g, count, filterChunksPerThread(g, count));
    const filterChunks = filterPlan.chunks.length;
    const dbOffsetFloats = Math.ceil(wFloats / 4) * 4;
    const partialFloats = dbOffsetFloats + Math.ceil(g.outChannels / 4) * 4;
    const filterGradient = split<FilterGradientPointers>(filterPlan, (s) => s.filterGradient, partialFloats, (p, { start }, at) => ({
      dy: p.dy + start * yImageBytes, x: p.x + start * xImageBytes, dw: at, db: at + dbOffsetFloats * 4,
    }), (p, reservedAt, stride) => {
      const sumColumns = (k: KernelExports, { start, count: columns }: Slice) =>
        k.f32_colsum(reservedAt(0) + start * 4, filterChunks, columns, stride, p.dw + start * 4);
      const sumDb = (k: KernelExports) => k.f32_colsum(reservedAt(0) + dbOffsetFloats * 4, filterChunks, g.outChannels, stride, p.db);
      if (minFlopsPerThread > 0 && filterChunks * wFloats < MIN_SPLIT_SUM_FLOATS) {
        sumColumns(threads.pool.kernels, { start: 0, count: wFloats });
        sumDb(threads.pool.kernels);
        return;
      }
      // a share of dW's columns per thread: the partials the other threads wrote sit in their cores' caches
      const shares = evenSlices(0, wFloats, count).map((share, t) => (k: KernelExports) => {
        sumColumns(k, share);
        if (t === 0) sumDb(k);
      });
      threads.pool.run(threads.op, shares, tapeSpace, {}, count);
    });
    return filterGradient;
  }
}
