// The thread pool: results with threads against the reference (fuzzed) and against one
// thread, determinism, the init({ threads }) option, and failures that must surface as
// Errors rather than hangs.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, conv1d, conv1dBackward, conv2d, conv2dBackward, dispose, init, nn, tensor, type Tensor } from '../src/index.js';
import { setMinFlopsPerThread } from '../src/ops/passes/parallel.js';
import { requireBackend } from '../src/runtime.js';
import type { KernelExports } from '../src/loader.js';
import {
  claimTask, doneFlag, FED_ALL, fedFlag, GENERATION, isPosted, rangeOf, SHUTDOWN, slot, STATE, STATE_STOPPED, TASK, withdrawTask,
} from '../src/threads/protocol.js';
import { FUZZ_PROPERTIES } from './helpers/arbitraries.js';
import { checkConvCase, type ConvCase } from './helpers/check-conv.js';
import { TEST_ISAS } from './helpers/isas.js';
import { product, randomData, seededRandom } from './helpers/random.js';

const RUNS = Number(process.env.WASMCONV_THREAD_FUZZ_RUNS ?? 300);

/** Batches of 2–4 images, so that every case is split (uneven splits with 3 threads). */
const withBatchOfTwoOrMore = (c: ConvCase): ConvCase => ({ ...c, xShape: [c.xShape[0] + 1, ...c.xShape.slice(1)] });

/** The functional conv2d/conv1d passes of a case, as flat arrays. */
async function results(c: ConvCase, threads: number, isa: (typeof TEST_ISAS)[number]) {
  await init({ isa, threads });
  const random = seededRandom(c.seed);
  const x = tensor(randomData(product(c.xShape), random), c.xShape);
  const w = tensor(randomData(product(c.wShape), random), c.wShape);
  const forward = c.xShape.length === 4 ? conv2d : conv1d;
  const backwardOf = c.xShape.length === 4 ? conv2dBackward : conv1dBackward;
  const y = forward(x, w, null, c.opts as never);
  const dy = tensor(randomData(y.data.length, random), y.shape);
  const g = backwardOf(dy, x, w, c.opts as never);
  return { y: y.data, dx: g.dx.data, dw: g.dw.data, db: g.db.data };
}

const bitwiseEqual = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && new Uint32Array(a.buffer, a.byteOffset, a.length).every((v, i) => v === new Uint32Array(b.buffer, b.byteOffset, b.length)[i]);

/** True once the first worker has taken every chunk of its range (the pool's control block). */
function workerRangeEmpty(control: Int32Array): boolean {
  const range = Atomics.load(control, rangeOf(1));
  return (range & 0xffff) >= range >>> 16;
}

/** Runs `body` with the split threshold at 0 (every batch of 2 or more splits), then puts it back. */
async function splittingEverything(body: () => Promise<void>): Promise<void> {
  const threshold = setMinFlopsPerThread(0);
  try {
    await body();
  } finally {
    setMinFlopsPerThread(threshold);
  }
}

