// Max pooling on every ISA against maxPool2dRef, bit for bit: random shapes (odd sizes, rows whose
// output count is not a multiple of 4), windows and strides 1–3 on each axis, and values drawn
// from a few (±0 among them) so that windows tie, with NaNs and infinities. The SIMD kernels must
// keep the scalar rule exactly: the first element of a window, replaced only by a strictly
// greater one, so ties keep the first and a NaN never replaces nor, first, is replaced.
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { instantiateKernels, type KernelExports } from '../src/loader.js';
import { maxPool2dBackwardRef, maxPool2dRef } from '../src/reference/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { product, seededRandom } from './helpers/random.js';

const RUNS = 400;

/** Mostly a few values that tie (−0 and 0 too), some NaNs and infinities, some arbitrary floats. */
const value = fc.oneof(
  { arbitrary: fc.constantFrom(-1, -0, 0, 0.5, 1), weight: 12 },
  { arbitrary: fc.constant(NaN), weight: 1 },
  { arbitrary: fc.constantFrom(-Infinity, Infinity), weight: 1 },
  { arbitrary: fc.float({ noNaN: true }), weight: 3 },
);

interface PoolCase {
  shape: [number, number, number, number];
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  ceilMode: boolean;
  x: number[];
}

/** PyTorch's pooled length (as nn.MaxPool2d and maxPool2dRef compute it). */
function outLength(size: number, k: number, s: number, p: number, ceil: boolean): number {
  let out = Math.floor((size + 2 * p - k + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

const poolCase: fc.Arbitrary<PoolCase> = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 27 }),
    kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
    sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    // padding up to half the kernel (drawn as a fraction of it), ceil mode: half the cases unpadded
    ph: fc.integer({ min: 0, max: 1 }), pw: fc.integer({ min: 0, max: 1 }),
    padded: fc.boolean(), ceilMode: fc.boolean(),
  })
  .map((r) => ({ ...r, ph: r.padded ? Math.min(r.ph, r.kh >> 1) : 0, pw: r.padded ? Math.min(r.pw, r.kw >> 1) : 0 }))
  .filter(({ h, w, kh, kw, ph, pw }) => kh <= h + 2 * ph && kw <= w + 2 * pw)
  .chain(({ n, c, h, w, kh, kw, sh, sw, ph, pw, ceilMode }) =>
    fc.array(value, { minLength: n * c * h * w, maxLength: n * c * h * w }).map((x): PoolCase => ({
      shape: [n, c, h, w], kernel: [kh, kw], stride: [sh, sw], padding: [ph, pw], ceilMode, x,
    })),
  );

const bits = (values: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(values).buffer));

/**
 * Runs f32_maxpool2d with x ending at the last byte of memory (a read past any window traps)
 * and a guard after y and idx (a write past the outputs shows); returns y and the argmax as
 * indices into x, like the reference's.
 */
function runKernel(k: KernelExports, { shape: [N, C, H, W], kernel: [kh, kw], stride: [sh, sw], padding: [ph, pw], ceilMode, x }: PoolCase) {
  const OH = outLength(H, kh, sh, ph, ceilMode), OW = outLength(W, kw, sw, pw, ceilMode);
  const count = N * C * OH * OW, GUARD = 4;
  const y = Math.ceil(k.heap_base() / 16) * 16, idx = y + (count + GUARD) * 4;
  const xBytes = x.length * 4;
  const needed = idx + (count + GUARD) * 4 + xBytes;
  if (k.memory.buffer.byteLength < needed) k.memory.grow(Math.ceil((needed - k.memory.buffer.byteLength) / 65536));
  const xp = k.memory.buffer.byteLength - xBytes;
  new Float32Array(k.memory.buffer, xp, x.length).set(x);
  new Int32Array(k.memory.buffer, y, 2 * (count + GUARD)).fill(0x5eed);
  k.f32_maxpool2d(xp, N * C, H, W, kh, kw, sh, sw, ph, pw, OH, OW, y, idx);
  const ys = new Float32Array(k.memory.buffer, y, count + GUARD), is = new Int32Array(k.memory.buffer, idx, count + GUARD);
  expect([...new Int32Array(ys.buffer, y + count * 4, GUARD), ...is.subarray(count)], 'guards after y and idx').toEqual(new Array(2 * GUARD).fill(0x5eed));
  const argmax = Array.from(is.subarray(0, count), (i, o) => Math.floor(o / (OH * OW)) * H * W + i);
  return { y: Array.from(ys.subarray(0, count)), argmax };
}

