// Winograd F(4×4, 3×3) forced with algorithm: 'winograd': forward, dX and dW fuzzed against the
// float64 reference within the Winograd error bounds (helpers/winograd-bound.ts) on every ISA
// and on 2 threads, db within the GEMM path's bound; 'auto''s choices; the option's errors.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conv1d, conv2d, conv2dBackward, conv2dBackwardInput, init, nn, tensor, type Conv2dOptions } from '../src/index.js';
import { convGeometry } from '../src/ops/geometry.js';
import { parseConv2dOptions } from '../src/ops/options.js';
import { convPasses } from '../src/ops/passes/index.js';
import { forwardTilesPerBlock, fusesFilterTransform } from '../src/ops/passes/winograd.js';
import { setMinFlopsPerThread } from '../src/ops/passes/parallel.js';
import { conv2dBackwardRef, conv2dRef } from '../src/reference/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { product, randomData, seededRandom } from './helpers/random.js';
import { absolute, expectWithinRoundoff, UNIT_ROUNDOFF } from './helpers/tolerance.js';
import { WINOGRAD_DW_EXTRA_TERMS, WINOGRAD_EXTRA_TERMS, winogradFilterGradientScale, winogradScale } from './helpers/winograd-bound.js';

const RUNS = Number(process.env.WASMCONV_FUZZ_RUNS ?? 1000) / 4;
const THREAD_RUNS = Number(process.env.WASMCONV_THREAD_FUZZ_RUNS ?? 300) / 3;

interface WinogradCase {
  xShape: number[];
  outChannels: number;
  /** [top, bottom, left, right] */
  pads: [number, number, number, number];
  /** how the padding is spelt in the options */
  padding: Conv2dOptions['padding'];
  bias: boolean;
  seed: number;
}

const pad = fc.integer({ min: 0, max: 3 });
/**
 * Eligible shapes: 3×3, stride 1; padding 0–3 per side (3 makes dX's transposed conv crop),
 * in every spelling; outputs from 1×1 to 19×19, so most are not whole 4×4 tiles; channel
 * counts up to 20 (not multiples of 4 or 8, and past one 8-tile panel); batches of 1–3.
 */
const winogradCase: fc.Arbitrary<WinogradCase> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    inChannels: fc.integer({ min: 1, max: 20 }),
    outChannels: fc.integer({ min: 1, max: 20 }),
    padding: fc.oneof(pad, fc.tuple(pad, pad), fc.tuple(pad, pad, pad, pad), fc.constant('same' as const), fc.constant('valid' as const)),
    out: fc.tuple(fc.integer({ min: 1, max: 19 }), fc.integer({ min: 1, max: 19 })),
    bias: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ batch, inChannels, outChannels, padding, out, bias, seed }) => {
    const pads: [number, number, number, number] =
      typeof padding === 'number' ? [padding, padding, padding, padding]
      : padding === 'same' ? [1, 1, 1, 1]
      : padding === 'valid' ? [0, 0, 0, 0]
      : padding.length === 2 ? [padding[0], padding[0], padding[1], padding[1]]
      : padding;
    // the input that gives `out` outputs (at least 1 row and column of input)
    const height = Math.max(1, out[0] + 2 - pads[0] - pads[1]);
    const width = Math.max(1, out[1] + 2 - pads[2] - pads[3]);
    return { xShape: [batch, inChannels, height, width], outChannels, pads, padding, bias, seed };
  });

const describeCase = (c: WinogradCase) =>
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

