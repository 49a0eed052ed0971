// The graph layers against their float64 references (src/reference) on every ISA: BatchNorm2d
// in training and evaluation (outputs, running statistics, every gradient), GlobalAvgPool2d and
// Add, fuzzed over shapes with fast-check and bounded by the float32 rounding their sums can
// accumulate; each layer's backward against finite differences of its forward; and the
// references' own gradients against float64 finite differences.
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import {
  addRef, batchNorm2dBackwardRef, batchNorm2dRef, globalAvgPool2dBackwardRef, globalAvgPool2dRef, type RefTensor,
} from '../src/reference/index.js';
import { gradCheck } from './helpers/gradcheck.js';
import { TEST_ISAS } from './helpers/isas.js';
import { product, randomData, seededRandom } from './helpers/random.js';
import { absolute, expectWithinRoundoff } from './helpers/tolerance.js';
import { singleLayerGraph } from './helpers/graphs.js';

const RUNS = 60;

/** A graph x → layer → y. */

interface BnCase {
  shape: [number, number, number, number];
  training: boolean;
  seed: number;
  /** added to x, so that centring matters */
  offset: number;
  momentum: number;
}

const bnCase: fc.Arbitrary<BnCase> = fc
  .record({
    n: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 1, max: 5 }), h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 9 }),
    training: fc.boolean(), seed: fc.integer({ min: 0, max: 1e6 }), offset: fc.constantFrom(0, 0.5, -3),
    momentum: fc.constantFrom(0.1, 0.5, 1),
  })
  .filter(({ n, h, w }) => n * h * w >= 4)
  .map(({ n, c, h, w, ...rest }) => ({ shape: [n, c, h, w], ...rest }));

/** Per channel: Σ|x|/M, the mean, and for each element its channel. */
function channelOf(shape: readonly number[]) {
  const [, C, H, W] = shape;
  return (i: number) => Math.floor(i / (H * W)) % C;
}

