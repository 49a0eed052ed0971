// Dropout, AvgPool2d and Concat on every ISA: Dropout's masks bit for bit against the reference
// generator, its rate, seeding, modes and gradient; AvgPool2d fuzzed against avgPool2dRef
// (PyTorch's padding, ceil_mode and count_include_pad) and checked by finite differences;
// Concat against plain concatenation, its gradient by finite differences; all three on 2
// threads equal to one.
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { instantiateKernels, type KernelExports } from '../src/loader.js';
import { dropoutKey } from '../src/nn/layers/dropout.js';
import { avgPool2dBackwardRef, avgPool2dRef, dropoutMaskRef, type AvgPoolRefOptions } from '../src/reference/index.js';
import { gradCheck } from './helpers/gradcheck.js';
import { TEST_ISAS } from './helpers/isas.js';
import { product, randomData, seededRandom } from './helpers/random.js';
import { absolute, expectWithinRoundoff } from './helpers/tolerance.js';
import { singleLayerGraph } from './helpers/graphs.js';

const RUNS = 60;


const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

interface AvgCase {
  shape: [number, number, number, number];
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  ceilMode: boolean;
  countIncludePad: boolean;
  seed: number;
}

const avgCase: fc.Arbitrary<AvgCase> = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 23 }),
    kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }), sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 2 }), pw: fc.integer({ min: 0, max: 2 }), ceilMode: fc.boolean(), countIncludePad: fc.boolean(), seed: fc.nat(),
  })
  .filter(({ h, w, kh, kw, ph, pw }) => 2 * ph <= kh && 2 * pw <= kw && kh <= h + 2 * ph && kw <= w + 2 * pw)
  .map(({ n, c, h, w, kh, kw, sh, sw, ph, pw, ...rest }) => ({ shape: [n, c, h, w], kernel: [kh, kw], stride: [sh, sw], padding: [ph, pw], ...rest }));

const refOptions = (c: AvgCase): AvgPoolRefOptions => ({ kernel: c.kernel, stride: c.stride, padding: c.padding, ceilMode: c.ceilMode, countIncludePad: c.countIncludePad });

/** f32_avgpool2d with x ending at the last byte of memory (a read past any window traps) and a guard after y. */
function runAvgKernel(k: KernelExports, c: AvgCase, x: Float32Array, outShape: number[]): number[] {
  const [N, C, H, W] = c.shape, [, , OH, OW] = outShape;
  const count = N * C * OH * OW, GUARD = 4;
  const y = Math.ceil(k.heap_base() / 16) * 16;
  const needed = y + (count + GUARD) * 4 + x.length * 4;
  if (k.memory.buffer.byteLength < needed) k.memory.grow(Math.ceil((needed - k.memory.buffer.byteLength) / 65536));
  const xp = k.memory.buffer.byteLength - x.length * 4;
  new Float32Array(k.memory.buffer, xp, x.length).set(x);
  new Int32Array(k.memory.buffer, y, count + GUARD).fill(0x5eed);
  k.f32_avgpool2d(xp, N * C, H, W, c.kernel[0], c.kernel[1], c.stride[0], c.stride[1], c.padding[0], c.padding[1], OH, OW, c.countIncludePad ? 1 : 0, y);
  expect(Array.from(new Int32Array(k.memory.buffer, y + count * 4, GUARD)), 'guard after y').toEqual(new Array(GUARD).fill(0x5eed));
  return Array.from(new Float32Array(k.memory.buffer, y, count));
}

