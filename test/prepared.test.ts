// Prepared convolutions (prepareConv2d / prepareConv1d) and the nn conv layers' kept filters:
// run(x) is bit-identical to the unprepared call (the same passes, the block made from the
// weights once instead of per call) and within roundoff of the float64 reference, on every
// ISA and on 2 threads; a plan follows init() switches; a layer remakes its filter blocks when
// the optimiser or loadWeights changes the weights; the errors.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backend, conv1d, conv2d, dispose, init, nn, prepareConv1d, prepareConv2d, tensor,
  type Conv1dOptions, type Conv2dOptions, type Tensor,
} from '../src/index.js';
import { convGeometry } from '../src/ops/geometry.js';
import { parseConv2dOptions } from '../src/ops/options.js';
import { usesWinograd } from '../src/ops/passes/index.js';
import { setMinFlopsPerThread } from '../src/ops/passes/parallel.js';
import { requireBackend } from '../src/runtime.js';
import { conv1dRef, conv2dRef } from '../src/reference/index.js';
import { conv1dCase, conv2dCase, depthwiseCase, pointwiseCase, stridePhaseCase } from './helpers/arbitraries.js';
import type { ConvCase } from './helpers/check-conv.js';
import { describeCase } from './helpers/check-conv.js';
import { TEST_ISAS } from './helpers/isas.js';
import { product, randomData, seededRandom } from './helpers/random.js';
import { absolute, expectWithinRoundoff } from './helpers/tolerance.js';
import { WINOGRAD_EXTRA_TERMS, winogradScale } from './helpers/winograd-bound.js';

const RUNS = Number(process.env.WASMCONV_FUZZ_RUNS ?? 1000) / 10;

type Opts = Conv2dOptions & Conv1dOptions;

function expectBitIdentical(label: string, got: Tensor, want: Tensor, context: () => string): void {
  expect(got.shape, `${label} shape; ${context()}`).toEqual(want.shape);
  for (let i = 0; i < want.data.length; i++) {
    if (!Object.is(got.data[i], want.data[i])) {
      throw new Error(`${label}[${i}]: prepared ${got.data[i]}, unprepared ${want.data[i]}\n${context()}`);
    }
  }
}

/**
 * A case's prepared conv, run twice (the second run reads the kept block) and on a second x
 * of another batch and size where the case allows: bit-identical to conv2d/conv1d each time,
 * and within roundoff of the float64 reference.
 */
function checkPrepared(label: string, c: ConvCase): void {
  const rank2 = c.xShape.length === 4;
  const forward = (x: Tensor, w: Tensor, b: Tensor | null, o: Opts) => (rank2 ? conv2d(x, w, b, o) : conv1d(x, w, b, o));
  const prepare = rank2 ? prepareConv2d : prepareConv1d;
  const reference = rank2 ? conv2dRef : conv1dRef;
  const opts = c.opts as Opts;
  const random = seededRandom(c.seed);
  const x = tensor(randomData(product(c.xShape), random), c.xShape);
  const w = tensor(randomData(product(c.wShape), random), c.wShape);
  const bias = c.bias ? tensor(randomData(c.wShape[0], random), [c.wShape[0]]) : null;
  const xCopy = x.data.slice(), wCopy = w.data.slice();
  const context = () => `${label}; ${describeCase(c)}`;

  const plan = prepare(w, bias, opts);
  try {
    const want = forward(x, w, bias, opts);
    expectBitIdentical('y', plan.run(x), want, context);
    expectBitIdentical('y (second run)', plan.run(x), want, context);
    const ref = reference(x, w, bias?.data ?? null, opts);
    const scale = reference({ data: absolute(x.data), shape: c.xShape }, { data: absolute(w.data), shape: c.wShape }, bias ? absolute(bias.data) : null, opts);
    expectWithinRoundoff('y', plan.run(x).data, ref.data, scale.data, product(c.wShape.slice(1)) + 1, context);
    // another batch and a larger input: the plan keeps one block per kind of pass, whatever x is
    const bigger = [c.xShape[0] + 1, c.xShape[1], ...c.xShape.slice(2).map((s) => s + 3)];
    const x2 = tensor(randomData(product(bigger), random), bigger);
    expectBitIdentical('y (other x)', plan.run(x2), forward(x2, w, bias, opts), context);
    expect(x.data, 'x unchanged').toEqual(xCopy);
    expect(w.data, 'w unchanged').toEqual(wCopy);
  } finally {
    plan.dispose();
  }
}

