// Winograd F(4, 3) for conv1d (src/ops/passes/winograd1d.ts) forced with algorithm: 'winograd':
// forward, dX and dW fuzzed against the float64 reference within the 1-D Winograd bounds
// (helpers/winograd-bound.ts) on every ISA and on 2 threads, db within the GEMM path's bound;
// a long row run in several blocks of tiles; prepared conv1d bit-identical; the fused
// activation; 'auto''s choices; the errors.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conv1d, conv1dAlgorithms, conv1dBackward, conv1dBackwardFilter, conv1dBackwardInput, init, nn, prepareConv1d, tensor,
  type Conv1dOptions, type Tensor,
} from '../src/index.js';
import { setMinFlopsPerThread } from '../src/ops/passes/parallel.js';
import { conv1dBackwardRef, conv1dRef } from '../src/reference/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { product, randomData, seededRandom } from './helpers/random.js';
import { absolute, expectWithinRoundoff, UNIT_ROUNDOFF } from './helpers/tolerance.js';
import { WINOGRAD_1D_DW_EXTRA_TERMS, WINOGRAD_1D_EXTRA_TERMS, winograd1dFilterGradientScale, winograd1dScale } from './helpers/winograd-bound.js';

const RUNS = Number(process.env.WASMCONV_FUZZ_RUNS ?? 1000) / 4;
const THREAD_RUNS = Number(process.env.WASMCONV_THREAD_FUZZ_RUNS ?? 300) / 3;
/** fast-check wants a whole number of runs */
const PREPARED_RUNS = Math.ceil(RUNS / 4);

interface Winograd1dCase {
  xShape: number[];
  outChannels: number;
  /** [left, right] */
  pads: [number, number];
  /** how the padding is spelt in the options */
  padding: Conv1dOptions['padding'];
  bias: boolean;
  seed: number;
}

const pad = fc.integer({ min: 0, max: 3 });
/**
 * Eligible shapes: 3 taps, stride 1; padding 0–3 per side (3 makes dX's transposed conv crop)
 * in every spelling; outputs of 1–70 (most not whole tiles of 4, some past one 8-tile panel
 * and several groups of 4 tiles); channel counts up to 20 (not multiples of 4 or 8); batches
 * of 1–3.
 */
const winograd1dCase: fc.Arbitrary<Winograd1dCase> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    inChannels: fc.integer({ min: 1, max: 20 }),
    outChannels: fc.integer({ min: 1, max: 20 }),
    padding: fc.oneof(pad, fc.tuple(pad, pad), fc.constant('same' as const), fc.constant('valid' as const)),
    out: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 70 })),
    bias: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ batch, inChannels, outChannels, padding, out, bias, seed }) => {
    const pads: [number, number] =
      typeof padding === 'number' ? [padding, padding]
      : padding === 'same' ? [1, 1]
      : padding === 'valid' ? [0, 0]
      : padding;
    // the input that gives `out` outputs (at least 1 of input)
    const length = Math.max(1, out + 2 - pads[0] - pads[1]);
    return { xShape: [batch, inChannels, length], outChannels, pads, padding, bias, seed };
  });

const describeCase = (c: Winograd1dCase) =>
  `case: x [${c.xShape}], O ${c.outChannels}, padding ${JSON.stringify(c.padding)}, bias ${c.bias}, data seed ${c.seed}`;

/** Worst error seen, per label, in units of u·S (the Winograd bound's scale) and of u·Σ|term| (the direct conv's). */
const worst = new Map<string, { winograd: number; direct: number }>();

function note(label: string, got: Float32Array, expected: ArrayLike<number>, winograd: ArrayLike<number>, direct: ArrayLike<number>): void {
  const w = worst.get(label) ?? { winograd: 0, direct: 0 };
  for (let i = 0; i < got.length; i++) {
    const error = Math.abs(got[i] - expected[i]);
    if (winograd[i] > 0) w.winograd = Math.max(w.winograd, error / (UNIT_ROUNDOFF * winograd[i]));
    if (direct[i] > 0) w.direct = Math.max(w.direct, error / (UNIT_ROUNDOFF * direct[i]));
  }
  worst.set(label, w);
}

const bitwiseEqual = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && new Uint32Array(a.buffer, a.byteOffset, a.length).every((v, i) => v === new Uint32Array(b.buffer, b.byteOffset, b.length)[i]);

