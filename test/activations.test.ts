// LeakyReLU, ReLU6, Clip, HardSigmoid, HardSwish, Sigmoid, Tanh and SiLU.
//
// The float64 reference (src/reference/activations.ts) is checked against central differences
// of itself; then on every ISA the layers are fuzzed against it, the SIMD kernels equal the
// scalar ones bit for bit (special values included), finite differences check the layers'
// backward passes in a small network, specs survive weights files, and 2 threads equal 1.
//
// Tolerances. The piecewise-linear ones do at most 3 roundings per element (the float32 slope
// or bound, a product, a sum): they are held to expectWithinRoundoff's rigorous bound. Sigmoid,
// Tanh and SiLU evaluate e^−|x| with Cephes' expf polynomial (≤ 2 roundings' worth of error)
// and a few more operations (1 + e, a division, e·p, products with x and dy): each is held to
// TRANSCENDENTAL_ULPS = 16 units of roundoff (2⁻²⁴) of its scale (|f(x)|, or for SiLU's
// derivative the sum of the magnitudes of its terms, |dy|·s·(1 + |x|(1 − s)), which is where
// it can cancel), plus 2⁻¹²⁵·(1 + |x|) absolute where e^−|x| underflows (|x| > 87: the kernels
// give e^−|x| as 0 or a subnormal within 2⁻¹²⁶ there). The worst element measured is ~5 units: the bound has headroom, but
// an error in the formulas (a wrong branch, a wrong sign, a coefficient off) is off by far more.
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { instantiateKernels, type KernelExports } from '../src/loader.js';
import { activationBackwardRef, activationGradOf, activationOf, activationRef, type ActivationRef } from '../src/reference/index.js';
import { gradCheck } from './helpers/gradcheck.js';
import { TEST_ISAS } from './helpers/isas.js';
import { product, randomData, seededRandom } from './helpers/random.js';
import { expectWithinRoundoff, UNIT_ROUNDOFF } from './helpers/tolerance.js';
import { singleLayerGraph } from './helpers/graphs.js';

const RUNS = 40;
const TRANSCENDENTAL_ULPS = 16;
/** the absolute error allowed beside the relative one, for e^−|x| within 2⁻¹²⁶ of the true value */
const underflow = (x: number) => 2 ** -125 * (1 + Math.abs(x));

interface Case {
  name: string;
  ref: ActivationRef;
  make: () => nn.Layer;
  /** kinks and saturation points: x is kept 1e-3 away from them in gradient checks */
  kinks: number[];
}

const CASES: Case[] = [
  { name: 'LeakyReLU(0.01)', ref: { type: 'LeakyReLU', negativeSlope: 0.01 }, make: () => new nn.LeakyReLU(), kinks: [0] },
  { name: 'LeakyReLU(0.2)', ref: { type: 'LeakyReLU', negativeSlope: 0.2 }, make: () => new nn.LeakyReLU(0.2), kinks: [0] },
  { name: 'ReLU6', ref: { type: 'ReLU6' }, make: () => new nn.ReLU6(), kinks: [0, 6] },
  { name: 'Clip(-0.3, 0.7)', ref: { type: 'Clip', min: -0.3, max: 0.7 }, make: () => new nn.Clip(-0.3, 0.7), kinks: [-0.3, 0.7] },
  { name: 'HardSigmoid (ONNX)', ref: { type: 'HardSigmoid', alpha: 0.2, beta: 0.5 }, make: () => new nn.HardSigmoid(), kinks: [-2.5, 2.5] },
  {
    name: 'HardSigmoid (PyTorch)', ref: { type: 'HardSigmoid', alpha: 1 / 6, beta: 0.5 }, make: () => new nn.HardSigmoid({ alpha: 1 / 6 }), kinks: [-3, 3],
  },
  { name: 'HardSwish', ref: { type: 'HardSwish' }, make: () => new nn.HardSwish(), kinks: [-3, 3] },
  { name: 'Sigmoid', ref: { type: 'Sigmoid' }, make: () => new nn.Sigmoid(), kinks: [] },
  { name: 'Tanh', ref: { type: 'Tanh' }, make: () => new nn.Tanh(), kinks: [] },
  { name: 'SiLU', ref: { type: 'SiLU' }, make: () => new nn.SiLU(), kinks: [] },
];

const transcendental = (a: ActivationRef) => a.type === 'Sigmoid' || a.type === 'Tanh' || a.type === 'SiLU';


/** The bits of each float, NaNs as one canonical NaN (Wasm leaves a NaN's sign and payload open). */
const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a, (v) => (Number.isNaN(v) ? NaN : v)).buffer));