describe.each(TEST_ISAS)('graph layers, isa %s', (isa) => {
  const owned: Array<{ dispose(): void }> = [];
  beforeAll(async () => {
    await init({ isa });
  });
  afterEach(() => {
    for (const o of owned.splice(0)) o.dispose();
  });

  it(`BatchNorm2d: ${RUNS} random cases (train and eval) against batchNorm2dRef: y, running statistics, dx, dγ, dβ`, () => {
    fc.assert(
      fc.property(bnCase, ({ shape, training, seed, offset, momentum }) => {
        const [N, C, H, W] = shape;
        const M = N * H * W;
        const random = seededRandom(seed);
        const bn = new nn.BatchNorm2d(C, { momentum });
        const model = singleLayerGraph(bn);
        owned.push(model);
        const gamma = randomData(C, random).map((v) => v + 1.5 * Math.sign(v));
        const beta = randomData(C, random);
        const runningMean = randomData(C, random);
        const runningVar = randomData(C, random).map((v) => 0.5 + Math.abs(v));
        bn.weight.write(gamma);
        bn.bias.write(beta);
        bn.runningMean.write(runningMean);
        bn.runningVar.write(runningVar);
        if (!training) model.eval();
        const x = randomData(product(shape), random).map((v) => v + offset);
        const dy = randomData(x.length, random);
        const y = model.forward({ data: x, shape });
        const dx = model.backward({ data: dy, shape }, { inputGradient: true })!;

        const xr: RefTensor = { data: x, shape };
        const ref = batchNorm2dRef(xr, gamma, beta, { training, runningMean, runningVar, momentum });
        const back = batchNorm2dBackwardRef(dy, xr, gamma, ref, { training });
        const ch = channelOf(shape);
        const meanAbs = new Float64Array(C), sumAbsDy = new Float64Array(C), sumAbsDyXhat = new Float64Array(C);
        const invStd = Float64Array.from(ref.variance, (v) => 1 / Math.sqrt(v + 1e-5));
        x.forEach((v, i) => {
          const c = ch(i);
          meanAbs[c] += Math.abs(v) / M;
          sumAbsDy[c] += Math.abs(dy[i]);
          sumAbsDyXhat[c] += Math.abs(dy[i] * (v - ref.mean[c]) * invStd[c]);
        });
        const context = () => `${isa} ${training ? 'train' : 'eval'} x ${JSON.stringify(shape)} offset ${offset} seed ${seed}`;
        // Bounds. A channel's sums run over M values: the mean is off by ≤ (M+3)·u·mean|x|, the
        // variance (and so 1/√(σ²+eps), squared in dx) by ≤ (M+8)·u relatively; each output then
        // takes a few more roundings. `scale` is the sum of the magnitudes those errors multiply.
        const sums = training ? 2 * M + 16 : 8;
        const xhatAbs = (i: number) => Math.abs(x[i] - ref.mean[ch(i)]) * invStd[ch(i)] + (training ? meanAbs[ch(i)] : Math.abs(ref.mean[ch(i)])) * invStd[ch(i)];
        const k = (c: number) => Math.abs(gamma[c]) * invStd[c];
        expectWithinRoundoff('y', y.data, ref.y.data, Float64Array.from(x, (_, i) => k(ch(i)) * (xhatAbs(i) / invStd[ch(i)]) + Math.abs(beta[ch(i)])), sums, context);
        const dxScale = Float64Array.from(x, (_, i) => {
          const c = ch(i);
          const spread = training ? sumAbsDy[c] / M + xhatAbs(i) * (sumAbsDyXhat[c] + sumAbsDy[c] * meanAbs[c] * invStd[c]) / M : 0;
          return k(c) * (Math.abs(dy[i]) + spread);
        });
        expectWithinRoundoff('dx', dx.data, back.dx.data, dxScale, sums, context);
        const dgammaScale = Float64Array.from(gamma, (_, c) => sumAbsDyXhat[c] + sumAbsDy[c] * (training ? meanAbs[c] : Math.abs(ref.mean[c])) * invStd[c]);
        expectWithinRoundoff('dγ', bn.weight.readGrad(), back.dgamma, dgammaScale, M + sums, context);
        expectWithinRoundoff('dβ', bn.bias.readGrad(), back.dbeta, sumAbsDy, M + 4, context);
        const mScale = Float64Array.from(runningMean, (v, c) => (1 - momentum) * Math.abs(v) + momentum * meanAbs[c]);
        expectWithinRoundoff('running_mean', bn.runningMean.read(), ref.runningMean, mScale, M + 8, context);
        const vScale = Float64Array.from(runningVar, (v, c) => (1 - momentum) * Math.abs(v) + momentum * ref.variance[c] * (M / (M - 1)));
        expectWithinRoundoff('running_var', bn.runningVar.read(), ref.runningVar, vScale, M + 8, context);
        if (!training) {
          // evaluation leaves the running statistics exactly as they were
          expect(bn.runningMean.read()).toEqual(runningMean);
          expect(bn.runningVar.read()).toEqual(runningVar);
        }
        owned.splice(owned.indexOf(model), 1);
        model.dispose();
      }),
      { numRuns: RUNS },
    );
  });

  it('BatchNorm2d keeps PyTorch semantics: unbiased running variance, eps inside the square root, momentum', () => {
    // one channel, values 1..4: mean 2.5, biased variance 1.25, unbiased 5/3
    const bn = new nn.BatchNorm2d(1, { eps: 0.25, momentum: 0.5 });
    const model = singleLayerGraph(bn);
    owned.push(model);
    const y = model.forward({ data: Float32Array.of(1, 2, 3, 4), shape: [1, 1, 2, 2] }).data;
    const s = Math.sqrt(1.25 + 0.25);
    expect(Array.from(y)).toEqual([1, 2, 3, 4].map((v) => Math.fround((v - 2.5) / s)));
    expect(bn.runningMean.read()[0]).toBeCloseTo(0.5 * 0 + 0.5 * 2.5, 6);
    expect(bn.runningVar.read()[0]).toBeCloseTo(0.5 * 1 + 0.5 * (5 / 3), 6);
    // a second batch moves them again by the momentum
    model.forward({ data: Float32Array.of(0, 0, 2, 2), shape: [2, 1, 1, 2] });
    expect(bn.runningMean.read()[0]).toBeCloseTo(0.5 * 1.25 + 0.5 * 1, 6);
    expect(bn.runningVar.read()[0]).toBeCloseTo(0.5 * (0.5 + 5 / 6) + 0.5 * (4 / 3), 6);
    // eval: running statistics, eps inside the root
    model.eval();
    const rm = bn.runningMean.read()[0], rv = bn.runningVar.read()[0];
    const e = model.forward({ data: Float32Array.of(3), shape: [1, 1, 1, 1] }).data[0];
    expect(e).toBeCloseTo((3 - rm) / Math.sqrt(rv + 0.25), 6);
  });

  it.each([
    ['train', true, [2, 3, 3, 4]],
    ['train, 1×1 planes', true, [5, 2, 1, 1]],
    ['eval', false, [2, 3, 3, 4]],
  ] as const)('BatchNorm2d backward against finite differences (%s)', (_, training, shape) => {
    const random = seededRandom(product(shape) + (training ? 1 : 0));
    const bn = new nn.BatchNorm2d(shape[1]);
    const model = singleLayerGraph(bn);
    owned.push(model);
    bn.weight.write(randomData(shape[1], random).map((v) => v + 1.5 * Math.sign(v)));
    bn.bias.write(randomData(shape[1], random));
    bn.runningMean.write(randomData(shape[1], random));
    bn.runningVar.write(randomData(shape[1], random).map((v) => 0.5 + Math.abs(v)));
    if (!training) model.eval();
    const x = randomData(product(shape), random);
    gradCheck(`${isa} BatchNorm2d ${training ? 'train' : 'eval'}`, model, x, [...shape], randomData(x.length, random));
  });

  it(`GlobalAvgPool2d: ${RUNS} random shapes against globalAvgPool2dRef, forward and backward; finite differences`, () => {
    fc.assert(
      fc.property(
        fc.record({ n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 5 }), h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 13 }), seed: fc.nat() }),
        ({ n, c, h, w, seed }) => {
          const shape = [n, c, h, w];
          const random = seededRandom(seed);
          const model = singleLayerGraph(new nn.GlobalAvgPool2d());
          const x = randomData(product(shape), random);
          const dy = randomData(n * c, random);
          const y = model.forward({ data: x, shape });
          expect(y.shape).toEqual([n, c, 1, 1]);
          const dx = model.backward({ data: dy, shape: [n, c, 1, 1] }, { inputGradient: true })!;
          const context = () => `${isa} x ${JSON.stringify(shape)} seed ${seed}`;
          const xr = { data: x, shape };
          expectWithinRoundoff('y', y.data, globalAvgPool2dRef(xr).data, globalAvgPool2dRef({ data: absolute(x), shape }).data, h * w + 1, context);
          // dx = dy/(H·W): one rounding of 1/(H·W), one of the product
          expectWithinRoundoff('dx', dx.data, globalAvgPool2dBackwardRef(dy, shape).data, globalAvgPool2dBackwardRef(absolute(dy), shape).data, 1, context);
          model.dispose();
        },
      ),
      { numRuns: RUNS },
    );
    const random = seededRandom(3);
    const model = singleLayerGraph(new nn.GlobalAvgPool2d());
    owned.push(model);
    gradCheck(`${isa} GlobalAvgPool2d`, model, randomData(2 * 3 * 5 * 6, random), [2, 3, 5, 6], randomData(6, random));
  });

  it(`Add: ${RUNS} random shapes bit for bit against addRef; dy goes to both inputs`, () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }), fc.nat(), (shape, seed) => {
        const random = seededRandom(seed);
        const g = new nn.GraphBuilder();
        const model = g.build({ outputs: g.add(g.input('a'), g.input('b')) });
        const a = randomData(product(shape), random), b = randomData(product(shape), random);
        const y = model.run({ a: { data: a, shape }, b: { data: b, shape } }).y;
        expect(Array.from(y.data)).toEqual(Array.from(Float32Array.from(addRef({ data: a, shape }, { data: b, shape }).data)));
        model.dispose();
      }),
      { numRuns: RUNS },
    );
    // x + x: the same tensor twice, its gradient summed: 2·dy
    const g = new nn.GraphBuilder();
    const x = g.input('x');
    const model = g.build({ outputs: g.add(x, x) });
    owned.push(model);
    const random = seededRandom(4);
    const xs = randomData(30, random), dy = randomData(30, random);
    expect(Array.from(model.forward({ data: xs, shape: [5, 6] }).data)).toEqual(Array.from(xs, (v) => Math.fround(2 * v)));
    expect(Array.from(model.backward({ data: dy, shape: [5, 6] }, { inputGradient: true })!.data)).toEqual(Array.from(dy, (v) => Math.fround(2 * v)));
  });
});

