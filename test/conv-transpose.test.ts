// nn.ConvTranspose2d on every ISA: fuzzed against the float64 scatter reference (forward, dx, dw,
// db within the rounding bound of their sums), the reference checked by finite differences, the
// layer as the exact adjoint of the functional conv2d, 2 threads equal to one, weights files and
// the Errors for bad arguments.
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { conv2d, init, nn } from '../src/index.js';
import { convTranspose2dBackwardRef, convTranspose2dRef, type ConvTransposeRefOptions } from '../src/reference/index.js';
import { gradCheck } from './helpers/gradcheck.js';
import { TEST_ISAS } from './helpers/isas.js';
import { product, randomData, seededRandom } from './helpers/random.js';
import { expectWithinRoundoff } from './helpers/tolerance.js';
import { singleLayerGraph } from './helpers/graphs.js';

interface Case {
  n: number; c: number; o: number; groups: number; h: number; w: number;
  kernel: [number, number]; stride: [number, number]; dilation: [number, number];
  padding: [number, number, number, number]; outputPadding: [number, number]; bias: boolean; seed: number;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }), cg: fc.integer({ min: 1, max: 3 }), og: fc.integer({ min: 1, max: 3 }), groups: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 9 }),
    kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }), sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }),
    pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)), extra: fc.tuple(fc.nat(2), fc.nat(2)), bias: fc.boolean(), seed: fc.nat(),
  })
  .map(({ cg, og, groups, kh, kw, sh, sw, dh, dw, pads, extra, ...rest }) => ({
    ...rest, c: cg * groups, o: og * groups, groups, kernel: [kh, kw] as [number, number], stride: [sh, sw] as [number, number],
    dilation: [dh, dw] as [number, number], padding: pads,
    outputPadding: [extra[0] % sh, extra[1] % sw] as [number, number],
  }))
  // a non-empty output
  .filter((c) => outSize(c, 0) >= 1 && outSize(c, 1) >= 1);

function outSize(c: Omit<Case, 'n' | 'c' | 'o' | 'bias' | 'seed'>, a: 0 | 1): number {
  const size = a === 0 ? c.h : c.w;
  return (size - 1) * c.stride[a] - c.padding[2 * a] - c.padding[2 * a + 1] + c.dilation[a] * (c.kernel[a] - 1) + c.outputPadding[a] + 1;
}

const refOptions = (c: Case): ConvTransposeRefOptions =>
  ({ stride: c.stride, padding: c.padding, outputPadding: c.outputPadding, dilation: c.dilation, groups: c.groups });

function layerOf(c: Case, algorithm: 'gemm' | 'auto' = 'gemm'): nn.ConvTranspose2d {
  return new nn.ConvTranspose2d(c.c, c.o, c.kernel, { ...refOptions(c), bias: c.bias, algorithm, seed: c.seed });
}