/** x spread over [−scale, scale], kept `gap` away from the kinks. */
function inputs(count: number, random: () => number, scale: number, kinks: number[], gap = 0): Float32Array {
  const x = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let v: number;
    do v = Math.fround((random() * 2 - 1) * scale);
    while (kinks.some((k) => Math.abs(v - k) < gap));
    x[i] = v;
  }
  return x;
}

/** |got − expected| ≤ ulps·u·scale + underflow(x), element by element; returns the worst ulps used. */
function expectWithinUlps(
  label: string, got: Float32Array, expected: ArrayLike<number>, scale: ArrayLike<number>, x: Float32Array, ulps: number, context: () => string,
): number {
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const error = Math.abs(got[i] - expected[i]);
    const tolerance = ulps * UNIT_ROUNDOFF * scale[i] + underflow(x[i]);
    if (!(error <= tolerance)) {
      throw new Error(`${label}[${i}]: expected ${expected[i]}, got ${got[i]} (error ${error.toExponential(3)}, tolerance ${tolerance.toExponential(3)})\n${context()}`);
    }
    if (scale[i] > 2 ** -100) worst = Math.max(worst, error / (UNIT_ROUNDOFF * scale[i]));
  }
  return worst;
}

/** Checks y and dx of one forward/backward pass against the reference within the bounds above. */
function checkAgainstReference(c: Case, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, context: () => string): number[] {
  const shape = [x.length];
  const yRef = activationRef(c.ref, { data: x, shape }).data;
  const dxRef = activationBackwardRef(c.ref, dy, { data: x, shape }).data;
  if (transcendental(c.ref)) {
    const yScale = Float64Array.from(yRef, Math.abs);
    const dxScale = c.ref.type === 'SiLU'
      ? Float64Array.from(x, (v, i) => {
        const s = activationOf({ type: 'Sigmoid' }, v);
        return Math.abs(dy[i]) * s * (1 + Math.abs(v) * (1 - s));
      })
      : Float64Array.from(dxRef, Math.abs);
    return [
      expectWithinUlps('y', y, yRef, yScale, x, TRANSCENDENTAL_ULPS, context),
      expectWithinUlps('dx', dx, dxRef, dxScale, x, TRANSCENDENTAL_ULPS, context),
    ];
  }
  // piecewise linear: scale = the magnitudes of what is summed or multiplied
  const a = c.ref;
  const yScale = Float64Array.from(x, (v) => {
    if (a.type === 'HardSigmoid') return Math.abs(a.alpha * v) + Math.abs(a.beta);
    if (a.type === 'HardSwish') return Math.abs(v) * (Math.abs(v) / 6 + 0.5);
    return Math.abs(activationOf(a, v));
  });
  const dxScale = Float64Array.from(x, (v, i) => (a.type === 'HardSwish' ? Math.abs(dy[i]) * (Math.abs(v) / 3 + 0.5) : Math.abs(dy[i] * activationGradOf(a, v))));
  return [
    expectWithinRoundoff('y', y, yRef, yScale, 3, context).worstUlps,
    expectWithinRoundoff('dx', dx, dxRef, dxScale, 3, context).worstUlps,
  ];
}

describe('activation references', () => {
  it.each(CASES)('$name: the derivative equals central differences of the float64 forward', (c) => {
    const random = seededRandom(1);
    const x = inputs(2000, random, 12, c.kinks, 1e-3);
    const h = 1e-6;
    for (const v of x) {
      const fd = (activationOf(c.ref, v + h) - activationOf(c.ref, v - h)) / (2 * h);
      const grad = activationGradOf(c.ref, v);
      expect(Math.abs(fd - grad), `${c.name} at x = ${v}: finite difference ${fd}, derivative ${grad}`).toBeLessThan(1e-7 * Math.max(1, Math.abs(grad)) + 1e-9);
    }
  });

  it('known values: PyTorch/ONNX definitions', () => {
    expect(activationOf({ type: 'HardSigmoid', alpha: 0.2, beta: 0.5 }, 1)).toBeCloseTo(0.7, 15);
    expect(activationOf({ type: 'HardSwish' }, 1)).toBeCloseTo(1 * (4 / 6), 15);
    expect(activationOf({ type: 'SiLU' }, 1)).toBeCloseTo(1 / (1 + Math.exp(-1)), 15);
    expect(activationOf({ type: 'Sigmoid' }, -700)).toBeGreaterThan(0);
    expect(activationGradOf({ type: 'ReLU6' }, 6)).toBe(0);
    expect(activationGradOf({ type: 'ReLU6' }, 0)).toBe(0);
  });
});