/** Every output of a case checked against the reference: y, dx and dw within the Winograd bounds, db within the GEMM's. */
function checkWinogradCase(label: string, c: WinogradCase): void {
  const [batch, inChannels, height, width] = c.xShape;
  const O = c.outChannels;
  const wShape = [O, inChannels, 3, 3];
  const random = seededRandom(c.seed);
  const x = tensor(randomData(product(c.xShape), random), c.xShape);
  const w = tensor(randomData(product(wShape), random), wShape);
  const bias = c.bias ? tensor(randomData(O, random), [O]) : null;
  const xCopy = x.data.slice(), wCopy = w.data.slice();
  const opts: Conv2dOptions = { padding: c.padding, algorithm: 'winograd' };
  const refOpts = { padding: c.padding };
  const context = () => `${label}; ${describeCase(c)}`;
  const [pt, , pl] = c.pads;

  const y = conv2d(x, w, bias, opts);
  const yRef = conv2dRef(x, w, bias?.data ?? null, refOpts);
  expect(y.shape, context()).toEqual(yRef.shape);
  const [, , outH, outW] = yRef.shape;
  const absX = absolute(x.data), absW = absolute(w.data), absBias = bias ? absolute(bias.data) : null;
  const yScale = winogradScale(absX, c.xShape, absW, O, absBias, pt, pl, outH, outW);
  expectWithinRoundoff('y', y.data, yRef.data, yScale, inChannels + WINOGRAD_EXTRA_TERMS, context);
  note(label, y.data, yRef.data, yScale, conv2dRef({ data: absX, shape: c.xShape }, { data: absW, shape: wShape }, absBias, refOpts).data);

  const dy = tensor(randomData(product(yRef.shape), random), yRef.shape);
  const dyCopy = dy.data.slice();
  const g = conv2dBackward(dy, x, w, opts);
  const gRef = conv2dBackwardRef(dy, x, w, refOpts);
  // dX is the conv of dy with the flipped, channel-transposed filter, padding 2 − pad before
  const flipped = new Float64Array(absW.length);
  for (let o = 0; o < O; o++) {
    for (let ci = 0; ci < inChannels; ci++) {
      for (let t = 0; t < 9; t++) flipped[(ci * O + o) * 9 + 8 - t] = absW[(o * inChannels + ci) * 9 + t];
    }
  }
  const absDy = absolute(dy.data);
  const dxScale = winogradScale(absDy, yRef.shape, flipped, inChannels, null, 2 - pt, 2 - pl, height, width);
  expectWithinRoundoff('dx', g.dx.data, gRef.dx.data, dxScale, O + WINOGRAD_EXTRA_TERMS, context);
  const gScale = conv2dBackwardRef({ data: absDy, shape: yRef.shape }, { data: absX, shape: c.xShape }, { data: absW, shape: wShape }, refOpts);
  note(label, g.dx.data, gRef.dx.data, dxScale, gScale.dx.data);
  // dW sums over every tile of every image (and, split across threads, over the chunks' partials)
  const tiles = batch * Math.ceil(outH / 4) * Math.ceil(outW / 4);
  const dwScale = winogradFilterGradientScale(absX, c.xShape, absDy, yRef.shape, pt, pl);
  expectWithinRoundoff('dw', g.dw.data, gRef.dw.data, dwScale, tiles + batch + WINOGRAD_DW_EXTRA_TERMS, context);
  note(`${label} dW`, g.dw.data, gRef.dw.data, dwScale, gScale.dw.data);
  expectWithinRoundoff('db', g.db.data, gRef.db.data, gScale.db.data, batch * outH * outW, context);

  // dX alone runs the same pass: bit for bit the same
  const dxOnly = conv2dBackwardInput(dy, w, c.xShape, opts);
  expect(dxOnly.data.every((v, i) => Object.is(v, g.dx.data[i])), `dx from conv2dBackwardInput differs\n${context()}`).toBe(true);
  const intact = [x.data, w.data, dy.data].every((a, i) => a.every((v, j) => Object.is(v, [xCopy, wCopy, dyCopy][i][j])));
  expect(intact, `an input was modified\n${context()}`).toBe(true);
}

const bitwiseEqual = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && new Uint32Array(a.buffer, a.byteOffset, a.length).every((v, i) => v === new Uint32Array(b.buffer, b.byteOffset, b.length)[i]);

