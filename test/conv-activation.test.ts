// The conv options' fused activation (`activation: 'relu' | 'relu6' | { min, max }`): within
// roundoff of the float64 reference with the activation applied, and bit for bit the unfused
// conv followed by the clamp, on every path (GEMM, pointwise, Winograd, depthwise, 1-D,
// prepared weights) and thread split (batch chunks, a small batch's output blocks, an image's
// channel blocks); and the Errors of bad values and of the backward calls.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conv1d, conv1dBackward, conv2d, conv2dAlgorithms, conv2dBackward, conv2dBackwardFilter, conv2dBackwardInput, init, nn, prepareConv1d, prepareConv2d,
  tensor, type Conv2dOptions, type Tensor,
} from '../src/index.js';
import type { ConvActivation } from '../src/ops/activation.js';
import { setMinFlopsPerThread } from '../src/ops/passes/parallel.js';
import { conv1dRef, conv2dRef } from '../src/reference/index.js';
import { FUZZ_PROPERTIES } from './helpers/arbitraries.js';
import { describeCase, type ConvCase } from './helpers/check-conv.js';
import { TEST_ISAS } from './helpers/isas.js';
import { product, randomData, seededRandom } from './helpers/random.js';
import { absolute, expectWithinRoundoff } from './helpers/tolerance.js';
import { WINOGRAD_EXTRA_TERMS, winogradScale } from './helpers/winograd-bound.js';

const RUNS = Number(process.env.WASMCONV_FUZZ_RUNS ?? 1000) / 5;
const THREAD_RUNS = Number(process.env.WASMCONV_THREAD_FUZZ_RUNS ?? 300) / 6;

/** ReLU, ReLU6, or bounds that are float32 values (the kernels clamp at float32 bounds), sometimes infinite. */
const activation: fc.Arbitrary<ConvActivation> = fc.oneof(
  fc.constant('relu' as const),
  fc.constant('relu6' as const),
  fc.record({
    min: fc.oneof(fc.float({ min: -2, max: 1, noNaN: true }), fc.constant(-Infinity)),
    width: fc.oneof(fc.float({ min: 0, max: 3, noNaN: true }), fc.constant(0), fc.constant(Infinity)),
  }).map(({ min, width }) => ({ min, max: min !== -Infinity ? Math.fround(min + width) : width === Infinity ? 0.5 : width })),
);

const boundsOf = (a: ConvActivation): [number, number] =>
  a === 'relu' ? [0, Infinity] : a === 'relu6' ? [0, 6] : [Math.fround(a.min), Math.fround(a.max)];

/** The unfused conv's output clamped in JavaScript: max and min are exact, so this is what a separate relu/clip pass gives. */
const clamped = (y: Float32Array, a: ConvActivation) => {
  const [lo, hi] = boundsOf(a);
  return y.map((v) => Math.min(Math.max(v, lo), hi));
};

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

interface Data {
  x: Tensor;
  w: Tensor;
  bias: Tensor | null;
}

function dataOf(c: ConvCase, batch = c.xShape[0]): Data {
  const random = seededRandom(c.seed);
  const xShape = [batch, ...c.xShape.slice(1)];
  return {
    x: tensor(randomData(product(xShape), random), xShape),
    w: tensor(randomData(product(c.wShape), random), c.wShape),
    bias: c.bias ? tensor(randomData(c.wShape[0], random), [c.wShape[0]]) : null,
  };
}

const forwardOf = (c: ConvCase) => (c.xShape.length === 4 ? conv2d : conv1d) as (x: Tensor, w: Tensor, b: Tensor | null, o: object) => Tensor;

/** Fused and unfused-then-clamped, bit for bit; returns the fused output. */
function expectFusedMatchesUnfused(c: ConvCase, a: ConvActivation, d: Data, context: string): Float32Array {
  const forward = forwardOf(c);
  const fused = forward(d.x, d.w, d.bias, { ...c.opts, activation: a });
  const unfused = forward(d.x, d.w, d.bias, c.opts);
  expect(fused.shape, context).toEqual(unfused.shape);
  expect(bits(fused.data), context).toEqual(bits(clamped(unfused.data, a)));
  return fused.data;
}