for (const isa of TEST_ISAS) {
  describe(`threads, isa ${isa}`, () => {
    let threshold: number;
    beforeAll(async () => {
      threshold = setMinFlopsPerThread(0); // split even the fuzzer's tiny shapes
      await init({ isa, threads: 3 });
      expect(backend().threads).toBe(3);
    });
    afterAll(() => {
      setMinFlopsPerThread(threshold);
    });

    for (const [name, arbitrary] of FUZZ_PROPERTIES) {
      it(`${name}, 3 threads: ${RUNS} random cases against the reference`, async () => {
        await init({ isa, threads: 3 });
        fc.assert(fc.property(arbitrary.map(withBatchOfTwoOrMore), (c) => checkConvCase(`${isa} ×3 threads`, c)), { numRuns: RUNS });
      }, 120_000);
    }

    it('tapes replayed for the same shapes and pointers: a case called again with other data still matches the reference', async () => {
      await init({ isa, threads: 3 });
      fc.assert(
        fc.property(fc.oneof(...FUZZ_PROPERTIES.map(([, a]) => a)).map(withBatchOfTwoOrMore), (c) => {
          checkConvCase(`${isa} ×3 threads, recorded`, c);
          checkConvCase(`${isa} ×3 threads, replayed`, { ...c, seed: c.seed + 1 });
        }),
        { numRuns: 100 },
      );
    }, 120_000);

    it('y and dx equal one thread\'s bit for bit; dw and db are the same on every run', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(...FUZZ_PROPERTIES.map(([, a]) => a)).map(withBatchOfTwoOrMore), async (c) => {
          const one = await results(c, 1, isa);
          const two = await results(c, 2, isa);
          const again = await results(c, 2, isa);
          expect(bitwiseEqual(two.y, one.y), 'y').toBe(true);
          expect(bitwiseEqual(two.dx, one.dx), 'dx').toBe(true);
          expect(bitwiseEqual(again.dw, two.dw) && bitwiseEqual(again.db, two.db), 'dw, db deterministic').toBe(true);
        }),
        { numRuns: 100 },
      );
    }, 120_000);
  });
}