for (const isa of TEST_ISAS) {
  describe(`Winograd F(4×4, 3×3), isa ${isa}`, () => {
    afterAll(() => {
      for (const [label, w] of worst) {
        if (label.startsWith(isa)) {
          const bound = label.endsWith('dW') ? `N·tiles + ${WINOGRAD_DW_EXTRA_TERMS + 2}` : `C + ${WINOGRAD_EXTRA_TERMS + 2}`;
          console.log(`${label}: worst error ${w.winograd.toFixed(2)} u·S (bound: ${bound}), ${w.direct.toFixed(1)} u·Σ|term|`);
        }
      }
    });

    it(`forward, dX and dW within the Winograd bounds, db within the GEMM bound: ${RUNS} random cases`, async () => {
      await init({ isa, threads: 1 });
      fc.assert(fc.property(winogradCase, (c) => checkWinogradCase(isa, c)), { numRuns: RUNS });
    }, 120_000);

    it('one image makes U a few rows at a time: bit for bit the same image in a batch of two (U made whole), forward and dX, on 1 and 2 threads', async () => {
      const fusedCase = fc.record({
        inChannels: fc.integer({ min: 1, max: 40 }), // across FUSED_ROWS (8) blocks and their remainders
        outChannels: fc.integer({ min: 1, max: 40 }),
        out: fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 })),
        padding: fc.integer({ min: 0, max: 2 }),
        bias: fc.boolean(),
        seed: fc.integer(),
      });
      const threshold = setMinFlopsPerThread(0); // split even these small shapes on 2 threads
      try {
        await fc.assert(fc.asyncProperty(fusedCase, async (c) => {
          const C = c.inChannels, O = c.outChannels;
          const [H, W] = c.out.map((o) => Math.max(1, o + 2 - 2 * c.padding));
          const random = seededRandom(c.seed);
          const one = randomData(C * H * W, random), two = randomData(2 * C * H * W, random);
          two.set(one);
          const w = tensor(randomData(O * C * 9, random), [O, C, 3, 3]);
          const bias = c.bias ? tensor(randomData(O, random), [O]) : null;
          const opts: Conv2dOptions = { padding: c.padding, algorithm: 'winograd' };
          const g1 = convGeometry('t', [1, C, H, W], w.shape, parseConv2dOptions('t', opts));
          const tiles = Math.ceil(g1.outH / 4) * Math.ceil(g1.outW / 4);
          const blockTiles = forwardTilesPerBlock(tiles, C, O);
          expect(fusesFilterTransform(g1, blockTiles), 'one image: fused').toBe(true);
          expect(fusesFilterTransform({ ...g1, batch: 2 }, blockTiles), 'two images: U made whole').toBe(false);
          const dyOne = randomData(O * g1.outH * g1.outW, random), dyTwo = randomData(2 * dyOne.length, random);
          dyTwo.set(dyOne);
          const context = `C ${C}, O ${O}, x ${H}×${W}, padding ${c.padding}, bias ${c.bias}, seed ${c.seed}`;
          for (const threads of [1, 2]) {
            await init({ isa, threads });
            const y1 = conv2d(tensor(one, [1, C, H, W]), w, bias, opts).data;
            const y2 = conv2d(tensor(two, [2, C, H, W]), w, bias, opts).data;
            expect(bitwiseEqual(y1, y2.subarray(0, y1.length)), `y, ${threads} threads, ${context}`).toBe(true);
            const dx1 = conv2dBackwardInput(tensor(dyOne, [1, O, g1.outH, g1.outW]), w, [1, C, H, W], opts).data;
            const dx2 = conv2dBackwardInput(tensor(dyTwo, [2, O, g1.outH, g1.outW]), w, [2, C, H, W], opts).data;
            expect(bitwiseEqual(dx1, dx2.subarray(0, dx1.length)), `dx, ${threads} threads, ${context}`).toBe(true);
          }
        }), { numRuns: Math.max(10, Math.round(RUNS / 5)) });
      } finally {
        setMinFlopsPerThread(threshold);
        await init({ isa, threads: 1 });
      }
    }, 120_000);

    it('picks the winograd strategy when asked, and only for eligible shapes', async () => {
      await init({ isa, threads: 1 });
      const strategy = (xShape: number[], wShape: number[], opts: Conv2dOptions) =>
        convPasses(convGeometry('t', xShape, wShape, parseConv2dOptions('t', opts))).strategy;
      expect(strategy([1, 8, 9, 9], [8, 8, 3, 3], { padding: 1, algorithm: 'winograd' })).toBe('winograd');
      expect(strategy([1, 8, 9, 9], [8, 8, 3, 3], { padding: 1, algorithm: 'gemm' })).toBe('gemm');
      expect(strategy([1, 8, 9, 9], [8, 8, 3, 3], { padding: 1, stride: 2 })).toBe('gemm');
      // 'auto': where it measured faster (src/ops/passes/index.ts)
      expect(strategy([32, 64, 16, 16], [64, 64, 3, 3], { padding: 1 })).toBe('winograd'); // S3
      expect(strategy([1, 16, 16, 16], [16, 16, 3, 3], { padding: 1 })).toBe('winograd'); // 16 tiles
      expect(strategy([32, 3, 32, 32], [16, 3, 3, 3], { padding: 1 })).toBe('gemm'); // 3 input channels
      expect(strategy([32, 16, 32, 32], [8, 16, 3, 3], { padding: 1 })).toBe('gemm'); // 8 output channels
      expect(strategy([1, 4, 8, 8], [4, 4, 3, 3], { padding: 1 })).toBe('gemm'); // 4 tiles, 4 channels
      // fewer than 16 tiles: while U (36·O·C floats, made per call) stays small
      expect(strategy([1, 64, 8, 8], [64, 64, 3, 3], { padding: 1 })).toBe('winograd'); // 4 tiles, U 0.6 MB
      expect(strategy([1, 16, 8, 8], [16, 16, 3, 3], { padding: 1 })).toBe('gemm'); // 4 tiles, 16 channels
      expect(strategy([1, 64, 4, 4], [64, 64, 3, 3], { padding: 1 })).toBe('gemm'); // 1 tile
      expect(strategy([1, 512, 7, 7], [512, 512, 3, 3], { padding: 1 })).toBe('winograd'); // 4 tiles, one image: U made a few rows at a time
      expect(strategy([2, 256, 7, 7], [256, 256, 3, 3], { padding: 1 })).toBe('gemm'); // 8 tiles, two images: U 9.4 MB made whole
      expect(strategy([2, 128, 7, 7], [128, 128, 3, 3], { padding: 1 })).toBe('winograd'); // 8 tiles, U 2.4 MB
      expect(strategy([1, 256, 12, 12], [256, 256, 3, 3], { padding: 1 })).toBe('winograd'); // 9 tiles
      expect(strategy([1, 512, 12, 12], [512, 512, 3, 3], { padding: 1 })).toBe('gemm'); // 9 tiles in two blocks, U 37.7 MB
      expect(strategy([8, 64, 5, 5], [64, 64, 3, 3], { padding: 1 })).toBe('gemm'); // 25 of 64 outputs used
      expect(strategy([32, 64, 16, 16], [64, 64, 3, 3], { padding: 1, algorithm: 'gemm' })).toBe('gemm');
    });

    describe('on 2 threads', () => {
      let threshold: number;
      beforeAll(() => {
        threshold = setMinFlopsPerThread(0); // split even these small shapes
      });
      afterAll(() => {
        setMinFlopsPerThread(threshold);
      });
      const batchOfTwoOrMore = winogradCase.map((c) => ({ ...c, xShape: [c.xShape[0] + 1, ...c.xShape.slice(1)] }));

      it(`${THREAD_RUNS} random cases against the reference, y and dx equal to one thread's bit for bit`, async () => {
        await fc.assert(
          fc.asyncProperty(batchOfTwoOrMore, async (c) => {
            const random = seededRandom(c.seed);
            const x = tensor(randomData(product(c.xShape), random), c.xShape);
            const w = tensor(randomData(c.outChannels * c.xShape[1] * 9, random), [c.outChannels, c.xShape[1], 3, 3]);
            const opts: Conv2dOptions = { padding: c.padding, algorithm: 'winograd' };
            await init({ isa, threads: 1 });
            const y1 = conv2d(x, w, null, opts);
            const dy = tensor(randomData(y1.data.length, random), y1.shape);
            const dx1 = conv2dBackwardInput(dy, w, c.xShape, opts);
            await init({ isa, threads: 2 });
            checkWinogradCase(`${isa} ×2 threads`, c);
            expect(bitwiseEqual(conv2d(x, w, null, opts).data, y1.data), `y\n${describeCase(c)}`).toBe(true);
            expect(bitwiseEqual(conv2dBackwardInput(dy, w, c.xShape, opts).data, dx1.data), `dx\n${describeCase(c)}`).toBe(true);
          }),
          { numRuns: THREAD_RUNS },
        );
      }, 120_000);
    });
  });
}