/** The reversed, channel-transposed |w| [C][O][3]: dX's filter. */
function reversedTransposed(absW: Float64Array, O: number, C: number): Float64Array {
  const out = new Float64Array(absW.length);
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      for (let t = 0; t < 3; t++) out[(c * O + o) * 3 + 2 - t] = absW[(o * C + c) * 3 + t];
    }
  }
  return out;
}

/** Every output of a case checked against the reference: y, dx and dw within the Winograd bounds, db within the GEMM's. */
function checkCase(label: string, c: Winograd1dCase): void {
  const [batch, inChannels, length] = c.xShape;
  const O = c.outChannels;
  const wShape = [O, inChannels, 3];
  const random = seededRandom(c.seed);
  const x = tensor(randomData(product(c.xShape), random), c.xShape);
  const w = tensor(randomData(product(wShape), random), wShape);
  const bias = c.bias ? tensor(randomData(O, random), [O]) : null;
  const xCopy = x.data.slice(), wCopy = w.data.slice();
  const opts: Conv1dOptions = { padding: c.padding, algorithm: 'winograd' };
  const refOpts = { padding: c.padding };
  const context = () => `${label}; ${describeCase(c)}`;
  const [pl] = c.pads;

  const y = conv1d(x, w, bias, opts);
  const yRef = conv1dRef(x, w, bias?.data ?? null, refOpts);
  expect(y.shape, context()).toEqual(yRef.shape);
  const outL = yRef.shape[2];
  const absX = absolute(x.data), absW = absolute(w.data), absBias = bias ? absolute(bias.data) : null;
  const yScale = winograd1dScale(absX, c.xShape, absW, O, absBias, pl, outL);
  expectWithinRoundoff('y', y.data, yRef.data, yScale, inChannels + WINOGRAD_1D_EXTRA_TERMS, context);
  note(label, y.data, yRef.data, yScale, conv1dRef({ data: absX, shape: c.xShape }, { data: absW, shape: wShape }, absBias, refOpts).data);

  // the fused ReLU clamps in the output transform: bit for bit the conv, then max(·, 0)
  const relu = conv1d(x, w, bias, { ...opts, activation: 'relu' });
  expect(bitwiseEqual(relu.data, y.data.map((v) => Math.max(v, 0))), `relu\n${context()}`).toBe(true);

  const dy = tensor(randomData(product(yRef.shape), random), yRef.shape);
  const dyCopy = dy.data.slice();
  const g = conv1dBackward(dy, x, w, opts);
  const gRef = conv1dBackwardRef(dy, x, w, refOpts);
  // dX is the conv of dy with the reversed, channel-transposed filter, padding 2 − pad before
  const absDy = absolute(dy.data);
  const dxScale = winograd1dScale(absDy, yRef.shape, reversedTransposed(absW, O, inChannels), inChannels, null, 2 - pl, length);
  expectWithinRoundoff('dx', g.dx.data, gRef.dx.data, dxScale, O + WINOGRAD_1D_EXTRA_TERMS, context);
  const gScale = conv1dBackwardRef({ data: absDy, shape: yRef.shape }, { data: absX, shape: c.xShape }, { data: absW, shape: wShape }, refOpts);
  note(label, g.dx.data, gRef.dx.data, dxScale, gScale.dx.data);
  // dW sums over every tile of every image (and, split across threads, over the chunks' partials)
  const tiles = batch * Math.ceil(outL / 4);
  const dwScale = winograd1dFilterGradientScale(absX, c.xShape, absDy, yRef.shape, pl);
  expectWithinRoundoff('dw', g.dw.data, gRef.dw.data, dwScale, tiles + batch + WINOGRAD_1D_DW_EXTRA_TERMS, context);
  note(`${label} dW`, g.dw.data, gRef.dw.data, dwScale, gScale.dw.data);
  expectWithinRoundoff('db', g.db.data, gRef.db.data, gScale.db.data, batch * outL, context);

  // dX alone and dW alone run the same passes: bit for bit the same
  expect(bitwiseEqual(conv1dBackwardInput(dy, w, c.xShape, opts).data, g.dx.data), `dx from conv1dBackwardInput\n${context()}`).toBe(true);
  expect(bitwiseEqual(conv1dBackwardFilter(dy, x, wShape, opts).dw.data, g.dw.data), `dw from conv1dBackwardFilter\n${context()}`).toBe(true);
  const intact = [x.data, w.data, dy.data].every((a, i) => a.every((v, j) => Object.is(v, [xCopy, wCopy, dyCopy][i][j])));
  expect(intact, `an input was modified\n${context()}`).toBe(true);
}