describe('init({ threads })', () => {
  it('rejects bad values with an Error naming the option', async () => {
    for (const bad of [0, -1, 1.5, 65, 'many', null]) {
      await expect(init({ threads: bad as never })).rejects.toThrow(/^init: threads must be 'auto' or an integer from 1 to 64; got /);
    }
  });

  it("'auto' uses the available cores, at most 8; backend() says how many run", async () => {
    const { availableParallelism } = await import('node:os');
    await init({ isa: 'scalar' });
    expect(backend().threads).toBe(Math.min(availableParallelism(), 8));
    await init({ isa: 'scalar', threads: 1 });
    expect(backend().threads).toBe(1);
    expect(backend().threadsNote).toBeUndefined();
  });

  it('falls back to one thread, with a note, where SharedArrayBuffer is missing', async () => {
    const saved = globalThis.SharedArrayBuffer;
    try {
      (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer = undefined;
      await init({ isa: 'simd', threads: 2 });
    } finally {
      globalThis.SharedArrayBuffer = saved;
    }
    expect(backend().threads).toBe(1);
    expect(backend().threadsNote).toBe('2 threads were asked for but one runs: SharedArrayBuffer is not available');
    const y = conv2d(tensor([1, 2, 3, 4], [1, 1, 2, 2]), tensor([1], [1, 1, 1, 1]));
    expect(Array.from(y.data)).toEqual([1, 2, 3, 4]);
    await init({ isa: 'simd', threads: 2 }); // with SharedArrayBuffer back, threads run
    expect(backend().threads).toBe(2);
  });
});

describe('failures on a worker', () => {
  const x = tensor(randomData(4 * 8 * 12 * 12, seededRandom(1)), [4, 8, 12, 12]);
  const w = tensor(randomData(8 * 8 * 9, seededRandom(2)), [8, 8, 3, 3]);
  let expected: Tensor;
  let threshold: number;
  beforeAll(async () => {
    threshold = setMinFlopsPerThread(0);
    await init({ isa: 'simd', threads: 1 });
    expected = conv2d(x, w, null, { padding: 1 });
  });
  afterAll(() => {
    setMinFlopsPerThread(threshold);
  });

  it('a trap in a worker is an Error naming the op and the worker, and the pool keeps working', async () => {
    await init({ isa: 'simd', threads: 2 });
    const { pool, arena } = requireBackend('test');
    const outOfBounds = 0xfffffff0;
    // Two chunks that trap on the worker. The calling thread runs its own (the first) until the
    // worker has taken the other, so that it cannot take that one over.
    const control = (pool as unknown as { control: Int32Array }).control;
    const chunk = (k: KernelExports, thread: number) => {
      if (thread > 0) k.f32_zero(outOfBounds, 64);
      else while (!workerRangeEmpty(control));
    };
    expect(() => pool!.run('test op', [chunk, chunk], (bytes) => arena.after('test op', bytes)))
      .toThrow(/^test op: worker thread 1 failed: .*out of bounds/);
    expect(backend().threads).toBe(2);
    expect(conv2d(x, w, null, { padding: 1 }).data).toEqual(expected.data);
  });

  it('a worker that stops is an Error, not a hang; ops then run on one thread, and init() starts a new pool', async () => {
    await init({ isa: 'simd', threads: 2 });
    const { pool } = requireBackend('test');
    // the protocol's own shutdown, sent to the worker alone: it leaves its loop and reports itself gone
    const control = (pool as unknown as { control: Int32Array }).control;
    Atomics.store(control, slot(0, TASK), SHUTDOWN);
    Atomics.notify(control, slot(0, TASK));
    const stateAt = slot(0, STATE);
    while (Atomics.load(control, stateAt) !== STATE_STOPPED) Atomics.wait(control, stateAt, Atomics.load(control, stateAt), 10);
    expect(() => conv2d(x, w, null, { padding: 1 })).toThrow(/^conv2d: worker thread 1 stopped before finishing its part/);
    expect(backend()).toMatchObject({ threads: 1, threadsNote: expect.stringMatching(/thread pool stopped/) });
    expect(conv2d(x, w, null, { padding: 1 }).data).toEqual(expected.data);
    await init({ isa: 'simd', threads: 2 });
    expect(backend().threads).toBe(2);
    expect(backend().threadsNote).toBeUndefined();
    expect(conv2d(x, w, null, { padding: 1 }).data).toEqual(expected.data);
  });

  it('dispose() stops the workers; ops then ask for init(), which starts over', async () => {
    await init({ isa: 'simd', threads: 2 });
    await dispose();
    expect(() => conv2d(x, w, null, { padding: 1 })).toThrow(/await init\(\)/);
    await init({ isa: 'simd', threads: 2 });
    expect(conv2d(x, w, null, { padding: 1 }).data).toEqual(expected.data);
  });
});

describe('sharing out chunks', () => {
  it('a thread held up in a chunk leaves the rest of its range to the others', async () => {
    await init({ isa: 'simd', threads: 2 });
    const { pool, arena, kernels } = requireBackend('test');
    const control = (pool as unknown as { control: Int32Array }).control;
    const slowFloats = 16 << 20; // zeroing 64 MB: milliseconds, against microseconds for the other chunks
    const at = arena.layout('test', { slow: slowFloats, out: 8, one: 1 });
    kernels.f32_zero(at.out, 8);
    arena.f32()[at.one / 4] = 1;
    const workerRangeFront = () => Atomics.load(control, rangeOf(1)) & 0xffff;
    // 8 chunks on 2 threads: 0–3 the calling thread's, 4–7 the worker's, whose first is slow;
    // each adds 1 to out[c], so that one run twice or not at all shows
    const runOnce = (attempt: number) => {
      const onCallingThread: number[] = [];
      const chunks = Array.from({ length: 8 }, (_, c) => (k: KernelExports, thread: number) => {
        if (thread > 0 && c === 4) k.f32_zero(at.slow, slowFloats);
        if (thread === 0) onCallingThread.push(c);
        if (thread === 0 && c === 0) while (workerRangeFront() < 5); // until the worker is inside chunk 4
        k.f32_rowsum_accumulate(at.one, 1, 1, at.out + c * 4);
      });
      pool!.run('test op', chunks, (bytes) => arena.after('test op', bytes));
      expect([...arena.read(at.out, 8)], 'every chunk ran once').toEqual(new Array(8).fill(attempt));
      return onCallingThread;
    };
    // The worker is held up only for as long as its slow chunk takes. If the OS holds this thread
    // up for longer (3 to 7 runs in 100 at loads of 5 to 9 on 2 cores), the worker goes on to 5–7 and then
    // takes this thread's chunks from the back: the same rule, seen from the other side, but not
    // the case this test is after. Every run must follow the rule; such a run is repeated.
    const expected = [0, 1, 2, 3, 7, 6, 5];
    let onCallingThread: number[] = [];
    for (let attempt = 1; attempt <= 20 && onCallingThread.join() !== expected.join(); attempt++) {
      onCallingThread = runOnce(attempt);
      const own = onCallingThread.filter((c) => c < 4);
      const taken = onCallingThread.slice(own.length);
      expect(own, 'its own chunks, from the front').toEqual([0, 1, 2, 3].slice(0, own.length));
      expect(taken, "then the worker's, from the back, once its own are done").toEqual(own.length === 4 ? [7, 6, 5].slice(0, taken.length) : []);
    }
    expect(onCallingThread, 'in one of 20 runs, the worker was held up in chunk 4 while this thread took 7, 6, 5').toEqual(expected);
  });

  it('feeds each chunk before any thread runs it, and drains it once, after it is done', async () => {
    await init({ isa: 'simd', threads: 3 });
    const { pool, arena, kernels } = requireBackend('test');
    const count = 12;
    const at = arena.layout('test', { src: count, out: count * 4 });
    kernels.f32_zero(at.src, count);
    kernels.f32_zero(at.out, count * 4);
    const fed: number[] = [];
    const drained: number[][] = [];
    // chunk c copies src[c] (fed just before) into its four floats of out (drained after)
    const chunks = Array.from({ length: count }, (_, c) => (k: KernelExports) => k.f32_fill_rows(at.out + c * 16, 1, 4, at.src + c * 4));
    pool!.run('test op', chunks, (bytes) => arena.after('test op', bytes), {
      feed: (c) => {
        fed.push(c);
        arena.f32()[at.src / 4 + c] = c + 1;
      },
      drain: (c) => drained.push([c, ...arena.read(at.out + c * 16, 4)]),
    });
    // the workers' ranges (4–7 and 8–11) are fed first, so they can start while the rest is copied
    expect(fed).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3]);
    expect(drained.map(([c]) => c).sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, c) => c));
    for (const [c, ...values] of drained) expect(values).toEqual([c + 1, c + 1, c + 1, c + 1]);
  });

  it('counts no chunk fed or done before it is, across the wrap of the task number', async () => {
    await init({ isa: 'simd', threads: 2 });
    const { pool, arena, kernels } = requireBackend('test');
    const control = (pool as unknown as { control: Int32Array }).control;
    const count = 8;
    const at = arena.layout('test', { src: count, out: count });
    kernels.f32_zero(at.out, count);
    // chunk c copies src[c] (fed just before) into out[c]
    const chunks = Array.from({ length: count }, (_, c) => (k: KernelExports) => k.f32_fill_rows(at.out + c * 4, 1, 1, at.src + c * 4));
    // the last task numbers before the wrap (2^30 − 1), and the first after it: set directly, as
    // 2^30 ops take days of training
    (pool as unknown as { generation: number }).generation = 0x3fffffff - 2;
    for (let run = 1; run <= 4; run++) {
      const early: number[] = [];
      pool!.run('test op', chunks, (bytes) => arena.after('test op', bytes), {
        feed: (c) => {
          // the first feed (the worker's range, 4–7, comes first): no chunk may start yet, nor count as done
          const task = Atomics.load(control, GENERATION);
          const counted = (d: number) =>
            Atomics.load(control, FED_ALL) === task || Atomics.load(control, fedFlag(d)) === task || Atomics.load(control, doneFlag(d)) === task;
          if (c === 4) for (let d = 0; d < count; d++) if (counted(d)) early.push(d);
          arena.f32()[at.src / 4 + c] = run * 10 + c;
        },
      });
      expect(early, `task ${Atomics.load(control, GENERATION)}: chunks counted fed or done before the first was fed`).toEqual([]);
      expect([...arena.read(at.out, count)]).toEqual(Array.from({ length: count }, (_, c) => run * 10 + c));
    }
  });

  it("takes ranges of any lengths (a pass's guided chunks), and refuses starts that are not ranges", async () => {
    await init({ isa: 'simd', threads: 3 });
    const { pool, arena, kernels } = requireBackend('test');
    const count = 12;
    const at = arena.layout('test', { out: count, one: 1 });
    kernels.f32_zero(at.out, count);
    arena.f32()[at.one / 4] = 1;
    const fed: number[] = [];
    // chunk c adds 1 to out[c]: run twice or not at all, it would not be 1
    const chunks = Array.from({ length: count }, (_, c) => (k: KernelExports) => k.f32_rowsum_accumulate(at.one, 1, 1, at.out + c * 4));
    pool!.run('test op', chunks, (bytes) => arena.after('test op', bytes), { feed: (c) => fed.push(c) }, 3, [0, 2, 9]);
    expect(fed).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1]);
    expect([...arena.read(at.out, count)]).toEqual(new Array(count).fill(1));
    for (const starts of [[0, 13, 13], [1, 2, 3], [0, 5, 4], [0, 2]]) {
      expect(() => pool!.run('test op', chunks, (bytes) => arena.after('test op', bytes), {}, 3, starts))
        .toThrow(new RegExp(`test op: range starts \\[${starts.join(', ')}\\] for 3 threads and 12 chunks`));
    }
    // still serving
    pool!.run('test op', chunks, (bytes) => arena.after('test op', bytes), {}, 3, [0, 0, 0]);
    expect([...arena.read(at.out, count)]).toEqual(new Array(count).fill(2));
  });
});