/** A Winograd-eligible case (3×3, stride 1) with 'winograd' forced: bit-identical, and within the Winograd bound. */
function checkPreparedWinograd(label: string, { batch, C, O, h, w: width, padding, bias: withBias, seed }: {
  batch: number; C: number; O: number; h: number; w: number; padding: number; bias: boolean; seed: number;
}): void {
  const random = seededRandom(seed);
  const xShape = [batch, C, h, width];
  const x = tensor(randomData(product(xShape), random), xShape);
  const w = tensor(randomData(O * C * 9, random), [O, C, 3, 3]);
  const bias = withBias ? tensor(randomData(O, random), [O]) : null;
  const opts: Conv2dOptions = { padding, algorithm: 'winograd' };
  const context = () => `${label}; x [${xShape}], O ${O}, padding ${padding}, bias ${withBias}, seed ${seed}`;
  const plan = prepareConv2d(w, bias, opts);
  try {
    const y = plan.run(x);
    expectBitIdentical('y', y, conv2d(x, w, bias, opts), context);
    expectBitIdentical('y (second run)', plan.run(x), conv2d(x, w, bias, opts), context);
    const ref = conv2dRef(x, w, bias?.data ?? null, { padding });
    const [, , outH, outW] = ref.shape;
    const scale = winogradScale(absolute(x.data), xShape, absolute(w.data), O, bias ? absolute(bias.data) : null, padding, padding, outH, outW);
    expectWithinRoundoff('y', y.data, ref.data, scale, C + WINOGRAD_EXTRA_TERMS, context);
  } finally {
    plan.dispose();
  }
}

const winogradCase = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  C: fc.integer({ min: 1, max: 20 }),
  O: fc.integer({ min: 1, max: 20 }),
  h: fc.integer({ min: 3, max: 17 }),
  w: fc.integer({ min: 3, max: 17 }),
  padding: fc.integer({ min: 0, max: 2 }),
  bias: fc.boolean(),
  seed: fc.integer(),
});

const PROPERTIES = [
  ['conv2d', conv2dCase], ['conv1d', conv1dCase], ['pointwise', pointwiseCase], ['depthwise', depthwiseCase], ['stride phases', stridePhaseCase],
] as const;

/** Channel counts 'auto' sends to Winograd and to the GEMM (ResNet-like layers at small sizes). */
const AUTO_SHAPES: Array<{ x: number[]; w: number[]; stride: number; padding: number }> = [
  { x: [1, 32, 16, 16], w: [32, 32, 3, 3], stride: 1, padding: 1 }, // winograd under 'auto'
  { x: [2, 16, 9, 9], w: [24, 16, 3, 3], stride: 2, padding: 1 },
  { x: [1, 16, 8, 8], w: [32, 16, 1, 1], stride: 2, padding: 0 },
  { x: [1, 3, 23, 23], w: [16, 3, 7, 7], stride: 2, padding: 3 },
];