/** A long row: several blocks of tiles in every pass (forward 2, dX 3, dW 4 at these sizes). */
const LONG: Winograd1dCase = { xShape: [1, 4, 50_001], outChannels: 4, pads: [1, 1], padding: 1, bias: true, seed: 11 };

/** prepareConv1d with 'winograd' forced: run(x) twice and on another x, bit-identical to conv1d, within the bound. */
function checkPrepared(label: string, c: Winograd1dCase): void {
  const O = c.outChannels, C = c.xShape[1];
  const random = seededRandom(c.seed);
  const x = tensor(randomData(product(c.xShape), random), c.xShape);
  const w = tensor(randomData(O * C * 3, random), [O, C, 3]);
  const bias = c.bias ? tensor(randomData(O, random), [O]) : null;
  const opts: Conv1dOptions = { padding: c.padding, algorithm: 'winograd' };
  const context = () => `${label}; ${describeCase(c)}`;
  const plan = prepareConv1d(w, bias, opts);
  try {
    const want = conv1d(x, w, bias, opts);
    const same = (got: Tensor, expected: Tensor, what: string) =>
      expect(got.shape.join() === expected.shape.join() && bitwiseEqual(got.data, expected.data), `${what}\n${context()}`).toBe(true);
    same(plan.run(x), want, 'y');
    same(plan.run(x), want, 'y (second run)');
    const outL = want.shape[2];
    const scale = winograd1dScale(absolute(x.data), c.xShape, absolute(w.data), O, bias ? absolute(bias.data) : null, c.pads[0], outL);
    expectWithinRoundoff('y', plan.run(x).data, conv1dRef(x, w, bias?.data ?? null, { padding: c.padding }).data, scale, C + WINOGRAD_1D_EXTRA_TERMS, context);
    const bigger = [c.xShape[0] + 1, C, c.xShape[2] + 5];
    const x2 = tensor(randomData(product(bigger), random), bigger);
    same(plan.run(x2), conv1d(x2, w, bias, opts), 'y (other x)');
  } finally {
    plan.dispose();
  }
}

for (const isa of TEST_ISAS) {
  describe(`Winograd F(4, 3) for conv1d, isa ${isa}`, () => {
    afterAll(() => {
      for (const [label, w] of worst) {
        if (label.startsWith(isa)) {
          const bound = label.endsWith('dW') ? `N·tiles + ${WINOGRAD_1D_DW_EXTRA_TERMS + 2}` : `C + ${WINOGRAD_1D_EXTRA_TERMS + 2}`;
          console.log(`conv1d ${label}: worst error ${w.winograd.toFixed(2)} u·S (bound: ${bound}), ${w.direct.toFixed(1)} u·Σ|term|`);
        }
      }
    });

    it(`forward, dX and dW within the Winograd bounds, db within the GEMM bound: ${RUNS} random cases`, async () => {
      await init({ isa, threads: 1 });
      fc.assert(fc.property(winograd1dCase, (c) => checkCase(isa, c)), { numRuns: RUNS });
    }, 120_000);

    it('a long row, in several blocks of tiles per pass', async () => {
      await init({ isa, threads: 1 });
      checkCase(isa, LONG);
    }, 120_000);

    it("prepareConv1d with 'winograd': bit-identical to conv1d, within the bound", async () => {
      await init({ isa, threads: 1 });
      fc.assert(fc.property(winograd1dCase, (c) => checkPrepared(isa, c)), { numRuns: PREPARED_RUNS });
    }, 120_000);

    describe('on 2 threads', () => {
      let threshold: number;
      beforeAll(() => {
        threshold = setMinFlopsPerThread(0); // split even these small shapes
      });
      afterAll(() => {
        setMinFlopsPerThread(threshold);
      });

      // batch 1 is cut by tiles or output channels (outputBlocks), larger batches by images
      it(`${THREAD_RUNS} random cases against the reference, y and dx equal to one thread's bit for bit`, async () => {
        await fc.assert(
          fc.asyncProperty(winograd1dCase, async (c) => {
            const random = seededRandom(c.seed);
            const x = tensor(randomData(product(c.xShape), random), c.xShape);
            const w = tensor(randomData(c.outChannels * c.xShape[1] * 3, random), [c.outChannels, c.xShape[1], 3]);
            const opts: Conv1dOptions = { padding: c.padding, algorithm: 'winograd' };
            await init({ isa, threads: 1 });
            const y1 = conv1d(x, w, null, opts);
            const dy = tensor(randomData(y1.data.length, random), y1.shape);
            const dx1 = conv1dBackwardInput(dy, w, c.xShape, opts);
            await init({ isa, threads: 2 });
            checkCase(`${isa} ×2 threads`, c);
            expect(bitwiseEqual(conv1d(x, w, null, opts).data, y1.data), `y\n${describeCase(c)}`).toBe(true);
            expect(bitwiseEqual(conv1dBackwardInput(dy, w, c.xShape, opts).data, dx1.data), `dx\n${describeCase(c)}`).toBe(true);
          }),
          { numRuns: THREAD_RUNS },
        );
      }, 120_000);

      it('a long row and prepared convs', async () => {
        await init({ isa, threads: 2 });
        checkCase(`${isa} ×2 threads`, LONG);
        checkCase(`${isa} ×2 threads`, { ...LONG, xShape: [3, 4, 20_001] });
        fc.assert(fc.property(winograd1dCase, (c) => checkPrepared(`${isa} ×2 threads`, c)), { numRuns: Math.ceil(PREPARED_RUNS / 2) });
      }, 120_000);
    });
  });
}

