// How a split pass cuts its work into chunks (src/ops/passes/parallel.ts): every output element
// in exactly one chunk, each thread's chunks within its share of the batch and largest first,
// blocks of channels only in a share's last image and on 4-channel boundaries, and never more
// chunks than the pool's protocol or the dW partials allow.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { convGeometry } from '../src/ops/geometry.js';
import { parseConv2dOptions } from '../src/ops/options.js';
import { evenSlices, guidedSizes, planChunks, setMinFlopsPerThread, type ChunkPlan } from '../src/ops/passes/parallel.js';
import { MAX_CHUNKS } from '../src/threads/protocol.js';

const geometry = (x: number[], w: number[], padding = 0) => convGeometry('test', x, w, parseConv2dOptions('test', { padding }));

/** Throws unless the plan covers each of `batch` images' `channels` output channels exactly once, thread by thread. */
function checkPlan({ chunks, starts }: ChunkPlan, batch: number, threads: number, channels: number, maxPerThread: number): void {
  expect(starts.length).toBe(threads);
  expect(chunks.length).toBeLessThanOrEqual(MAX_CHUNKS);
  const covered = new Uint8Array(batch * channels);
  evenSlices(0, batch, threads).forEach((share, t) => {
    const mine = chunks.slice(starts[t], starts[t + 1] ?? chunks.length);
    expect(mine.length).toBeLessThanOrEqual(maxPerThread);
    let previous = Infinity;
    mine.forEach((chunk, i) => {
      expect(chunk.start).toBeGreaterThanOrEqual(share.start);
      expect(chunk.start + chunk.count).toBeLessThanOrEqual(share.start + share.count);
      if (chunk.channels) {
        // a block: of the share's last image, starting on a 4-channel boundary
        expect(chunk.count).toBe(1);
        expect(chunk.start).toBe(share.start + share.count - 1);
        expect(chunk.channels.of).toBe(channels);
        expect(chunk.channels.from % 4).toBe(0);
        expect(chunk.channels.to).toBeGreaterThan(chunk.channels.from);
        for (let c = chunk.channels.from; c < chunk.channels.to; c++) covered[chunk.start * channels + c]++;
      } else {
        // whole images, largest first, before any block
        expect(mine.slice(0, i).some((c) => c.channels)).toBe(false);
        expect(chunk.count).toBeLessThanOrEqual(previous);
        previous = chunk.count;
        covered.fill(1, chunk.start * channels, (chunk.start + chunk.count) * channels);
      }
    });
  });
  expect([...covered].every((n) => n === 1)).toBe(true);
}

describe('chunk plans', () => {
  let threshold: number | null = null;
  afterEach(() => {
    if (threshold !== null) setMinFlopsPerThread(threshold);
    threshold = null;
  });

  it('S5 on 2 threads: three images each, then the last in four blocks of 64 channels', () => {
    const plan = planChunks(geometry([8, 256, 14, 14], [256, 256, 1, 1]), 2, Infinity, 256);
    const blocks = [0, 64, 128, 192].map((from) => ({ from, to: from + 64, of: 256 }));
    expect(plan.starts).toEqual([0, 7]);
    expect(plan.chunks).toEqual([
      ...[0, 1, 2].map((start) => ({ start, count: 1 })), ...blocks.map((channels) => ({ start: 3, count: 1, channels })),
      ...[4, 5, 6].map((start) => ({ start, count: 1 })), ...blocks.map((channels) => ({ start: 7, count: 1, channels })),
    ]);
  });

  it('S2 on 2 threads: 32 images each, in chunks of 8, 8, 8, 4, 2, 1, then blocks', () => {
    const plan = planChunks(geometry([64, 32, 14, 14], [64, 32, 3, 3], 1), 2, Infinity, 64);
    const mine = plan.chunks.slice(0, plan.starts[1]);
    expect(mine.filter((c) => !c.channels).map((c) => c.count)).toEqual([8, 8, 8, 4, 2, 1]);
    expect(mine.filter((c) => c.channels).map((c) => [c.start, c.channels!.from, c.channels!.to])).toEqual([
      [31, 0, 16], [31, 16, 32], [31, 32, 48], [31, 48, 64],
    ]);
  });

  it('dW+db (no blocks) keeps to its partials: S4 on 2 threads has 2 chunks per thread', () => {
    const plan = planChunks(geometry([8, 128, 28, 28], [128, 128, 3, 3], 1), 2, 2);
    expect(plan.chunks).toEqual([{ start: 0, count: 2 }, { start: 2, count: 2 }, { start: 4, count: 2 }, { start: 6, count: 2 }]);
    expect(plan.starts).toEqual([0, 2]);
  });

  it('guided sizes: about half of what is left, at most a quarter of the range, within the count', () => {
    expect(guidedSizes(32, 1, Infinity)).toEqual([8, 8, 8, 4, 2, 1, 1]);
    expect(guidedSizes(4, 1, 3)).toEqual([2, 1, 1]);
    expect(guidedSizes(32, 6, Infinity)).toEqual([8, 8, 8, 6, 2]);
    expect(guidedSizes(5, 1, 1)).toEqual([5]);
  });

  for (const split of ['the default threshold', 'splitting everything (threshold 0)']) {
    it(`random geometries and thread counts cover every output once, with ${split}`, () => {
      if (split.includes('0')) threshold = setMinFlopsPerThread(0);
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 300 }),
          fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 64 }), fc.boolean(), fc.option(fc.integer({ min: 1, max: 8 })),
          (batch, threadsAsked, channels, size, inChannels, blockable, maxPerThread) => {
            const threads = Math.min(threadsAsked, batch);
            const g = geometry([batch, inChannels, size, size], [channels, inChannels, 1, 1]);
            const max = maxPerThread ?? Infinity;
            checkPlan(planChunks(g, threads, max, blockable ? channels : undefined), batch, threads, channels, max);
          },
        ),
        { numRuns: 500 },
      );
    });
  }
});