for (const isa of TEST_ISAS) {
  describe(`prepared convs, isa ${isa}`, () => {
    beforeAll(async () => {
      await init({ isa, threads: 1 });
    });

    for (const [name, arbitrary] of PROPERTIES) {
      it(`${name}: run(x) is bit-identical to the unprepared call and within roundoff of the reference`, () => {
        fc.assert(fc.property(arbitrary, (c) => checkPrepared(`isa ${isa}`, c)), { numRuns: RUNS });
      });
    }

    it("'winograd' forced: bit-identical, within the Winograd bound", () => {
      fc.assert(fc.property(winogradCase, (c) => checkPreparedWinograd(`isa ${isa}`, c)), { numRuns: RUNS });
    });

    it("ResNet-like shapes under 'auto' (Winograd, stride 2, 1×1/2, the 7×7/2 stem)", () => {
      for (const [i, s] of AUTO_SHAPES.entries()) {
        checkPrepared(`isa ${isa}`, { xShape: s.x, wShape: s.w, bias: true, opts: { stride: s.stride, padding: s.padding }, seed: i });
      }
    });

    it("'auto' takes Winograd from 4 tiles when prepared (per call: 16, or 4 with a small U from 32 channels), bit-identical to conv2d's 'winograd'", () => {
      const random = seededRandom(12);
      const x = tensor(randomData(16 * 7 * 7, random), [1, 16, 7, 7]);
      const w = tensor(randomData(24 * 16 * 9, random), [24, 16, 3, 3]);
      const b = tensor(randomData(24, random), [24]);
      const g = convGeometry('conv2d', x.shape, w.shape, parseConv2dOptions('conv2d', { padding: 1 }));
      expect(usesWinograd(g)).toBe(false);
      expect(usesWinograd({ ...g, preparedWeights: true })).toBe(true);
      expect(usesWinograd({ ...g, inH: 4, inW: 4, outH: 4, outW: 4, preparedWeights: true }), 'one tile').toBe(false);
      const plan = prepareConv2d(w, b, { padding: 1 });
      expectBitIdentical('y', plan.run(x), conv2d(x, w, b, { padding: 1, algorithm: 'winograd' }), () => '7×7, 16 → 24');
      const ref = conv2dRef(x, w, b.data, { padding: 1 });
      const scale = winogradScale(absolute(x.data), x.shape, absolute(w.data), 24, absolute(b.data), 1, 1, 7, 7);
      expectWithinRoundoff('y', plan.run(x).data, ref.data, scale, 16 + WINOGRAD_EXTRA_TERMS, () => '7×7, 16 → 24');
      plan.dispose();
    });

    it('keeps its own copy of the weights: changing w afterwards does not change run()', () => {
      const random = seededRandom(7);
      const x = tensor(randomData(2 * 8 * 6 * 6, random), [2, 8, 6, 6]);
      const w = tensor(randomData(4 * 8 * 9, random), [4, 8, 3, 3]);
      const b = tensor(randomData(4, random), [4]);
      const want = conv2d(x, w, b, { padding: 1 });
      const plan = prepareConv2d(w, b, { padding: 1 });
      w.data.fill(0);
      b.data.fill(0);
      expectBitIdentical('y', plan.run(x), want, () => 'weights zeroed after prepare');
      plan.dispose();
    });

    it('dispose() frees its resident blocks; run() afterwards is an Error', () => {
      const random = seededRandom(8);
      const before = requireBackend('test').arena.resident.stats.liveBlocks;
      const plan = prepareConv2d(tensor(randomData(32 * 32 * 9, random), [32, 32, 3, 3]), null, { padding: 1 });
      // batch 1 keeps no U: its pass makes U a few rows at a time (fusesFilterTransform)
      plan.run(tensor(randomData(32 * 16 * 16, random), [1, 32, 16, 16]));
      expect(requireBackend('test').arena.resident.stats.liveBlocks).toBe(before + 1); // w
      plan.run(tensor(randomData(2 * 32 * 16 * 16, random), [2, 32, 16, 16])); // two images: U made whole and kept
      plan.run(tensor(randomData(2 * 32 * 4 * 4, random), [2, 32, 4, 4])); // 'auto' takes the GEMM here: a third block
      expect(requireBackend('test').arena.resident.stats.liveBlocks).toBe(before + 3); // w, U, packed W
      plan.dispose();
      plan.dispose();
      expect(requireBackend('test').arena.resident.stats.liveBlocks).toBe(before);
      expect(() => plan.run(tensor(new Float32Array(32 * 9), [1, 32, 3, 3]))).toThrow(/prepareConv2d\(…\)\.run: this prepared conv2d was disposed/);
    });
  });
}