describe("conv1d's algorithm option", () => {
  beforeAll(async () => {
    await init({ isa: 'simd', threads: 1 });
  });
  const zeros = (shape: number[]) => tensor(new Float32Array(product(shape)), shape);

  it("conv1dAlgorithms reports 'winograd' when forced, for every pass", () => {
    expect(conv1dAlgorithms([2, 8, 32], [8, 8, 3], { padding: 1, algorithm: 'winograd' }))
      .toEqual({ forward: 'winograd', inputGradient: 'winograd', filterGradient: 'winograd', threads: 1 });
    expect(conv1dAlgorithms([2, 8, 32], [8, 8, 3], { padding: 1, algorithm: 'gemm' }).forward).toBe('gemm');
  });

  it("'auto' picks F(4, 3) from 16 channels and 16 tiles per call, dW where its accumulators (6·O·C) take at most half of x", () => {
    const picks = (xShape: number[], wShape: number[], opts: Conv1dOptions = { padding: 1 }) => conv1dAlgorithms(xShape, wShape, opts);
    const all = { forward: 'winograd', inputGradient: 'winograd', filterGradient: 'winograd', threads: 1 };
    expect(picks([16, 32, 64], [32, 32, 3])).toEqual(all); // x 32,768 floats, M 6,144
    expect(picks([1, 16, 64], [16, 16, 3])).toEqual({ ...all, filterGradient: 'gemm' }); // 16 tiles; M 1,536 > x / 2
    expect(picks([1, 256, 4096], [256, 256, 3])).toEqual(all);
    expect(picks([1, 16, 60], [16, 16, 3]).forward).toBe('gemm'); // 15 tiles
    expect(picks([4, 16, 15], [16, 16, 3]).forward).toBe('winograd'); // 4 images × 4 tiles
    expect(picks([3, 16, 15], [16, 16, 3]).forward).toBe('gemm'); // 3 × 4 tiles
    expect(picks([1, 15, 512], [16, 15, 3]).forward).toBe('gemm'); // 15 input channels
    expect(picks([1, 16, 512], [8, 16, 3]).forward).toBe('gemm'); // 8 output channels
    expect(picks([1, 32, 512], [32, 32, 3], { padding: 1, stride: 2 }).forward).toBe('gemm');
    expect(picks([1, 32, 512], [32, 32, 5], { padding: 2 }).forward).toBe('gemm');
    expect(picks([1, 32, 512], [32, 32, 3], { padding: 1, algorithm: 'gemm' }).forward).toBe('gemm');
  });

  it("'auto' computes what it names bit for bit, within the Winograd bound where that is F(4, 3)", () => {
    const random = seededRandom(21);
    for (const [xShape, O] of [[[16, 32, 64], 32], [[1, 16, 64], 16], [[2, 8, 64], 8]] as Array<[number[], number]>) {
      const C = xShape[1];
      const x = tensor(randomData(product(xShape), random), xShape);
      const w = tensor(randomData(O * C * 3, random), [O, C, 3]);
      const bias = tensor(randomData(O, random), [O]);
      const dy = tensor(randomData(xShape[0] * O * xShape[2], random), [xShape[0], O, xShape[2]]);
      const run = (algorithm?: Conv1dOptions['algorithm']) => {
        const opts: Conv1dOptions = { padding: 1, algorithm };
        return { forward: conv1d(x, w, bias, opts).data, inputGradient: conv1dBackwardInput(dy, w, xShape, opts).data, filterGradient: conv1dBackward(dy, x, w, opts).dw.data };
      };
      const auto = run(), named = conv1dAlgorithms(xShape, w.shape, { padding: 1 });
      const forced = { winograd: run('winograd'), gemm: run('gemm') };
      for (const pass of ['forward', 'inputGradient', 'filterGradient'] as const) {
        const algorithm = named[pass] as 'winograd' | 'gemm';
        expect(bitwiseEqual(auto[pass], forced[algorithm][pass]), `${pass} of x [${xShape}] by ${algorithm}`).toBe(true);
      }
      if (named.forward === 'winograd') {
        const scale = winograd1dScale(absolute(x.data), xShape, absolute(w.data), O, absolute(bias.data), 1, xShape[2]);
        expectWithinRoundoff('auto y', auto.forward, conv1dRef(x, w, bias.data, { padding: 1 }).data, scale, C + WINOGRAD_1D_EXTRA_TERMS, () => `x [${xShape}]`);
      }
    }
  });

  it("throws on 'winograd' for a conv1d it cannot compute, saying why, and stays usable", () => {
    const cases: Array<[number[], number[], Conv1dOptions, string]> = [
      [[1, 4, 16], [4, 4, 5], {}, 'the kernel is 5, not 3'],
      [[1, 4, 16], [4, 4, 1], {}, 'the kernel is 1, not 3'],
      [[1, 4, 16], [4, 4, 3], { stride: 2 }, 'the stride is 2, not 1'],
      [[1, 4, 16], [4, 4, 3], { dilation: 2 }, 'the dilation is 2, not 1'],
      [[1, 4, 16], [4, 2, 3], { groups: 2 }, 'groups is 2, not 1'],
      [[1, 4, 16], [4, 4, 3], { stride: 2, dilation: 3 }, 'the stride is 2, not 1, the dilation is 3, not 1'],
    ];
    for (const [xShape, wShape, opts, why] of cases) {
      const o = { ...opts, algorithm: 'winograd' as const };
      const shapes = `(x [${xShape}], w [${wShape}])`;
      expect(() => conv1d(zeros(xShape), zeros(wShape), null, o)).toThrow(`conv1d: algorithm 'winograd' cannot compute this convolution: ${why} ${shapes}`);
      expect(() => conv1dAlgorithms(xShape, wShape, o)).toThrow(`conv1dAlgorithms: algorithm 'winograd' cannot compute this convolution: ${why}`);
      expect(() => prepareConv1d(zeros(wShape), null, o)).toThrow(`prepareConv1d: algorithm 'winograd' cannot compute this convolution: ${why} (w [${wShape}])`);
    }
    expect(() => conv1dBackwardInput(zeros([1, 4, 8]), zeros([4, 4, 3]), [1, 4, 16], { stride: 2, algorithm: 'winograd' }))
      .toThrow("conv1dBackwardInput: algorithm 'winograd' cannot compute this convolution: the stride is 2, not 1 (x [1,4,16], w [4,4,3])");
    expect(conv1d(zeros([1, 4, 16]), zeros([4, 4, 3]), null, { algorithm: 'winograd' }).shape).toEqual([1, 4, 14]);
  });

  it('nn.Conv1d takes it, and computes with it', () => {
    const x = tensor(randomData(2 * 3 * 19, seededRandom(5)), [2, 3, 19]);
    const make = (algorithm: Conv1dOptions['algorithm']) => new nn.Sequential([new nn.Conv1d(3, 5, 3, { padding: 1, algorithm, seed: 7 })]);
    const forced = make('winograd'), exact = make('gemm');
    const yw = forced.forward(x), yg = exact.forward(x);
    const [w, b] = forced.parameters().map((p) => p.read());
    const ref = conv1dRef(x, { data: w, shape: [5, 3, 3] }, b, { padding: 1 });
    const scale = winograd1dScale(absolute(x.data), x.shape, absolute(w), 5, absolute(b), 1, 19);
    expectWithinRoundoff('nn y', yw.data, ref.data, scale, 3 + WINOGRAD_1D_EXTRA_TERMS, () => 'nn.Conv1d winograd');
    expect(yw.data.some((v, i) => v !== yg.data[i]), 'the two paths round differently').toBe(true);
    const ineligible = new nn.Sequential([new nn.Conv1d(3, 4, 5, { algorithm: 'winograd' })]);
    expect(() => ineligible.forward(x)).toThrow(/^nn.Conv1d: algorithm 'winograd' cannot compute this convolution: the kernel is 5, not 3/);
    ineligible.dispose();
    forced.dispose();
    exact.dispose();
  });
});
