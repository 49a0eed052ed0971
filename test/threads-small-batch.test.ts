// A batch smaller than the pool (one image on 2 threads, two on 3): the passes that can cut
// their output into blocks (GEMM, Winograd and depthwise forward and stride-1 dX, GEMM and
// depthwise dW+db; depthwise dX at any stride) run every thread, each block over the whole
// batch, and give one thread's results bit for bit — dW and db too, each row summed over the
// images in the same order. Passes that cannot (grouped convs, GEMM dX with stride > 1,
// Winograd dW) run over as many threads as images.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conv1d, conv1dBackward, conv2d, conv2dBackward, init, nn, tensor, type Conv2dOptions } from '../src/index.js';
import { convGeometry } from '../src/ops/geometry.js';
import { parseConv2dOptions } from '../src/ops/options.js';
import { convPasses } from '../src/ops/passes/index.js';
import { planOutputBlocks, setMinFlopsPerThread } from '../src/ops/passes/parallel.js';
import { requireBackend } from '../src/runtime.js';
import { threadsOf } from '../src/ops/execute.js';
import { FUZZ_PROPERTIES } from './helpers/arbitraries.js';
import type { ConvCase } from './helpers/check-conv.js';
import { TEST_ISAS } from './helpers/isas.js';
import { product, randomData, seededRandom } from './helpers/random.js';

const RUNS = Number(process.env.WASMCONV_THREAD_FUZZ_RUNS ?? 300) / 3;

/** The functional passes of a case with `batch` images, as flat arrays. */
async function results(c: ConvCase, batch: number, threads: number, isa: (typeof TEST_ISAS)[number]) {
  await init({ isa, threads });
  const xShape = [batch, ...c.xShape.slice(1)];
  const random = seededRandom(c.seed);
  const x = tensor(randomData(product(xShape), random), xShape);
  const w = tensor(randomData(product(c.wShape), random), c.wShape);
  const bias = c.bias ? tensor(randomData(c.wShape[0], random), [c.wShape[0]]) : null;
  const forward = xShape.length === 4 ? conv2d : conv1d;
  const backwardOf = xShape.length === 4 ? conv2dBackward : conv1dBackward;
  const opts = c.opts;
  const y = forward(x, w, bias, opts as never);
  const dy = tensor(randomData(y.data.length, random), y.shape);
  const g = backwardOf(dy, x, w, opts as never);
  return { y: y.data, dx: g.dx.data, dw: g.dw.data, db: g.db.data };
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
const bitwiseEqual = (a: Float32Array, b: Float32Array) => a.length === b.length && bits(a).every((v, i) => v === bits(b)[i]);

/**
 * 3×3 stride-1 convs with 4–40 channels (blocks of 4 with a ragged last one, several blocks
 * per thread), 'winograd' forced or the GEMM, 1-D and pointwise through the fuzz suite.
 */
const wideCase: fc.Arbitrary<ConvCase> = fc
  .record({
    inChannels: fc.integer({ min: 1, max: 40 }),
    outChannels: fc.integer({ min: 1, max: 40 }),
    size: fc.tuple(fc.integer({ min: 3, max: 14 }), fc.integer({ min: 3, max: 14 })),
    padding: fc.integer({ min: 0, max: 2 }),
    algorithm: fc.constantFrom('winograd', 'gemm'),
    bias: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ inChannels, outChannels, size, padding, algorithm, bias, seed }) => ({
    xShape: [1, inChannels, size[0], size[1]],
    wShape: [outChannels, inChannels, 3, 3],
    bias,
    opts: { padding, algorithm },
    seed,
  }));

const CASES = [...FUZZ_PROPERTIES, ['3×3 stride-1 conv2d, 1–40 channels, Winograd or GEMM', wideCase]] as const;