describe('prepared convs across init() switches', () => {
  afterAll(async () => {
    await init({ isa: TEST_ISAS[0], threads: 1 });
  });

  it('lays the weights out again in the new backend: every run equals that backend’s unprepared call', async () => {
    const random = seededRandom(9);
    // 16 tiles: 'auto' takes Winograd prepared or not
    const x = tensor(randomData(1 * 32 * 16 * 16, random), [1, 32, 16, 16]);
    const w = tensor(randomData(32 * 32 * 9, random), [32, 32, 3, 3]);
    const b = tensor(randomData(32, random), [32]);
    await init({ isa: TEST_ISAS[0], threads: 1 });
    const plan = prepareConv2d(w, b, { padding: 1 });
    const backends = [...TEST_ISAS.map((isa) => ({ isa, threads: 1 })), { isa: TEST_ISAS[TEST_ISAS.length - 1], threads: 2 }, { isa: TEST_ISAS[0], threads: 1 }];
    for (const opts of backends) {
      await init(opts);
      expectBitIdentical('y', plan.run(x), conv2d(x, w, b, { padding: 1 }), () => `after init(${JSON.stringify(opts)})`);
    }
    // after dispose(), run() asks for init(); after a new init() it works again
    await dispose();
    expect(() => plan.run(x)).toThrow(/init\(\)/);
    await init({ isa: TEST_ISAS[0], threads: 1 });
    expectBitIdentical('y', plan.run(x), conv2d(x, w, b, { padding: 1 }), () => 'after dispose() and init()');
    plan.dispose();
  });
});

describe('prepared convs on 2 threads', () => {
  let threshold = 0;
  beforeAll(async () => {
    await init({ isa: TEST_ISAS[TEST_ISAS.length - 1], threads: 2 });
    threshold = setMinFlopsPerThread(0); // split even the small fuzz shapes
  });
  afterAll(async () => {
    setMinFlopsPerThread(threshold);
    await init({ isa: TEST_ISAS[0], threads: 1 });
  });

  it('runs on 2 threads', () => {
    expect(backend().threads).toBe(2);
  });
  for (const [name, arbitrary] of [['conv2d', conv2dCase], ['conv1d', conv1dCase], ['depthwise', depthwiseCase]] as const) {
    it(`${name}: bit-identical to the unprepared call and within roundoff of the reference`, () => {
      fc.assert(fc.property(arbitrary, (c) => checkPrepared('2 threads', c)), { numRuns: RUNS / 2 });
    });
  }
  it("'winograd' forced: bit-identical, within the Winograd bound", () => {
    fc.assert(fc.property(winogradCase, (c) => checkPreparedWinograd('2 threads', c)), { numRuns: RUNS / 2 });
  });
  it("ResNet-like shapes under 'auto'", () => {
    for (const [i, s] of AUTO_SHAPES.entries()) {
      checkPrepared('2 threads', { xShape: s.x, wShape: s.w, bias: true, opts: { stride: s.stride, padding: s.padding }, seed: i });
    }
  });
});