/** 3×3 stride-1 convs large enough for Winograd and the GEMM's 4-row blocks, with padding 0–2. */
const wideCase: fc.Arbitrary<ConvCase> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    inChannels: fc.integer({ min: 1, max: 24 }),
    outChannels: fc.integer({ min: 1, max: 40 }),
    size: fc.tuple(fc.integer({ min: 3, max: 13 }), fc.integer({ min: 3, max: 13 })),
    padding: fc.integer({ min: 0, max: 2 }),
    algorithm: fc.constantFrom('winograd' as const, 'gemm' as const),
    bias: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ batch, inChannels, outChannels, size, padding, algorithm, bias, seed }) => ({
    xShape: [batch, inChannels, size[0], size[1]],
    wShape: [outChannels, inChannels, 3, 3],
    bias,
    opts: { padding, algorithm },
    seed,
  }));

const CASES = [...FUZZ_PROPERTIES.map(([name, arb]) => [name.replace(/,? forward.*/, ''), arb] as const), ['3×3 stride-1, Winograd or GEMM', wideCase] as const];

for (const isa of TEST_ISAS) {
  describe(`conv forward with a fused activation, isa ${isa}`, () => {
    beforeAll(async () => {
      await init({ isa });
    });

    for (const [name, arbitrary] of CASES) {
      it(`${name}: the reference with the activation, and the unfused conv then the clamp bit for bit`, () => {
        fc.assert(
          fc.property(arbitrary, activation, (c, a) => {
            const context = () => `isa ${isa}; activation ${JSON.stringify(a)}; ${describeCase(c)}`;
            const d = dataOf(c);
            const y = expectFusedMatchesUnfused(c, a, d, context());
            const ref = c.xShape.length === 4 ? conv2dRef : conv1dRef;
            const opts = { ...c.opts, activation: a } as Conv2dOptions;
            const yRef = ref(d.x, d.w, d.bias?.data ?? null, opts as never);
            // the bound of each output before the clamp (which moves nothing further from the reference):
            // Winograd's (docs/winograd.md) or the exact summation's Σ|term|
            if ((c.opts as Conv2dOptions).algorithm === 'winograd') {
              const [, , outH, outW] = yRef.shape;
              const padding = (c.opts as { padding: number }).padding;
              const scale = winogradScale(absolute(d.x.data), d.x.shape, absolute(d.w.data), c.wShape[0], d.bias ? absolute(d.bias.data) : null, padding, padding, outH, outW);
              expectWithinRoundoff('y', y, yRef.data, scale, c.xShape[1] + WINOGRAD_EXTRA_TERMS, context);
            } else {
              const scale = ref({ data: absolute(d.x.data), shape: d.x.shape }, { data: absolute(d.w.data), shape: d.w.shape },
                d.bias ? absolute(d.bias.data) : null, c.opts as never);
              expectWithinRoundoff('y', y, yRef.data, scale.data, product(c.wShape.slice(1)) + 1, context);
            }
          }),
          { numRuns: RUNS },
        );
      }, 300_000);
    }

    it('prepared convs with an activation give the functional call\'s bits (Winograd U and packed W kept)', () => {
      fc.assert(
        fc.property(wideCase, activation, (c, a) => {
          const d = dataOf(c);
          const opts = { ...c.opts, activation: a } as Conv2dOptions;
          const prepared = prepareConv2d(d.w, d.bias, opts);
          try {
            const want = bits(conv2d(d.x, d.w, d.bias, opts).data);
            expect(bits(prepared.run(d.x).data)).toEqual(want);
            expect(bits(prepared.run(d.x).data)).toEqual(want); // the kept blocks
          } finally {
            prepared.dispose();
          }
        }),
        { numRuns: RUNS / 4 },
      );
      const x = tensor(randomData(2 * 3 * 9, seededRandom(1)), [2, 3, 9]);
      const w = tensor(randomData(5 * 3 * 3, seededRandom(2)), [5, 3, 3]);
      const conv = prepareConv1d(w, null, { padding: 1, activation: 'relu6' });
      expect(bits(conv.run(x).data)).toEqual(bits(conv1d(x, w, null, { padding: 1, activation: 'relu6' }).data));
      conv.dispose();
    }, 300_000);

    it('every path of a model-sized layer (the GEMM clamps in several blocks of columns): 1×1 + ReLU6, Winograd + ReLU, depthwise + ReLU6, stride-2 GEMM + clip', () => {
      const random = seededRandom(7);
      const layers: Array<{ x: number[]; w: number[]; opts: Conv2dOptions; path: string }> = [
        { x: [1, 24, 28, 28], w: [96, 24, 1, 1], opts: { activation: 'relu6' }, path: 'pointwise' },
        { x: [2, 32, 20, 20], w: [32, 32, 3, 3], opts: { padding: 1, activation: 'relu' }, path: 'winograd' },
        { x: [1, 96, 28, 28], w: [96, 1, 3, 3], opts: { padding: 1, groups: 96, activation: 'relu6' }, path: 'depthwise' },
        { x: [1, 16, 61, 61], w: [64, 16, 3, 3], opts: { padding: 1, stride: 2, activation: { min: -0.25, max: 0.5 } }, path: 'gemm' },
        // output rows not a multiple of 8 floats wide: the GEMM's clamp blocks span 8 of them
        { x: [2, 8, 45, 45], w: [40, 8, 1, 1], opts: { activation: 'relu' }, path: 'pointwise' },
      ];
      for (const l of layers) {
        expect(conv2dAlgorithms(l.x, l.w, l.opts).forward, l.path).toBe(l.path);
        const x = tensor(randomData(product(l.x), random), l.x);
        const w = tensor(randomData(product(l.w), random), l.w);
        const b = tensor(randomData(l.w[0], random), [l.w[0]]);
        const c: ConvCase = { xShape: l.x, wShape: l.w, bias: true, opts: { ...l.opts, activation: undefined }, seed: 0 };
        const y = expectFusedMatchesUnfused(c, l.opts.activation!, { x, w, bias: b }, l.path);
        // the clamp did something: some outputs at the bounds, some between
        const [lo, hi] = boundsOf(l.opts.activation!);
        expect(y.some((v) => v === lo), l.path).toBe(true);
        expect(y.some((v) => v > lo && v < hi), l.path).toBe(true);
      }
    }, 300_000);
  });

  describe(`a fused activation split across threads, isa ${isa}`, () => {
    let threshold: number;
    beforeAll(async () => {
      threshold = setMinFlopsPerThread(0); // split even small shapes
      await init({ isa, threads: 2 });
    });
    afterAll(async () => {
      setMinFlopsPerThread(threshold);
      await init({ isa, threads: 1 });
    });

    for (const [name, arbitrary] of CASES) {
      it(`${name}: batch 1 (output blocks) and 3 (chunks, channel blocks) on 2 threads, bit for bit`, () => {
        fc.assert(
          fc.property(arbitrary, activation, (c, a) => {
            for (const batch of [1, 3]) expectFusedMatchesUnfused(c, a, dataOf(c, batch), `batch ${batch}, ${JSON.stringify(a)}, ${describeCase(c)}`);
          }),
          { numRuns: THREAD_RUNS },
        );
      }, 300_000);
    }

    it('a model-sized layer gives one thread\'s bits on two', async () => {
      const random = seededRandom(11);
      const shapes: Array<[number[], number[], Conv2dOptions]> = [
        [[1, 32, 24, 24], [64, 32, 3, 3], { padding: 1, activation: 'relu' }],
        [[1, 64, 14, 14], [64, 1, 3, 3], { padding: 1, groups: 64, activation: 'relu6' }],
        [[1, 32, 28, 28], [96, 32, 1, 1], { activation: 'relu6' }],
        [[3, 16, 61, 61], [64, 16, 3, 3], { padding: 1, stride: 2, activation: 'relu' }],
      ];
      for (const [xs, ws, opts] of shapes) {
        const x = tensor(randomData(product(xs), random), xs), w = tensor(randomData(product(ws), random), ws);
        await init({ isa, threads: 2 });
        const two = conv2d(x, w, null, opts);
        await init({ isa, threads: 1 });
        const one = conv2d(x, w, null, opts);
        expect(bits(two.data)).toEqual(bits(one.data));
      }
      await init({ isa, threads: 2 });
    }, 300_000);
  });
}