describe.each(TEST_ISAS)('Dropout, AvgPool2d, Concat, isa %s', (isa) => {
  const owned: Array<{ dispose(): void }> = [];
  beforeAll(async () => {
    await init({ isa });
  });
  afterEach(() => {
    for (const o of owned.splice(0)) o.dispose();
  });

  it.each([0.1, 0.5, 0.9])('Dropout(%s): masks equal the reference generator bit for bit, pass after pass; y = x·mask, dx = dy·mask', (p) => {
    const drop = new nn.Dropout(p, { seed: 12345 });
    const model = singleLayerGraph(drop);
    owned.push(model);
    const random = seededRandom(Math.round(p * 100));
    const shape = [3, 5, 7, 3]; // 315 floats: a tail after the SIMD groups
    const scale = Math.fround(1 / (1 - p));
    for (let pass = 0; pass < 3; pass++) {
      const x = randomData(product(shape), random), dy = randomData(x.length, random);
      const y = model.forward({ data: x, shape });
      const dx = model.backward({ data: dy, shape }, { inputGradient: true })!;
      const mask = dropoutMaskRef(x.length, dropoutKey(12345, pass), Math.round(p * 2 ** 32), scale);
      expect(bits(drop.lastMask()), `pass ${pass}`).toEqual(bits(mask));
      expect(bits(y.data)).toEqual(bits(Array.from(x, (v, i) => Math.fround(v * mask[i]))));
      expect(bits(dx.data)).toEqual(bits(Array.from(dy, (v, i) => Math.fround(v * mask[i]))));
    }
    expect(drop.trainingPasses).toBe(3);
  });

  it('Dropout keeps 1 − p of the elements (within 6σ), different masks each pass, the same sequence from the same seed', () => {
    const a = new nn.Dropout(0.3, { seed: 9 }), b = new nn.Dropout(0.3, { seed: 9 }), c = new nn.Dropout(0.3, { seed: 10 });
    const [ma, mb, mc] = [a, b, c].map((d) => singleLayerGraph(d));
    owned.push(ma, mb, mc);
    const count = 100_000, x = { data: new Float32Array(count).fill(1), shape: [1, count] };
    const first = ma.forward(x).data;
    const kept = first.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
    const sigma = Math.sqrt(count * 0.3 * 0.7);
    expect(Math.abs(kept - 0.7 * count), `kept ${kept}`).toBeLessThan(6 * sigma);
    expect(mb.forward(x).data).toEqual(first);
    expect(mc.forward(x).data).not.toEqual(first);
    const second = ma.forward(x).data;
    expect(second).not.toEqual(first);
    expect(mb.forward(x).data).toEqual(second);
  });

  it('Dropout: eval() and p = 0 are the identity (no copy), p = 1 zeroes; a graph seed re-draws its seed; a Sequential refuses it', () => {
    const drop = new nn.Dropout(0.5, { seed: 1 });
    const model = singleLayerGraph(drop);
    owned.push(model);
    const random = seededRandom(3);
    const x = { data: randomData(40, random), shape: [4, 10] };
    model.eval();
    expect(model.forward(x).data).toEqual(x.data);
    expect(model.backward({ data: x.data, shape: x.shape }, { inputGradient: true })!.data).toEqual(x.data);
    expect(drop.trainingPasses).toBe(0);
    const none = singleLayerGraph(new nn.Dropout(0));
    const all = singleLayerGraph(new nn.Dropout(1));
    owned.push(none, all);
    expect(none.forward(x).data).toEqual(x.data);
    expect(Array.from(all.forward(x).data).every((v) => v === 0)).toBe(true);
    const g = new nn.GraphBuilder();
    const d1 = new nn.Dropout(0.5);
    const seeded = g.build({ outputs: g.apply(d1, g.input('x')), seed: 5 });
    owned.push(seeded);
    const g2 = new nn.GraphBuilder();
    const d2 = new nn.Dropout(0.5);
    owned.push(g2.build({ outputs: g2.apply(d2, g2.input('x')), seed: 5 }));
    expect(d1.seed).toBe(d2.seed);
    expect(d1.seed).not.toBe(0);
    expect(nn.Graph.fromWeights(seeded.saveWeights()).nodes[0].layer.spec()).toEqual({ type: 'Dropout', p: 0.5, seed: d1.seed });
    expect(() => new nn.Dropout(1.5)).toThrow(/^nn\.Dropout: p must be a number in \[0, 1\], got 1\.5$/);
    const lone = new nn.Dropout(0.5);
    expect(() => new nn.Sequential([lone])).toThrow(/Dropout\(0\.5\) acts differently in training and inference/);
    lone.dispose();
  });

  it('Dropout backward against finite differences (each evaluation a fresh layer of the same seed: the same mask)', () => {
    const random = seededRandom(4);
    const shape = [2, 3, 4];
    const x = randomData(product(shape), random), r = randomData(x.length, random);
    const f = (input: Float32Array) => {
      const m = singleLayerGraph(new nn.Dropout(0.4, { seed: 77 }));
      try {
        return m.forward({ data: input, shape }).data.reduce((s, v, i) => s + v * r[i], 0);
      } finally {
        m.dispose();
      }
    };
    const model = singleLayerGraph(new nn.Dropout(0.4, { seed: 77 }));
    owned.push(model);
    model.forward({ data: x, shape });
    const dx = model.backward({ data: r, shape }, { inputGradient: true })!.data;
    x.forEach((v, i) => {
      const plus = x.slice(), minus = x.slice();
      plus[i] = v + 1e-2;
      minus[i] = v - 1e-2;
      expect(Math.abs((f(plus) - f(minus)) / 2e-2 - dx[i]), `dx[${i}]`).toBeLessThan(2e-3);
    });
  });

  it(`AvgPool2d: ${RUNS} random cases (padding, ceil_mode, count_include_pad) against avgPool2dRef, forward and backward`, () => {
    const arb = fc
      .record({
        n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 11 }),
        kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }), sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
        ph: fc.integer({ min: 0, max: 2 }), pw: fc.integer({ min: 0, max: 2 }), ceilMode: fc.boolean(), countIncludePad: fc.boolean(), seed: fc.nat(),
      })
      .filter(({ h, w, kh, kw, ph, pw }) => 2 * ph <= kh && 2 * pw <= kw && kh <= h + 2 * ph && kw <= w + 2 * pw);
    fc.assert(
      fc.property(arb, ({ n, c, h, w, kh, kw, sh, sw, ph, pw, ceilMode, countIncludePad, seed }) => {
        const shape = [n, c, h, w];
        const opts: AvgPoolRefOptions = { kernel: [kh, kw], stride: [sh, sw], padding: [ph, pw], ceilMode, countIncludePad };
        const model = singleLayerGraph(new nn.AvgPool2d([kh, kw], { stride: [sh, sw], padding: [ph, pw], ceilMode, countIncludePad }));
        try {
          const random = seededRandom(seed);
          const x = randomData(product(shape), random);
          const y = model.forward({ data: x, shape });
          const ref = avgPool2dRef({ data: x, shape }, opts);
          expect(y.shape).toEqual(ref.shape);
          const context = () => `${isa} x ${JSON.stringify(shape)} ${JSON.stringify(opts)}`;
          // a window sums at most kh·kw values, then one division
          expectWithinRoundoff('y', y.data, ref.data, avgPool2dRef({ data: absolute(x), shape }, opts).data, kh * kw + 1, context);
          const dy = randomData(y.data.length, random);
          const dx = model.backward({ data: dy, shape: y.shape }, { inputGradient: true })!;
          // each dx sums at most kh·kw window contributions, each one division
          expectWithinRoundoff('dx', dx.data, avgPool2dBackwardRef(dy, shape, opts).data, avgPool2dBackwardRef(absolute(dy), shape, opts).data, kh * kw + 1, context);
        } finally {
          model.dispose();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`f32_avgpool2d: ${4 * RUNS} random cases equal the scalar kernel bit for bit, reading nothing past x`, async () => {
    const k = await instantiateKernels(isa), scalar = await instantiateKernels('scalar');
    fc.assert(
      fc.property(avgCase, (c) => {
        const x = randomData(product(c.shape), seededRandom(c.seed));
        const outShape = avgPool2dRef({ data: x, shape: c.shape }, refOptions(c)).shape;
        expect(bits(runAvgKernel(k, c, x, outShape)), JSON.stringify(c)).toEqual(bits(runAvgKernel(scalar, c, x, outShape)));
      }),
      { numRuns: 4 * RUNS },
    );
  });

  it("AvgPool2d follows PyTorch's divisors at the edges: count_include_pad and ceil_mode's last window", () => {
    const x = { data: Float32Array.from({ length: 16 }, (_, i) => i + 1), shape: [1, 1, 4, 4] };
    const withPad = singleLayerGraph(new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true }));
    const without = singleLayerGraph(new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }));
    const floor = singleLayerGraph(new nn.AvgPool2d(3, { stride: 2, padding: 1 }));
    owned.push(withPad, without, floor);
    const a = withPad.forward(x), b = without.forward(x);
    expect(a.shape).toEqual([1, 1, 3, 3]);
    expect(floor.forward(x).shape).toEqual([1, 1, 2, 2]);
    // corner (0,0): 1+2+5+6 = 14 over the 3×3 padded window, or over the 4 input values
    expect(a.data[0]).toBe(Math.fround(14 / 9));
    expect(b.data[0]).toBe(3.5);
    // ceil_mode's last window (2,2) starts at row/col 3: it covers x[3][3] = 16 and one padding
    // row and column (the window is cut at the padded edge: 2×2)
    expect(a.data[8]).toBe(4);
    expect(b.data[8]).toBe(16);
    expect(() => new nn.AvgPool2d(3, { padding: 2 })).toThrow(/^nn\.AvgPool2d: padding\[0\] must be an integer from 0 to half the kernel \(1\), got 2$/);
    expect(() => floor.forward({ data: new Float32Array(1), shape: [1, 1, 1, 1] }).shape).not.toThrow();
    const big = singleLayerGraph(new nn.AvgPool2d(4));
    owned.push(big);
    expect(() => big.forward({ data: new Float32Array(9), shape: [1, 1, 3, 3] })).toThrow(/nn\.AvgPool2d: window 4×4 is larger than x's 3×3 plane with padding 0×0/);
  });

  it('AvgPool2d and GlobalAvgPool2d work in a Sequential, whose weights file keeps them', () => {
    const seq = new nn.Sequential([
      new nn.Conv2d(1, 2, 3, { seed: 1 }), new nn.AvgPool2d(2, { padding: 1, ceilMode: true, countIncludePad: false }), new nn.GlobalAvgPool2d(),
      new nn.Flatten(), new nn.Linear(2, 3, { seed: 2 }),
    ]);
    const again = nn.Sequential.fromWeights(seq.saveWeights());
    owned.push(seq, again);
    const x = { data: randomData(2 * 49, seededRandom(9)), shape: [2, 1, 7, 7] };
    expect(again.spec()).toEqual(seq.spec());
    expect(again.forward(x)).toEqual(seq.forward(x));
    expect(seq.forward(x).shape).toEqual([2, 3]);
  });

  it.each([
    ['3×3, stride 2, padding 1, ceil_mode, count_include_pad', { stride: 2, padding: 1, ceilMode: true }],
    ['3×3, stride 1, padding 1, without the padding', { stride: 1, padding: 1, countIncludePad: false }],
  ] as const)('AvgPool2d %s against finite differences', (_, opts) => {
    const random = seededRandom(5);
    const model = singleLayerGraph(new nn.AvgPool2d(3, opts));
    owned.push(model);
    const shape = [2, 2, 5, 6];
    const x = randomData(product(shape), random);
    gradCheck(`${isa} AvgPool2d`, model, x, shape, randomData(product(model.forward({ data: x, shape }).shape), random));
  });

  it('Concat joins channels (three inputs), gives each input its slice of dy, and errors name every shape', () => {
    const g = new nn.GraphBuilder();
    const a = g.input('a'), b = g.input('b'), c = g.input('c');
    const model = g.build({ outputs: g.concat([a, b, c], 'cat') });
    owned.push(model);
    const random = seededRandom(6);
    const shapes = [[2, 1, 2, 3], [2, 3, 2, 3], [2, 2, 2, 3]];
    const feeds = Object.fromEntries(['a', 'b', 'c'].map((n, i) => [n, { data: randomData(product(shapes[i]), random), shape: shapes[i] }]));
    const y = model.run(feeds).y;
    expect(y.shape).toEqual([2, 6, 2, 3]);
    const expected: number[] = [];
    for (let n = 0; n < 2; n++) for (const name of ['a', 'b', 'c']) {
      const t = feeds[name], block = product(t.shape.slice(1));
      expected.push(...t.data.subarray(n * block, (n + 1) * block));
    }
    expect(Array.from(y.data)).toEqual(expected);
    expect(() => model.run({ ...feeds, b: { data: new Float32Array(2 * 3 * 2 * 2), shape: [2, 3, 2, 2] } })).toThrow(
      /^nn\.Graph: node 'cat' = Concat\(3\)\('a', 'b', 'c'\): nn\.Concat: the inputs must match in every axis but the channels \(axis 1\), got \[2,1,2,3\], \[2,3,2,2\], \[2,2,2,3\]$/,
    );
    expect(() => new nn.Concat(1)).toThrow(/inputs must be at least 2, got 1/);

    // its gradient: x → two convs → concat, against finite differences (linear: exact up to rounding)
    const g2 = new nn.GraphBuilder();
    const x = g2.input('x');
    const net = g2.build({ outputs: g2.concat([g2.apply(new nn.Conv2d(2, 3, 3, { padding: 1, seed: 1 }), x), x, g2.apply(new nn.Conv2d(2, 1, 1, { seed: 2 }), x)]) });
    owned.push(net);
    const xs = randomData(2 * 2 * 4 * 3, random);
    gradCheck(`${isa} Concat`, net, xs, [2, 2, 4, 3], randomData(2 * 6 * 4 * 3, random));
    expect(nn.Graph.fromWeights(net.saveWeights()).nodes.at(-1)!.layer.spec()).toEqual({ type: 'Concat', inputs: 3 });
  });

  it('on 2 threads, Dropout, AvgPool2d and Concat (large enough to split) equal one thread bit for bit', async () => {
    const run = async (threads: number) => {
      await init({ isa, threads });
      const g = new nn.GraphBuilder();
      const x = g.input('x');
      const d = g.apply(new nn.Dropout(0.5, { seed: 3 }), x);
      const p = g.apply(new nn.AvgPool2d(3, { stride: 1, padding: 1, countIncludePad: false }), x);
      const model = g.build({ outputs: g.concat([d, p]) });
      try {
        const random = seededRandom(8);
        const shape = [8, 16, 32, 64]; // 2¹⁸ floats
        const y = model.forward({ data: randomData(product(shape), random), shape });
        const dx = model.backward({ data: randomData(2 * product(shape), random), shape: [8, 32, 32, 64] }, { inputGradient: true })!;
        return [y.data, dx.data];
      } finally {
        model.dispose();
      }
    };
    const one = await run(1), two = await run(2);
    expect(two[0]).toEqual(one[0]);
    expect(two[1]).toEqual(one[1]);
    await init({ isa });
  }, 120_000);
});