describe('prepared conv errors', () => {
  beforeAll(async () => {
    await init({ isa: TEST_ISAS[0], threads: 1 });
  });
  const w = tensor(new Float32Array(4 * 2 * 9), [4, 2, 3, 3]);

  it('name the argument and the shapes', () => {
    expect(() => prepareConv2d(tensor(new Float32Array(8), [8]), null)).toThrow(/prepareConv2d: w must have rank 4 \(\[O,C\/groups,KH,KW\]\), got shape \[8\]/);
    expect(() => prepareConv2d(w, tensor(new Float32Array(3), [3]))).toThrow(/prepareConv2d: bias has shape \[3\] but w \[4,2,3,3\] has 4 output channels/);
    expect(() => prepareConv2d(w, null, { groups: 3 })).toThrow(/prepareConv2d: w has 4 output channels, not divisible by groups=3/);
    expect(() => prepareConv2d(w, null, { stride: 2, algorithm: 'winograd' })).toThrow(/prepareConv2d: algorithm 'winograd' cannot compute this convolution: the stride is 2×2, not 1/);
    expect(() => prepareConv1d(tensor(new Float32Array(20), [4, 1, 5]), null, { algorithm: 'winograd' })).toThrow(/prepareConv1d: algorithm 'winograd' cannot compute this convolution: the kernel is 5, not 3/);
    expect(() => prepareConv2d(w, null, { strides: 2 } as Conv2dOptions)).toThrow(/prepareConv2d: unknown option/);
    const plan = prepareConv2d(w, null);
    expect(() => plan.run(tensor(new Float32Array(3 * 25), [1, 3, 5, 5]))).toThrow(/prepareConv2d\(…\)\.run: w has 2 input channels per group but x has 3 channels .*\(x \[1,3,5,5\], w \[4,2,3,3\]\)/);
    expect(() => plan.run(tensor(new Float32Array(10), [1, 2, 5]))).toThrow(/prepareConv2d\(…\)\.run: x must have rank 4/);
    // still usable
    const x = tensor(randomData(2 * 25, seededRandom(1)), [1, 2, 5, 5]);
    expectBitIdentical('y', plan.run(x), conv2d(x, w, null), () => 'after errors');
    plan.dispose();
  });
});

describe('nn conv layers keep their filter blocks per weight version', () => {
  for (const isa of TEST_ISAS) {
    for (const threads of [1, 2]) {
      it(`isa ${isa}, ${threads} thread(s): forward after SGD steps and loadWeights equals conv2d on the current weights`, async () => {
        await init({ isa, threads });
        const threshold = setMinFlopsPerThread(0);
        try {
          const random = seededRandom(11);
          // 'auto' takes Winograd for forward and dX here (32 channels, 16×16)
          const model = new nn.Sequential([new nn.Conv2d(32, 32, 3, { padding: 1, seed: 3 }), new nn.Flatten()]);
          const conv = model.layers[0] as nn.Conv2d;
          const x = tensor(randomData(2 * 32 * 16 * 16, random), [2, 32, 16, 16]);
          const current = () => conv2d(x, tensor(conv.weight.read(), [32, 32, 3, 3]), tensor(conv.bias!.read(), [32]), { padding: 1 });
          expectBitIdentical('y', model.forward(x), flat(current()), () => 'first forward');
          expectBitIdentical('y', model.forward(x), flat(current()), () => 'second forward (kept blocks)');
          const opt = new nn.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
          const labels = Array.from({ length: 2 }, (_, i) => i * 7);
          for (let step = 0; step < 2; step++) {
            model.trainStep(x, labels, opt);
            expectBitIdentical('y', model.forward(x), flat(current()), () => `after SGD step ${step + 1}`);
          }
          const saved = model.saveWeights();
          const other = new nn.Sequential([new nn.Conv2d(32, 32, 3, { padding: 1, seed: 5 }), new nn.Flatten()]);
          other.forward(x); // makes its blocks from its own weights first
          other.loadWeights(saved);
          expectBitIdentical('y', other.forward(x), model.forward(x), () => 'after loadWeights');
          opt.dispose();
          model.dispose();
          other.dispose();
        } finally {
          setMinFlopsPerThread(threshold);
        }
      });
    }
  }
  afterAll(async () => {
    await init({ isa: TEST_ISAS[0], threads: 1 });
  });
});

const flat = (t: Tensor): Tensor => ({ data: t.data, shape: [t.shape[0], product(t.shape.slice(1))] });