describe('the activation option\'s Errors', () => {
  beforeAll(async () => {
    await init({ isa: TEST_ISAS[0] });
  });
  const x = tensor(new Float32Array(2 * 3 * 5 * 5), [2, 3, 5, 5]);
  const w = tensor(new Float32Array(4 * 3 * 3 * 3), [4, 3, 3, 3]);
  const dy = tensor(new Float32Array(2 * 4 * 3 * 3), [2, 4, 3, 3]);

  it('bad values name activation and say what it takes', () => {
    const bad: unknown[] = ['relu7', 'ReLU', null, 6, [0, 6], { min: 2, max: 1 }, { min: NaN, max: 1 }, { min: 0 }, { min: 0, max: '6' }, { min: 0, max: 6, slope: 1 }];
    for (const activation of bad) {
      expect(() => conv2d(x, w, null, { activation } as never), JSON.stringify(activation)).toThrow(/conv2d: .*activation/);
      expect(() => prepareConv2d(w, null, { activation } as never), JSON.stringify(activation)).toThrow(/prepareConv2d: .*activation/);
    }
    expect(() => conv1d(tensor(new Float32Array(5), [1, 1, 5]), tensor(new Float32Array(3), [1, 1, 3]), null, { activation: { min: 1, max: 0 } }))
      .toThrow("conv1d: activation must be 'relu', 'relu6' or { min, max } with min ≤ max, got activation min 1 > max 0");
  });

  it('the backward calls refuse it: a fused activation\'s gradient needs the forward output', () => {
    expect(() => conv2dBackward(dy, x, w, { activation: 'relu' })).toThrow(/conv2dBackward: the activation option is forward-only/);
    expect(() => conv2dBackwardInput(dy, w, x.shape, { activation: 'relu6' })).toThrow(/conv2dBackwardInput: the activation option is forward-only/);
    expect(() => conv2dBackwardFilter(dy, x, w.shape, { activation: { min: 0, max: 1 } })).toThrow(/conv2dBackwardFilter: the activation option is forward-only/);
    expect(() => conv1dBackward(tensor(new Float32Array(3), [1, 1, 3]), tensor(new Float32Array(5), [1, 1, 5]), tensor(new Float32Array(3), [1, 1, 3]), { activation: 'relu' }))
      .toThrow(/conv1dBackward: the activation option is forward-only/);
  });

  it('conv2dAlgorithms takes it (the same kernels run) and the layers refuse it (a Graph fuses activation layers)', () => {
    expect(conv2dAlgorithms([8, 32, 16, 16], [32, 32, 3, 3], { padding: 1, activation: 'relu' })).toEqual(conv2dAlgorithms([8, 32, 16, 16], [32, 32, 3, 3], { padding: 1 }));
    expect(() => new nn.Conv2d(3, 4, 3, { activation: 'relu' } as never)).toThrow(/nn.Conv2d: activation is not a layer option: add a ReLU, ReLU6 or Clip layer/);
    expect(() => new nn.Conv1d(3, 4, 3, { activation: 'relu6' } as never)).toThrow(/nn.Conv1d: activation is not a layer option/);
    expect(() => new nn.ConvTranspose2d(3, 4, 3, { activation: 'relu' } as never)).toThrow(/nn.ConvTranspose2d: activation is not a layer option/);
  });

  it('inputs are not modified and the library stays usable after an Error', () => {
    const xs = tensor(randomData(2 * 3 * 5 * 5, seededRandom(3)), [2, 3, 5, 5]);
    const copy = xs.data.slice();
    expect(() => conv2d(xs, w, null, { activation: 'gelu' } as never)).toThrow(/activation/);
    const y = conv2d(xs, w, null, { activation: 'relu' });
    expect(Array.from(xs.data)).toEqual(Array.from(copy));
    expect(y.data.every((v) => v >= 0)).toBe(true);
  });
});