for (const isa of TEST_ISAS) {
  describe(`a batch smaller than the pool, isa ${isa}`, () => {
    let threshold: number;
    beforeAll(() => {
      threshold = setMinFlopsPerThread(0); // split even the fuzzer's tiny shapes
    });
    afterAll(async () => {
      setMinFlopsPerThread(threshold);
      await init({ isa, threads: 1 });
    });

    for (const [name, arbitrary] of CASES) {
      it(`${name}: one image on 2 threads, two on 2 and 3, equal one thread's bit for bit`, async () => {
        await fc.assert(
          fc.asyncProperty(arbitrary, async (c) => {
            const groups = (c.opts as { groups?: number }).groups ?? 1;
            const one = await results(c, 1, 1, isa);
            const oneOnTwo = await results(c, 1, 2, isa);
            for (const key of ['y', 'dx', 'dw', 'db'] as const) expect(bitwiseEqual(oneOnTwo[key], one[key]), `batch 1, ${key}`).toBe(true);
            const two = await results(c, 2, 1, isa);
            const twoOnTwo = await results(c, 2, 2, isa);
            const twoOnThree = await results(c, 2, 3, isa);
            for (const key of ['y', 'dx'] as const) {
              expect(bitwiseEqual(twoOnTwo[key], two[key]), `batch 2 on 2 threads, ${key}`).toBe(true);
              expect(bitwiseEqual(twoOnThree[key], two[key]), `batch 2 on 3 threads, ${key}`).toBe(true);
            }
            // cut by channel blocks (the GEMM's dW+db, groups 1, and depthwise; more than 4 channels,
            // one block's worth), dW's rows sum the two images in one thread's order; the rest
            // (Winograd's dW, forced; grouped convs; 4 channels or fewer) split the batch over 2 threads
            const depthwise = groups > 1 && c.xShape[1] === groups;
            const gemm = groups === 1 && (c.opts as Conv2dOptions).algorithm !== 'winograd';
            if ((gemm || depthwise) && c.wShape[0] / (depthwise ? c.wShape[0] / groups : 1) > 4) {
              for (const key of ['dw', 'db'] as const) expect(bitwiseEqual(twoOnThree[key], two[key]), `batch 2 on 3 threads, ${key}`).toBe(true);
            }
          }),
          { numRuns: RUNS },
        );
      }, 300_000);
    }

    it('a batch of one runs on every thread where the pass can cut its channels', async () => {
      await init({ isa, threads: 2 });
      const threads = threadsOf('t', requireBackend('t'));
      const passes = (x: number[], w: number[], opts: Conv2dOptions) => convPasses(convGeometry('t', x, w, parseConv2dOptions('t', opts)), threads);
      expect(passes([1, 64, 14, 14], [64, 64, 3, 3], { padding: 1 }).threads).toBe(2);
      expect(passes([1, 16, 16, 16], [16, 16, 3, 3], { padding: 1, algorithm: 'winograd' }).threads).toBe(2);
      // a split pass's scratch holds a page of slack and one region per thread: a grouped conv's
      // forward pass on one image runs on the calling thread alone, the depthwise one does not
      const scratch = (x: number[], w: number[], opts: Conv2dOptions) => [
        passes(x, w, opts).forward.scratchFloats, convPasses(convGeometry('t', x, w, parseConv2dOptions('t', opts))).forward.scratchFloats,
      ];
      const [grouped, groupedAlone] = scratch([1, 64, 14, 14], [64, 32, 3, 3], { padding: 1, groups: 2 });
      expect(grouped).toBe(groupedAlone);
      const [depthwise, depthwiseAlone] = scratch([1, 64, 14, 14], [64, 1, 3, 3], { padding: 1, groups: 64 });
      expect(depthwise).toBeGreaterThan(2 * depthwiseAlone);
    });
  });
}

describe('blocks of a small batch\'s output', () => {
  it('cover every unit once, start on multiples of 4, the same number per thread (±1)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 8 }), (units, threads) => {
        const { blocks, starts } = planOutputBlocks(units, threads);
        expect(starts.length).toBe(threads);
        expect(starts[0]).toBe(0);
        let next = 0;
        for (const { from, to } of blocks) {
          expect(from).toBe(next);
          expect(from % 4).toBe(0);
          expect(to).toBeGreaterThan(from);
          next = to;
        }
        expect(next).toBe(units);
        const sizes = starts.map((s, t) => (starts[t + 1] ?? blocks.length) - s);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

/** A small residual network's eval-mode outputs for one image (Winograd and GEMM convs, a strided conv, BN folded or not). */
async function graphInference(isa: (typeof TEST_ISAS)[number], threads: number): Promise<Float32Array> {
  await init({ isa, threads });
  const g = new nn.GraphBuilder();
  const x = g.input('x');
  let h = g.apply(new nn.Conv2d(3, 32, 3, { padding: 1, bias: false, seed: 1 }), x, 'stem');
  h = g.apply(new nn.ReLU(), g.apply(new nn.BatchNorm2d(32), h, 'bn0'));
  const block = g.apply(new nn.Conv2d(32, 32, 3, { padding: 1, seed: 2 }), h, 'conv1');
  h = g.apply(new nn.ReLU(), g.add(g.apply(new nn.Conv2d(32, 32, 3, { padding: 1, seed: 3 }), g.apply(new nn.ReLU(), block), 'conv2'), h));
  h = g.apply(new nn.Conv2d(32, 48, 3, { padding: 1, stride: 2, seed: 4 }), h, 'down');
  h = g.apply(new nn.Conv2d(48, 40, 1, { seed: 5 }), g.apply(new nn.ReLU(), h), 'pointwise');
  h = g.apply(new nn.Flatten(), g.apply(new nn.GlobalAvgPool2d(), h));
  const model = g.build({ outputs: g.apply(new nn.Linear(40, 10, { seed: 6 }), h, 'fc') });
  try {
    model.eval();
    const shape = [1, 3, 24, 24];
    return model.forward({ data: randomData(product(shape), seededRandom(7)), shape }).data.slice();
  } finally {
    model.dispose();
  }
}

describe.each(TEST_ISAS)('nn Graph inference on one image, isa %s', (isa) => {
  it('on 2 threads equals one thread bit for bit', async () => {
    const threshold = setMinFlopsPerThread(0);
    try {
      const one = await graphInference(isa, 1);
      const two = await graphInference(isa, 2);
      expect(bitwiseEqual(two, one)).toBe(true);
    } finally {
      setMinFlopsPerThread(threshold);
      await init({ isa, threads: 1 });
    }
  }, 120_000);
});