describe('a worker held up before it starts a task', () => {
  it('claiming and withdrawing a posted task exclude each other', () => {
    const control = new Int32Array(new SharedArrayBuffer(4096));
    const at = slot(1, TASK);
    for (const task of [1, 7, 0x3fffffff]) {
      Atomics.store(control, at, task);
      expect(isPosted(Atomics.load(control, at))).toBe(true);
      const claimed = claimTask(control, 1, task);
      expect(claimed).toBe(Atomics.load(control, at));
      expect(withdrawTask(control, 1, task), 'a claimed task stays with the worker').toBe(false);
      expect(Atomics.load(control, at)).toBe(claimed);
      expect(isPosted(claimed!)).toBe(false);
      expect(claimed).not.toBe(SHUTDOWN);
      Atomics.store(control, at, task);
      expect(withdrawTask(control, 1, task)).toBe(true);
      expect(claimTask(control, 1, task), 'a withdrawn task is not claimed').toBeNull();
      const word = Atomics.load(control, at);
      expect(isPosted(word)).toBe(false);
      expect(word).not.toBe(SHUTDOWN);
    }
  });

  it('is not waited for once the calling thread has run every chunk, and serves the next task', async () => {
    await init({ isa: 'simd', threads: 2 });
    const { pool, arena, kernels } = requireBackend('test');
    const control = (pool as unknown as { control: Int32Array }).control;
    const count = 8;
    const at = arena.layout('test', { out: count, one: 1 });
    kernels.f32_zero(at.out, count);
    arena.f32()[at.one / 4] = 1;
    // chunk c adds 1 to out[c]: run twice or not at all, it would not be 1 more
    const chunks = Array.from({ length: count }, (_, c) => (k: KernelExports) => k.f32_rowsum_accumulate(at.one, 1, 1, at.out + c * 4));
    // After 5 ms idle the worker sleeps in Atomics.wait, and waking takes tens of µs: longer
    // than this thread needs for 8 tiny chunks, so it finds the task already withdrawn.
    let withdrawn = 0;
    for (let attempt = 1; attempt <= 20; attempt++) {
      const idleUntil = performance.now() + 5;
      while (performance.now() < idleUntil);
      pool!.run('test op', chunks, (bytes) => arena.after('test op', bytes));
      if (Atomics.load(control, slot(0, TASK)) < 0) withdrawn++;
      expect([...arena.read(at.out, count)]).toEqual(new Array(count).fill(attempt));
    }
    expect(withdrawn, 'runs whose task the calling thread took back from the sleeping worker').toBeGreaterThan(0);
    // The worker takes part again. This thread holds back its own chunk (0) until the worker has
    // taken the other: the wait is in feed(0), which runs here in every schedule (the workers'
    // chunks are fed first), not in chunk 0, which a worker polling already may take over
    // before this thread takes any (a thread with none left takes from the back of another's
    // range). The deadline only turns a worker that never comes into a failure, not a hang:
    // under load (10 on 2 cores) it took its chunk within 10 ms.
    let workerTookItsChunk = false;
    const deadline = performance.now() + 5000;
    const feed = (c: number) => {
      if (c === 0) while (!(workerTookItsChunk = workerRangeEmpty(control)) && performance.now() < deadline);
    };
    const add = (c: number) => (k: KernelExports) => k.f32_rowsum_accumulate(at.one, 1, 1, at.out + c * 4);
    pool!.run('test op', [add(0), add(1)], (bytes) => arena.after('test op', bytes), { feed });
    expect(workerTookItsChunk, 'the worker took its chunk of the task after the withdrawn ones, within 5 s').toBe(true);
    expect([...arena.read(at.out, 2)]).toEqual([21, 21]);
  });
});