describe.each(TEST_ISAS)('activation layers, isa %s', (isa) => {
  const owned: Array<{ dispose(): void }> = [];
  beforeAll(async () => {
    await init({ isa });
  });
  afterEach(() => {
    for (const o of owned.splice(0)) o.dispose();
  });

  it.each(CASES)(`$name: ${RUNS} random inputs (|x| up to 100, tails after the SIMD groups) against the float64 reference`, (c) => {
    let worst = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 77 }), fc.constantFrom(1, 8, 100), fc.nat(), (n, len, scale, seed) => {
        const model = singleLayerGraph(c.make(), 'act');
        try {
          const random = seededRandom(seed);
          const shape = [n, len];
          // away from kinks: there float32 and float64 may choose different sides
          const x = inputs(product(shape), random, scale, c.kinks, 1e-4 * scale);
          const dy = randomData(x.length, random);
          const y = model.forward({ data: x, shape });
          expect(y.shape).toEqual(shape);
          const dx = model.backward({ data: dy, shape }, { inputGradient: true })!;
          const used = checkAgainstReference(c, x, y.data, dy, dx.data, () => `${isa} ${c.name} x ${JSON.stringify(shape)} seed ${seed} scale ${scale}`);
          worst = Math.max(worst, ...used);
        } finally {
          model.dispose();
        }
      }),
      { numRuns: RUNS },
    );
    if (process.env.SHOW_ULPS) console.log(`${isa} ${c.name}: worst ${worst.toFixed(2)} units of roundoff`);
    expect(worst).toBeLessThanOrEqual(TRANSCENDENTAL_ULPS);
  }, 60_000);

  it('the SIMD kernels equal the scalar ones bit for bit, special values (±0, ±∞, NaN, subnormals, ±FLT_MAX) included', async () => {
    const k = await instantiateKernels(isa), scalar = await instantiateKernels('scalar');
    const specials = [0, -0, Infinity, -Infinity, NaN, 1e-40, -1e-40, 3.4e38, -3.4e38, 87.3, -87.3, 88, -88, 100, -100, 0.625, -0.625, 3, -3, 6, 2.5, -2.5];
    const random = seededRandom(7);
    const x = Float32Array.from([...specials, ...inputs(203, random, 20, [])]);
    const dy = Float32Array.from(x, (_, i) => (i % 7 === 3 ? NaN : i % 5 === 1 ? Infinity : Math.fround(random() * 2 - 1)));
    const run = (kk: KernelExports, pass: (kk: KernelExports, px: number, pdy: number, out: number, n: number) => void) => {
      const base = Math.ceil(kk.heap_base() / 16) * 16;
      const needed = base + 3 * x.length * 4 + 64;
      if (kk.memory.buffer.byteLength < needed) kk.memory.grow(Math.ceil((needed - kk.memory.buffer.byteLength) / 65536));
      const px = base, pdy = base + x.length * 4, out = base + 2 * x.length * 4;
      new Float32Array(kk.memory.buffer, px, x.length).set(x);
      new Float32Array(kk.memory.buffer, pdy, x.length).set(dy);
      pass(kk, px, pdy, out, x.length);
      return bits(new Float32Array(kk.memory.buffer, out, x.length));
    };
    const passes: Array<[string, (kk: KernelExports, px: number, pdy: number, out: number, n: number) => void]> = [
      ['leaky_relu', (kk, px, _, o, n) => kk.f32_leaky_relu(px, o, n, 0.1)],
      ['leaky_relu_backward', (kk, px, pdy, o, n) => kk.f32_leaky_relu_backward(px, pdy, o, n, 0.1)],
      ['clip', (kk, px, _, o, n) => kk.f32_clip(px, o, n, -1, 6)],
      ['clip_backward', (kk, px, pdy, o, n) => kk.f32_clip_backward(px, pdy, o, n, -1, 6)],
      ['hardsigmoid', (kk, px, _, o, n) => kk.f32_hardsigmoid(px, o, n, 0.2, 0.5)],
      ['hardsigmoid_backward', (kk, px, pdy, o, n) => kk.f32_hardsigmoid_backward(px, pdy, o, n, 0.2, 0.5)],
      ['hardswish', (kk, px, _, o, n) => kk.f32_hardswish(px, o, n)],
      ['hardswish_backward', (kk, px, pdy, o, n) => kk.f32_hardswish_backward(px, pdy, o, n)],
      ['sigmoid', (kk, px, _, o, n) => kk.f32_sigmoid(px, o, n)],
      ['sigmoid_backward', (kk, px, pdy, o, n) => kk.f32_sigmoid_backward(px, pdy, o, n)],
      ['tanh', (kk, px, _, o, n) => kk.f32_tanh(px, o, n)],
      ['tanh_backward', (kk, px, pdy, o, n) => kk.f32_tanh_backward(px, pdy, o, n)],
      ['silu', (kk, px, _, o, n) => kk.f32_silu(px, o, n)],
      ['silu_backward', (kk, px, pdy, o, n) => kk.f32_silu_backward(px, pdy, o, n)],
    ];
    for (const [name, pass] of passes) expect(run(k, pass), name).toEqual(run(scalar, pass));
    // the special values themselves: saturation, NaN propagation, no overflow at the extremes
    const y = (pass: (kk: KernelExports, px: number, pdy: number, out: number, n: number) => void) =>
      Array.from(new Float32Array(new Uint32Array(run(k, pass)).buffer).subarray(0, specials.length));
    const sigmoid = y(passes[8][1]), tanh = y(passes[10][1]), silu = y(passes[12][1]), clip = y(passes[2][1]);
    expect(sigmoid.slice(0, 5)).toEqual([0.5, 0.5, 1, 0, NaN]);
    expect(tanh.slice(0, 5)).toEqual([0, -0, 1, -1, NaN]);
    expect(silu.slice(7, 9)).toEqual([3.4e38, -0].map(Math.fround));
    expect(silu[3]).toBeNaN(); // −∞·0, as PyTorch's x·sigmoid(x)
    expect(clip.slice(0, 5)).toEqual([0, -0, 6, -1, NaN]);
    // at ±FLT_MAX the derivatives are 0 (SiLU's 1 at +FLT_MAX), never NaN from ∞·0
    for (const grad of [passes[9][1], passes[11][1]]) expect(y(grad).slice(7, 9).map(Math.abs)).toEqual([0, 0]);
    expect(y(passes[13][1]).slice(7, 9).map(Math.abs)).toEqual([Math.abs(dy[7]), 0]);
  }, 60_000);

  it.each(CASES)('$name: backward against finite differences, after a conv (so its weights get gradients through it)', (c) => {
    const random = seededRandom(11);
    const g = new nn.GraphBuilder();
    const x = g.input('x');
    const h = g.apply(new nn.Conv2d(2, 3, 3, { padding: 1, seed: 3 }), x, 'conv');
    const model = g.build({ outputs: g.apply(c.make(), h, 'act') });
    owned.push(model);
    const shape = [1, 2, 3, 4];
    // inputs whose conv outputs all stay 0.05 from the kinks (moving one x or w by eps = 1e-2
    // moves an output by at most eps·max(|w|, |x|) < 0.05): drawn until they do
    const scale = c.ref.type === 'ReLU6' ? 6 : c.ref.type === 'LeakyReLU' ? 1 : 3;
    const pre = singleLayerGraph(new nn.Conv2d(2, 3, 3, { padding: 1, seed: 3 }), 'act');
    owned.push(pre);
    let xs = randomData(product(shape), random);
    let tries = 0;
    const clear = (data: Float32Array) => pre.forward({ data, shape }).data.every((v) => c.kinks.every((k) => Math.abs(v - k) > 0.05));
    while (!clear(xs) && tries++ < 2000) xs = Float32Array.from(randomData(product(shape), random), (v) => v * scale);
    expect(clear(xs), 'found inputs clear of the kinks').toBe(true);
    gradCheck(`${isa} ${c.name}`, model, xs, shape, randomData(3 * 3 * 4, random));
  });

  it('specs survive saveWeights/fromWeights in a Sequential and a Graph; toString names the parameters', () => {
    const layers = () => [
      new nn.Conv2d(1, 2, 3, { seed: 1 }), new nn.LeakyReLU(0.2), new nn.ReLU6(), new nn.Clip(-1, 2.5), new nn.HardSigmoid({ alpha: 1 / 6 }),
      new nn.HardSwish(), new nn.Sigmoid(), new nn.Tanh(), new nn.SiLU(), new nn.Flatten(), new nn.Linear(2 * 25, 3, { seed: 2 }),
    ];
    const seq = new nn.Sequential(layers());
    const again = nn.Sequential.fromWeights(seq.saveWeights());
    owned.push(seq, again);
    const x = { data: inputs(2 * 49, seededRandom(2), 3, []), shape: [2, 1, 7, 7] };
    expect(again.spec()).toEqual(seq.spec());
    expect(again.forward(x).data).toEqual(seq.forward(x).data);
    expect(seq.layers.slice(1, 9).map((l) => l.spec())).toEqual([
      { type: 'LeakyReLU', negativeSlope: 0.2 }, { type: 'ReLU6' }, { type: 'Clip', min: -1, max: 2.5 }, { type: 'HardSigmoid', alpha: 1 / 6, beta: 0.5 },
      { type: 'HardSwish' }, { type: 'Sigmoid' }, { type: 'Tanh' }, { type: 'SiLU' },
    ]);
    expect(seq.layers.slice(1, 9).map(String)).toEqual([
      'LeakyReLU(0.2)', 'ReLU6()', 'Clip(-1, 2.5)', `HardSigmoid(alpha ${1 / 6}, beta 0.5)`, 'HardSwish()', 'Sigmoid()', 'Tanh()', 'SiLU()',
    ]);
    const g = new nn.GraphBuilder();
    let h = g.input('x', [1, 7, 7]);
    for (const [i, layer] of layers().entries()) h = g.apply(layer, h, `l${i}`);
    const graph = g.build({ outputs: h });
    const graphAgain = nn.Graph.fromWeights(graph.saveWeights());
    owned.push(graph, graphAgain);
    graphAgain.loadWeights(graph.saveWeights());
    expect(graphAgain.forward(x).data).toEqual(graph.forward(x).data);
    expect(graphAgain.forward(x).data).toEqual(seq.forward(x).data);
  });

  it('errors name the argument; backward before forward and a wrong dy shape are Errors; the input is not modified', () => {
    expect(() => new nn.LeakyReLU(Number.NaN)).toThrow(/^nn\.LeakyReLU: negativeSlope must be a finite number, got NaN$/);
    expect(() => new nn.Clip(2, 1)).toThrow(/^nn\.Clip: min must be ≤ max, got min 2 and max 1$/);
    expect(() => new nn.Clip(0, Infinity)).toThrow(/^nn\.Clip: max must be a finite number, got Infinity$/);
    expect(() => new nn.Clip('0' as unknown as number, 1)).toThrow(/^nn\.Clip: min must be a finite number, got 0$/);
    expect(() => new nn.HardSigmoid({ alpha: Infinity })).toThrow(/^nn\.HardSigmoid: alpha must be a finite number, got Infinity$/);
    expect(() => new nn.HardSigmoid({ beta: Number.NaN })).toThrow(/^nn\.HardSigmoid: beta must be a finite number, got NaN$/);
    expect(() => nn.layerFromSpec({ type: 'Clip', min: 0, max: null as unknown as number })).toThrow(/^nn\.Clip: max must be a finite number, got null$/);
    const model = singleLayerGraph(new nn.SiLU(), 'act');
    owned.push(model);
    expect(() => model.backward({ data: new Float32Array(4), shape: [1, 4] }, { inputGradient: true })).toThrow(/call forward first/);
    const x = Float32Array.of(-2, -1, 0, 1, 2, 3);
    const copy = x.slice();
    model.forward({ data: x, shape: [2, 3] });
    expect(x).toEqual(copy);
    expect(() => model.backward({ data: new Float32Array(5), shape: [1, 5] }, { inputGradient: true })).toThrow(/dy must be a Tensor of shape \[2,3\].*got \[1,5\]/);
    // still usable after the Errors
    expect(model.forward({ data: x, shape: [2, 3] }).shape).toEqual([2, 3]);
  });

  it('on 2 threads every activation (2¹⁸ elements: split) equals one thread bit for bit', async () => {
    const run = async (threads: number) => {
      await init({ isa, threads });
      const g = new nn.GraphBuilder();
      let h = g.input('x');
      for (const c of CASES) h = g.apply(c.make(), h, c.name);
      const model = g.build({ outputs: h });
      try {
        const random = seededRandom(8);
        const shape = [4, 16, 64, 64]; // 2¹⁸ floats
        const y = model.forward({ data: inputs(product(shape), random, 8, []), shape });
        const dx = model.backward({ data: randomData(product(shape), random), shape }, { inputGradient: true })!;
        return [y.data, dx.data];
      } finally {
        model.dispose();
      }
    };
    const one = await run(1), two = await run(2);
    expect(bits(two[0])).toEqual(bits(one[0]));
    expect(bits(two[1])).toEqual(bits(one[1]));
    await init({ isa });
  }, 120_000);
});