describe('the references against float64 finite differences', () => {
  it.each([true, false])('batchNorm2dBackwardRef (training %s): dx, dγ, dβ', (training) => {
    const shape = [3, 2, 2, 3];
    const random = seededRandom(training ? 21 : 22);
    const x = Float64Array.from(randomData(product(shape), random));
    const gamma = Float64Array.of(1.3, -0.7), beta = Float64Array.of(0.2, -0.4);
    const runningMean = [0.1, -0.2], runningVar = [0.8, 1.7];
    const r = Float64Array.from(randomData(x.length, random));
    const f = (xv: Float64Array, g: Float64Array, b: Float64Array) =>
      batchNorm2dRef({ data: xv, shape }, g, b, { training, runningMean, runningVar }).y.data.reduce((s, v, i) => s + v * r[i], 0);
    const fwd = batchNorm2dRef({ data: x, shape }, gamma, beta, { training, runningMean, runningVar });
    const back = batchNorm2dBackwardRef(r, { data: x, shape }, gamma, fwd, { training });
    const h = 1e-6;
    const diff = (vec: Float64Array, i: number, at: (v: Float64Array) => number) => {
      const p = vec.slice(), m = vec.slice();
      p[i] += h;
      m[i] -= h;
      return (at(p) - at(m)) / (2 * h);
    };
    x.forEach((_, i) => expect(diff(x, i, (v) => f(v, gamma, beta))).toBeCloseTo(back.dx.data[i], 6));
    gamma.forEach((_, c) => expect(diff(gamma, c, (v) => f(x, v, beta))).toBeCloseTo(back.dgamma[c], 6));
    beta.forEach((_, c) => expect(diff(beta, c, (v) => f(x, gamma, v))).toBeCloseTo(back.dbeta[c], 6));
  });

  it('globalAvgPool2dBackwardRef', () => {
    const shape = [2, 3, 2, 3];
    const random = seededRandom(23);
    const x = Float64Array.from(randomData(product(shape), random));
    const r = Float64Array.from(randomData(6, random));
    const f = (v: Float64Array) => globalAvgPool2dRef({ data: v, shape }).data.reduce((s, y, i) => s + y * r[i], 0);
    const dx = globalAvgPool2dBackwardRef(r, shape).data;
    x.forEach((_, i) => {
      const p = x.slice(), m = x.slice();
      p[i] += 1e-6;
      m[i] -= 1e-6;
      expect((f(p) - f(m)) / 2e-6).toBeCloseTo(dx[i], 6);
    });
  });
});
