// The resident allocator: live blocks never overlap, stay aligned and inside the region; freed
// space is reused and coalesced; freeing everything returns the region to nothing. And in a
// real backend: per-call layouts start above resident blocks, and growth keeps data intact.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { backend, conv2d, init, nn, tensor } from '../src/index.js';
import { requireBackend } from '../src/runtime.js';
import { BLOCK_ALIGN, ResidentAllocator, type ResidentBlock } from '../src/resident.js';

function checkInvariants(a: ResidentAllocator, base: number, live: ResidentBlock[]): void {
  const sorted = [...live].sort((x, y) => x.ptr - y.ptr);
  for (let i = 0; i < sorted.length; i++) {
    const b = sorted[i];
    expect(b.ptr % BLOCK_ALIGN, `block at ${b.ptr} aligned`).toBe(0);
    expect(b.ptr).toBeGreaterThanOrEqual(base);
    expect(b.ptr + b.bytes).toBeLessThanOrEqual(a.top);
    if (i > 0) expect(sorted[i - 1].ptr + sorted[i - 1].bytes, `blocks at ${sorted[i - 1].ptr} and ${b.ptr} overlap`).toBeLessThanOrEqual(b.ptr);
  }
  expect(a.stats.liveBlocks).toBe(live.length);
  expect(a.stats.liveBytes).toBe(live.reduce((n, b) => n + b.bytes, 0));
}

describe('ResidentAllocator', () => {
  it('random alloc/free sequences keep blocks disjoint, aligned and in the region; freeing all empties it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5000 }), fc.nat()), { maxLength: 60 }), (ops) => {
        let grownTo = 0;
        const base = 1000;
        const a = new ResidentAllocator(base, (_op, bytes) => (grownTo = Math.max(grownTo, bytes)));
        const start = a.top;
        expect(start % BLOCK_ALIGN).toBe(0);
        const live: ResidentBlock[] = [];
        for (const [allocate, bytes, pick] of ops) {
          if (allocate || live.length === 0) {
            const b = a.alloc('test', bytes);
            expect(b.bytes).toBeGreaterThanOrEqual(bytes);
            live.push(b);
          } else {
            a.release(live.splice(pick % live.length, 1)[0]);
          }
          checkInvariants(a, start, live);
          expect(grownTo).toBeGreaterThanOrEqual(a.top);
        }
        for (const b of live.splice(0)) a.release(b);
        expect(a.top).toBe(start);
        expect(a.stats.freeBlocks).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('reuses a freed block of the same size instead of growing', () => {
    const a = new ResidentAllocator(0, () => {});
    const x = a.alloc('t', 100), y = a.alloc('t', 100), z = a.alloc('t', 100);
    const top = a.top;
    a.release(y);
    const y2 = a.alloc('t', 90);
    expect(y2.ptr).toBe(y.ptr);
    expect(a.top).toBe(top);
    a.release(x);
    a.release(y2);
    // x and y2 coalesce into one block that fits 200 bytes
    const w = a.alloc('t', 200);
    expect(w.ptr).toBe(x.ptr);
    expect(a.top).toBe(top);
    // z at the end goes back to the region, with the free tail of x+y before it
    a.release(z);
    expect(a.top).toBe(w.ptr + w.bytes);
  });

  it('double free is an Error', () => {
    const a = new ResidentAllocator(0, () => {});
    const b = a.alloc('t', 16);
    a.release(b);
    expect(() => a.release(b)).toThrow(/already freed/);
  });

  it('a growth failure propagates as the ensure callback\'s Error and leaves the allocator as it was', () => {
    const a = new ResidentAllocator(0, (op, bytes) => {
      if (bytes > 1024) throw new Error(`${op}: no memory for ${bytes}`);
    });
    a.alloc('t', 512);
    expect(() => a.alloc('big', 4096)).toThrow(/big: no memory/);
    expect(a.top).toBe(512);
    expect(a.stats.liveBlocks).toBe(1);
  });
});

describe('resident blocks in Wasm memory', () => {
  beforeAll(async () => {
    await init({ isa: 'simd' });
  });

  it('functional calls lay out their tensors above resident blocks, which keep their data', () => {
    const { arena } = requireBackend('test');
    const block = arena.resident.alloc('test', 4096 * 4);
    const mine = Float32Array.from({ length: 4096 }, (_, i) => i * 0.5);
    arena.write(block.ptr, mine);
    const x = tensor(new Float32Array(2 * 3 * 16 * 16).fill(1), [2, 3, 16, 16]);
    const w = tensor(new Float32Array(8 * 3 * 3 * 3).fill(0.5), [8, 3, 3, 3]);
    const y = conv2d(x, w, null, { padding: 1 });
    expect(y.data[8 * 16 + 8]).toBeCloseTo(13.5, 5);
    expect(arena.read(block.ptr, 4096)).toEqual(mine);
    arena.resident.release(block);
  });

  it('parameters survive memory growth and read back through fresh views; dispose frees their memory', () => {
    const { arena } = requireBackend('test');
    const before = arena.resident.stats.liveBytes;
    const layer = new nn.Linear(8, 4, { seed: 3 });
    const weights = layer.weight.read();
    const pagesBefore = backend().memoryBytes;
    // allocate enough to force growth (detaching every old view of memory)
    const big = arena.resident.alloc('test', pagesBefore + 4 * 65536);
    expect(backend().memoryBytes).toBeGreaterThan(pagesBefore);
    expect(layer.weight.read()).toEqual(weights);
    layer.weight.write(new Float32Array(32).fill(2));
    expect(arena.f32()[layer.weight.ptr >>> 2]).toBe(2);
    arena.resident.release(big);
    layer.dispose();
    expect(arena.resident.stats.liveBytes).toBe(before);
    expect(() => layer.weight.read()).toThrow(/disposed/);
  });
});