describe("the algorithm option", () => {
  const x = tensor(randomData(2 * 3 * 8 * 8, seededRandom(1)), [2, 3, 8, 8]);
  const w = tensor(randomData(4 * 3 * 9, seededRandom(2)), [4, 3, 3, 3]);
  beforeAll(async () => {
    await init({ isa: 'simd', threads: 1 });
  });

  it('rejects an unknown value, naming the option and the values', () => {
    expect(() => conv2d(x, w, null, { algorithm: 'fft' as never })).toThrow(
      'conv2d: algorithm must be \'auto\', \'gemm\', \'winograd\', got "fft"',
    );
    expect(() => conv1d(tensor(new Float32Array(6), [1, 1, 6]), tensor(new Float32Array(3), [1, 1, 3]), null, { algorithm: 1 as never }))
      .toThrow(/^conv1d: algorithm must be 'auto', 'gemm', 'winograd', got number 1$/);
  });

  it("throws on 'winograd' for a shape it cannot compute, saying why", () => {
    const cases: Array<[number[], number[], Conv2dOptions, RegExp]> = [
      [[1, 4, 8, 8], [4, 4, 5, 5], {}, /the kernel is 5×5, not 3×3/],
      [[1, 4, 8, 8], [4, 4, 3, 3], { stride: [1, 2] }, /the stride is 1×2, not 1/],
      [[1, 4, 8, 8], [4, 4, 3, 3], { dilation: 2 }, /the dilation is 2×2, not 1/],
      [[1, 4, 8, 8], [4, 2, 3, 3], { groups: 2 }, /groups is 2, not 1/],
    ];
    for (const [xShape, wShape, opts, why] of cases) {
      const call = () => conv2d(tensor(new Float32Array(product(xShape)), xShape), tensor(new Float32Array(product(wShape)), wShape), null, { ...opts, algorithm: 'winograd' });
      expect(call).toThrow(/^conv2d: algorithm 'winograd' cannot compute this convolution: /);
      expect(call).toThrow(why);
    }
    expect(() => conv2dBackwardInput(tensor(new Float32Array(4 * 6 * 6), [1, 4, 6, 6]), tensor(new Float32Array(16 * 9), [4, 4, 3, 3]), [1, 4, 12, 12], { stride: 2, algorithm: 'winograd' }))
      .toThrow(/^conv2dBackwardInput: algorithm 'winograd' cannot compute this convolution: the stride is 2×2, not 1 \(x \[1,4,12,12\], w \[4,4,3,3\]\)/);
    // conv1d says it in its own axis's terms (test/winograd1d.test.ts has the rest)
    expect(() => conv1d(tensor(new Float32Array(6), [1, 1, 6]), tensor(new Float32Array(5), [1, 1, 5]), null, { algorithm: 'winograd' }))
      .toThrow("conv1d: algorithm 'winograd' cannot compute this convolution: the kernel is 5, not 3 (x [1,1,6], w [1,1,5])");
    // the library stays usable
    expect(conv2d(x, w, null, { algorithm: 'gemm' }).shape).toEqual([2, 4, 6, 6]);
  });

  it("'auto' computes dW by Winograd too where its accumulator (36·O·C) takes at most half of x", () => {
    // 32 images of 16 channels, 8×8: x 32,768 floats, M 9,216
    const random = seededRandom(4);
    const xs = tensor(randomData(32 * 16 * 8 * 8, random), [32, 16, 8, 8]);
    const ws = tensor(randomData(16 * 16 * 9, random), [16, 16, 3, 3]);
    const dy = tensor(randomData(32 * 16 * 8 * 8, random), [32, 16, 8, 8]);
    const dw = (algorithm?: Conv2dOptions['algorithm']) => conv2dBackward(dy, xs, ws, { padding: 1, algorithm }).dw.data;
    const auto = dw(), winograd = dw('winograd'), gemm = dw('gemm');
    expect(bitwiseEqual(auto, winograd) && !bitwiseEqual(auto, gemm), 'dw by Winograd').toBe(true);
  });

  it("'auto', where it picks Winograd but dW's accumulator would take more than half of x, computes forward and dX by it and dW by the GEMM path", () => {
    // 4 images of 8×8 outputs: 16 tiles, 16 channels
    const random = seededRandom(3);
    const xs = tensor(randomData(4 * 16 * 8 * 8, random), [4, 16, 8, 8]);
    const ws = tensor(randomData(16 * 16 * 9, random), [16, 16, 3, 3]);
    const dy = tensor(randomData(4 * 16 * 8 * 8, random), [4, 16, 8, 8]);
    const run = (algorithm?: Conv2dOptions['algorithm']) => {
      const opts: Conv2dOptions = { padding: 1, algorithm };
      return { y: conv2d(xs, ws, null, opts).data, dx: conv2dBackwardInput(dy, ws, xs.shape, opts).data, dw: conv2dBackward(dy, xs, ws, opts).dw.data };
    };
    const auto = run(), gemm = run('gemm'), winograd = run('winograd');
    expect(bitwiseEqual(auto.y, winograd.y) && !bitwiseEqual(auto.y, gemm.y), 'y by Winograd').toBe(true);
    expect(bitwiseEqual(auto.dx, winograd.dx) && !bitwiseEqual(auto.dx, gemm.dx), 'dx by Winograd').toBe(true);
    expect(bitwiseEqual(auto.dw, gemm.dw) && !bitwiseEqual(auto.dw, winograd.dw), 'dw by the GEMM path').toBe(true);
  });

  it("'gemm' and 'winograd' agree within the Winograd bound's order, and 'gemm' is the exact path", () => {
    const gemm = conv2d(x, w, null, { padding: 1, algorithm: 'gemm' });
    const winograd = conv2d(x, w, null, { padding: 1, algorithm: 'winograd' });
    const ref = conv2dRef(x, w, null, { padding: 1 });
    const scale = conv2dRef({ data: absolute(x.data), shape: x.shape }, { data: absolute(w.data), shape: w.shape }, null, { padding: 1 });
    expectWithinRoundoff('gemm y', gemm.data, ref.data, scale.data, 27 + 1, () => 'gemm');
    expect(winograd.data.some((v, i) => v !== gemm.data[i]), 'the two paths round differently').toBe(true);
  });

  it('nn.Conv2d takes it, and computes with it', async () => {
    const make = (algorithm: Conv2dOptions['algorithm']) => new nn.Sequential([new nn.Conv2d(3, 4, 3, { padding: 1, algorithm, seed: 7 })]);
    const forced = make('winograd'), exact = make('gemm');
    const yw = forced.forward(x), yg = exact.forward(x);
    const ref = conv2dRef(x, { data: forced.parameters()[0].read(), shape: [4, 3, 3, 3] }, forced.parameters()[1].read(), { padding: 1 });
    const scale = winogradScale(absolute(x.data), x.shape, absolute(forced.parameters()[0].read()), 4, absolute(forced.parameters()[1].read()), 1, 1, 8, 8);
    expectWithinRoundoff('nn y', yw.data, ref.data, scale, 3 + WINOGRAD_EXTRA_TERMS, () => 'nn.Conv2d winograd');
    expect(yw.data.some((v, i) => v !== yg.data[i])).toBe(true);
    const ineligible = new nn.Sequential([new nn.Conv2d(3, 4, 5, { algorithm: 'winograd' })]);
    expect(() => ineligible.forward(x)).toThrow(/^nn.Conv2d: algorithm 'winograd' cannot compute this convolution: the kernel is 5×5, not 3×3/);
    ineligible.dispose();
    forced.dispose();
    exact.dispose();
  });
});