const abs = (a: ArrayLike<number>) => Float64Array.from(a, Math.abs);
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe.each(TEST_ISAS)('nn.ConvTranspose2d, isa %s', (isa) => {
  const owned: Array<{ dispose(): void }> = [];
  beforeAll(async () => {
    await init({ isa });
  });
  afterEach(() => {
    for (const m of owned.splice(0)) m.dispose();
  });

  it('forward, dx, dw and db match the float64 reference within the rounding bound (fuzzed)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const layer = layerOf(c);
        const model = singleLayerGraph(layer, 'up');
        owned.push(model);
        const random = seededRandom(c.seed);
        const xShape = [c.n, c.c, c.h, c.w];
        const x = randomData(product(xShape), random);
        const w = randomData(layer.weight.size, random);
        const b = c.bias ? randomData(c.o, random) : null;
        layer.weight.write(w);
        if (b) layer.bias!.write(b);
        const context = () => JSON.stringify(c);
        const xr = { data: x, shape: xShape }, wr = { data: w, shape: layer.weight.shape };
        const y = model.forward({ data: x, shape: xShape });
        const expected = convTranspose2dRef(xr, wr, b, refOptions(c));
        expect(y.shape).toEqual(expected.shape);
        const cg = c.c / c.groups, og = c.o / c.groups, taps = product(c.kernel);
        const yScale = convTranspose2dRef({ data: abs(x), shape: xShape }, { data: abs(w), shape: wr.shape }, b && abs(b), refOptions(c));
        expectWithinRoundoff('y', y.data, expected.data, yScale.data, cg * taps + 1, context);

        const dy = randomData(y.data.length, random);
        const dx = model.backward({ data: dy, shape: y.shape }, { inputGradient: true })!;
        const [dwGot, dbGot] = layer.parameters().map((p) => p.readGrad());
        const grads = convTranspose2dBackwardRef({ data: dy, shape: y.shape }, xr, wr, refOptions(c));
        const scales = convTranspose2dBackwardRef({ data: abs(dy), shape: y.shape }, { data: abs(x), shape: xShape }, { data: abs(w), shape: wr.shape }, refOptions(c));
        expectWithinRoundoff('dx', dx.data, grads.dx.data, scales.dx.data, og * taps, context);
        expectWithinRoundoff('dw', dwGot, grads.dw.data, scales.dw.data, c.n * c.h * c.w, context);
        if (c.bias) expectWithinRoundoff('db', dbGot, grads.db.data, scales.db.data, product(y.shape) / c.o, context);
        expect(Array.from(x), 'x untouched').toEqual(Array.from(xr.data));
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it('is the adjoint of conv2d: <conv2d(u), v> = <u, convTranspose2d(v)> with the same weights and options', () => {
    const random = seededRandom(11);
    const c: Case = { n: 2, c: 4, o: 6, groups: 2, h: 5, w: 7, kernel: [3, 2], stride: [2, 3], dilation: [1, 2], padding: [1, 0, 2, 1], outputPadding: [1, 2], bias: false, seed: 3 };
    const layer = layerOf(c);
    const model = singleLayerGraph(layer, 'up');
    owned.push(model);
    const v = { data: randomData(c.n * c.c * c.h * c.w, random), shape: [c.n, c.c, c.h, c.w] };
    const t = model.forward(v);
    const u = { data: randomData(t.data.length, random), shape: t.shape };
    const w = { data: layer.weight.read(), shape: layer.weight.shape };
    const cu = conv2d(u, w, null, { stride: c.stride, dilation: c.dilation, padding: c.padding, groups: c.groups });
    expect(cu.shape).toEqual(v.shape);
    let left = 0, right = 0;
    cu.data.forEach((a, i) => (left += a * v.data[i]));
    t.data.forEach((a, i) => (right += a * u.data[i]));
    expect(Math.abs(left - right) / Math.max(1, Math.abs(left))).toBeLessThan(1e-5);
  });

  it('backward agrees with finite differences of forward (layer and reference)', () => {
    const random = seededRandom(5);
    const c: Case = { n: 1, c: 2, o: 3, groups: 1, h: 3, w: 4, kernel: [3, 3], stride: [2, 2], dilation: [1, 1], padding: [1, 1, 0, 1], outputPadding: [1, 0], bias: true, seed: 9 };
    const model = singleLayerGraph(layerOf(c), 'up');
    owned.push(model);
    const xShape = [c.n, c.c, c.h, c.w];
    const x = randomData(product(xShape), random);
    const yShape = [c.n, c.o, outSize(c, 0), outSize(c, 1)];
    gradCheck('ConvTranspose2d', model, x, xShape, randomData(product(yShape), random));

    // the reference's own gradients against its float64 forward
    const w = randomData(c.c * c.o * 9, random), r = randomData(product(yShape), random);
    const wr = { data: w, shape: [c.c, c.o, 3, 3] };
    const f = (xs: ArrayLike<number>, ws: ArrayLike<number>) =>
      convTranspose2dRef({ data: xs, shape: xShape }, { data: ws, shape: wr.shape }, null, refOptions(c)).data.reduce((s, v, i) => s + v * r[i], 0);
    const g = convTranspose2dBackwardRef({ data: r, shape: yShape }, { data: x, shape: xShape }, wr, refOptions(c));
    const eps = 1e-3;
    for (const [name, values, grad] of [['x', Float64Array.from(x), g.dx.data], ['w', Float64Array.from(w), g.dw.data]] as const) {
      for (let i = 0; i < values.length; i++) {
        const plus = values.slice(), minus = values.slice();
        plus[i] += eps;
        minus[i] -= eps;
        const fd = name === 'x' ? (f(plus, w) - f(minus, w)) / (2 * eps) : (f(x, plus) - f(x, minus)) / (2 * eps);
        expect(Math.abs(fd - grad[i]), `${name}[${i}]`).toBeLessThan(1e-6);
      }
    }
  });

  it('2 threads give one thread\'s y and dx bit for bit, dw within rounding', async () => {
    const run = async (threads: number) => {
      await init({ isa, threads });
      const layer = new nn.ConvTranspose2d(32, 16, 3, { stride: 1, padding: 1, seed: 4 });
      const model = singleLayerGraph(layer, 'up');
      try {
        const random = seededRandom(8);
        const xShape = [4, 32, 12, 12];
        const y = model.forward({ data: randomData(product(xShape), random), shape: xShape });
        const dx = model.backward({ data: randomData(y.data.length, random), shape: y.shape }, { inputGradient: true })!;
        return { y: y.data, dx: dx.data, dw: layer.weight.readGrad(), db: layer.bias!.readGrad() };
      } finally {
        model.dispose();
      }
    };
    const one = await run(1);
    const two = await run(2);
    await init({ isa, threads: 1 });
    expect(bits(two.y)).toEqual(bits(one.y));
    expect(bits(two.dx)).toEqual(bits(one.dx));
    expect(bits(two.db)).toEqual(bits(one.db));
    const scale = Math.max(...Array.from(one.dw, Math.abs));
    expect(Math.max(...Array.from(one.dw, (v, i) => Math.abs(v - two.dw[i]))) / scale).toBeLessThan(1e-5);
  });

  it('keeps its transformed filters per weight version: after write() and an optimiser step it computes with the new weights', () => {
    const random = seededRandom(12);
    const c: Case = { n: 2, c: 16, o: 16, groups: 1, h: 8, w: 8, kernel: [3, 3], stride: [1, 1], dilation: [1, 1], padding: [1, 1, 1, 1], outputPadding: [0, 0], bias: true, seed: 2 };
    const layer = layerOf(c, 'auto');
    const model = singleLayerGraph(layer, 'up');
    owned.push(model);
    const xShape = [c.n, c.c, c.h, c.w];
    const x = { data: randomData(product(xShape), random), shape: xShape };
    const expected = () => convTranspose2dRef(x, { data: layer.weight.read(), shape: layer.weight.shape }, layer.bias!.read(), refOptions(c)).data;
    const close = (got: Float32Array, want: ArrayLike<number>) => Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i]))) / Math.max(...Array.from(want, Math.abs));
    expect(close(model.forward(x).data, expected())).toBeLessThan(1e-5);
    layer.weight.write(randomData(layer.weight.size, random));
    expect(close(model.forward(x).data, expected())).toBeLessThan(1e-5);
    const opt = new nn.SGD(layer.parameters(), { lr: 0.5 });
    const y = model.forward(x);
    model.backward({ data: randomData(y.data.length, random), shape: y.shape }, { inputGradient: true });
    opt.step();
    opt.dispose();
    expect(close(model.forward(x).data, expected())).toBeLessThan(1e-5);
  });

  it('round-trips through Sequential and Graph weights files', () => {
    const seq = new nn.Sequential([new nn.ConvTranspose2d(2, 3, [2, 3], { stride: 2, padding: [0, 1], outputPadding: [1, 0], seed: 2 }), new nn.ReLU()]);
    owned.push(seq);
    const x = { data: randomData(2 * 2 * 4 * 5, seededRandom(1)), shape: [2, 2, 4, 5] };
    const y = seq.forward(x);
    expect(y.shape).toEqual([2, 3, 9, 9]);
    const back = nn.Sequential.fromWeights(seq.saveWeights());
    owned.push(back);
    expect(back.forward(x).data).toEqual(y.data);
    expect(back.layers[0].spec()).toEqual(seq.layers[0].spec());
    const g = nn.Graph.fromWeights(singleLayerGraph(new nn.ConvTranspose2d(2, 3, 3, { seed: 6, bias: false }), 'up').saveWeights());
    owned.push(g);
    expect(g.nodes[0].layer.toString()).toBe('ConvTranspose2d(2→3, 3×3)');
  });

  it('bad arguments give Errors naming them; the layer stays usable', () => {
    expect(() => new nn.ConvTranspose2d(4, 6, 3, { stride: 2, outputPadding: 2 })).toThrow(/^nn\.ConvTranspose2d: outputPadding\[0\] must be an integer in \[0, 2\) \(below the stride\), got 2$/);
    expect(() => new nn.ConvTranspose2d(4, 6, 3, { outputPadding: [0, 0, 0] as unknown as [number, number] })).toThrow(/outputPadding must be a number or \[oh, ow\]/);
    expect(() => new nn.ConvTranspose2d(4, 6, 3, { padding: 'same' as unknown as number })).toThrow(/padding must be a number, \[ph, pw\] or \[top, bottom, left, right\], got 'same'/);
    expect(() => new nn.ConvTranspose2d(3, 6, 3, { groups: 2 })).toThrow(/inChannels 3 and outChannels 6 must both be divisible by groups=2/);
    expect(() => new nn.ConvTranspose2d(3, 6, [3] as unknown as number)).toThrow(/kernelSize must be a number or \[kh, kw\]/);
    const model = singleLayerGraph(new nn.ConvTranspose2d(3, 2, 3, { padding: 2 }), 'up');
    owned.push(model);
    expect(() => model.forward({ data: new Float32Array(2 * 4 * 4), shape: [1, 2, 4, 4] })).toThrow(/x has 2 channels but ConvTranspose2d\(3→2, 3×3\) takes 3/);
    expect(() => model.forward({ data: new Float32Array(3), shape: [1, 3, 1, 1] })).toThrow(/gives an empty output \(-1×-1\)/);
    expect(() => model.forward({ data: new Float32Array(12), shape: [1, 3, 4] })).toThrow(/x must have rank 4/);
    expect(model.forward({ data: new Float32Array(3 * 16).fill(1), shape: [1, 3, 4, 4] }).shape).toEqual([1, 2, 2, 2]);
  });
});