for (const isa of TEST_ISAS) {
  describe(`max pooling, isa ${isa}`, () => {
    it(`f32_maxpool2d: ${RUNS} random cases bit for bit against maxPool2dRef`, async () => {
      const k = await instantiateKernels(isa);
      fc.assert(
        fc.property(poolCase, (c) => {
          const got = runKernel(k, c);
          const want = maxPool2dRef({ data: c.x, shape: c.shape }, c.kernel, c.stride, c.padding, c.ceilMode);
          expect(got.argmax).toEqual(Array.from(want.argmax));
          expect(bits(got.y)).toEqual(bits(want.y.data));
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe(`nn.MaxPool2d, isa ${isa}`, () => {
    const owned: Array<{ dispose(): void }> = [];
    beforeAll(async () => {
      await init({ isa });
    });
    afterEach(() => {
      for (const o of owned.splice(0)) o.dispose();
    });

    // LeNet's first pool (enough outputs to be split across threads), then odd shapes
    it.each([
      { xShape: [64, 16, 24, 24], kernel: 2, stride: 2 },
      { xShape: [3, 5, 11, 19], kernel: 2, stride: 2 },
      { xShape: [2, 3, 13, 17], kernel: 3, stride: 2 },
      { xShape: [2, 2, 9, 14], kernel: [2, 3], stride: [1, 2] },
      // ResNet's stem pool (3×3/2, padding 1) with enough outputs to split; ceil mode, padding on one axis
      { xShape: [2, 8, 56, 56], kernel: 3, stride: 2, padding: 1 },
      { xShape: [2, 3, 13, 18], kernel: 3, stride: 2, padding: 1, ceilMode: true },
      { xShape: [1, 2, 10, 11], kernel: [3, 2], stride: [2, 2], padding: [0, 1], ceilMode: true },
    ] as Array<{ xShape: number[]; kernel: number | [number, number]; stride: number | [number, number]; padding?: number | [number, number]; ceilMode?: boolean }>)(
    'x $xShape, window $kernel, stride $stride, padding $padding, ceil $ceilMode: y and dx match the reference', ({ xShape, kernel, stride, padding = 0, ceilMode = false }) => {
      const random = seededRandom(product(xShape));
      // after ReLU: about half the inputs are 0, so windows tie
      const x = Float32Array.from({ length: product(xShape) }, () => Math.max(0, Math.round(random() * 16 - 8) / 8));
      const model = new nn.Sequential([new nn.MaxPool2d(kernel, { stride, padding, ceilMode })]);
      owned.push(model);
      const y = model.forward({ data: x, shape: [...xShape] });
      const want = maxPool2dRef({ data: x, shape: xShape }, kernel, stride, padding, ceilMode);
      expect(y.shape).toEqual(want.y.shape);
      expect(bits(y.data)).toEqual(bits(want.y.data));
      // small integers: dx sums exactly, so it shows every argmax
      const dy = Float32Array.from({ length: y.data.length }, () => 1 + Math.floor(random() * 8));
      const dx = model.backward({ data: dy, shape: y.shape }, { inputGradient: true })!;
      expect(bits(dx.data)).toEqual(bits(maxPool2dBackwardRef(dy, want.argmax, xShape).data));
    });
  });
}
