// The pool past 2 GiB of Wasm memory: every offset the workers read from the shared control
// block (an Int32Array) must be taken as unsigned, or a tape laid out above 2³¹ bytes becomes a
// negative offset and the worker dies. A resident block of 2.1 GiB puts the next call's layout
// (and its tapes) there; a conv split across 2 threads then equals the same conv on one.
import { describe, expect, it } from 'vitest';
import { backend, conv2d, dispose, init, tensor } from '../src/index.js';
import { requireBackend } from '../src/runtime.js';
import { randomData, seededRandom } from './helpers/random.js';

describe('threads past 2 GiB of memory', () => {
  it('a 2-thread conv whose scratch and tapes sit above 2³¹ bytes equals one thread\'s', async () => {
    const random = seededRandom(1);
    const x = tensor(randomData(8 * 16 * 20 * 20, random), [8, 16, 20, 20]);
    const w = tensor(randomData(32 * 16 * 9, random), [32, 16, 3, 3]);
    await init({ isa: 'simd', threads: 1 });
    const one = conv2d(x, w, null, { padding: 1 }).data;
    await init({ isa: 'simd', threads: 2 });
    expect(backend().threads).toBe(2);
    const { arena } = requireBackend('test');
    const block = arena.resident.alloc('test', 2 ** 31 + 2 ** 26);
    try {
      expect(arena.resident.top).toBeGreaterThan(2 ** 31);
      const two = conv2d(x, w, null, { padding: 1 }).data;
      expect(two).toEqual(one);
      expect(backend().threads).toBe(2);
    } finally {
      arena.resident.release(block);
      await dispose();
    }
  });
});