describe('replayed tapes', () => {
  // Two conv layers of the same geometry share their split passes; their tapes differ only in
  // the pointers (weights, activations), which the tape key must hold.
  it('two layers of the same shape, on 2 threads, give 1 thread\'s outputs bit for bit', async () => {
    const x = { data: randomData(3 * 4 * 9 * 9, seededRandom(8)), shape: [3, 4, 9, 9] };
    const outputs = async (threads: number) => {
      await init({ isa: 'simd', threads });
      const model = new nn.Sequential([new nn.Conv2d(4, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.Conv2d(4, 4, 3, { padding: 1 })], { seed: 2 });
      const ys = [model.forward(x).data, model.forward(x).data];
      const dx = model.backward({ data: randomData(3 * 4 * 9 * 9, seededRandom(9)), shape: [3, 4, 9, 9] }, { inputGradient: true })!.data;
      model.dispose();
      return { ys, dx };
    };
    await splittingEverything(async () => {
      const one = await outputs(1);
      const two = await outputs(2);
      two.ys.forEach((y, i) => expect(bitwiseEqual(y, one.ys[i]), `forward ${i + 1}`).toBe(true));
      expect(bitwiseEqual(two.dx, one.dx), 'dx').toBe(true);
    });
  });
});

describe('training with threads', () => {
  // 32 images: enough that ReLU and max pooling split across the threads too (src/nn/parallel.ts)
  it('a LeNet step on 2 threads gives the loss and weights of 1 thread, within roundoff', async () => {
    const images = randomData(32 * 28 * 28, seededRandom(3)).map((v) => v * 0.5 + 0.5);
    const labels = Int32Array.from({ length: 32 }, (_, i) => i % 10);
    const trained = async (threads: number) => {
      await init({ isa: 'simd', threads });
      const model = nn.lenet({ seed: 5 });
      const opt = new nn.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const losses = [];
      for (let step = 0; step < 3; step++) losses.push(model.trainStep({ data: images, shape: [32, 1, 28, 28] }, labels, opt).loss);
      const weights = model.parameters().map((p) => p.read());
      opt.dispose();
      model.dispose();
      return { losses, weights };
    };
    await splittingEverything(async () => {
      const one = await trained(1);
      const two = await trained(2);
      two.losses.forEach((loss, i) => expect(loss).toBeCloseTo(one.losses[i], 5));
      two.weights.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - one.weights[i][j])).toBeLessThan(1e-5)));
    });
  });
});
