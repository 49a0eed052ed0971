// The packed GEMM driver takes a B of at most 8 panels (n ≤ 64) against a reduction longer than
// KC = 512 in one group: all its panels packed per reduction chunk, each KC / panels deep, and
// every 4-row block of A run against them in turn. Fuzzed around the cut points (n 56–72 around the 8-panel limit, k around the
// chunk depths KC / panels): each product within the roundoff bound of a float64 loop, and
// bit-identical to the same product computed one column at a time (calls with n = 1, which run
// the whole KC = 512 chunk deep on a staged 4-row tile): grouping changes the order of the tile
// calls and where the reduction is cut, and the 8×4 kernel (a panel of exactly 4 columns
// against two whole 4-row blocks: m ≥ 8, n % 8 = 4) which rows share a call, never an element's
// arithmetic.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantiateKernels } from '../src/loader.js';
import { GEMM_WORK_FLOATS } from '../src/ops/passes/gemm.js';
import { denseOperands, expectGemmWithinBound } from './helpers/gemm-reference.js';
import { TEST_ISAS } from './helpers/isas.js';
import { randomData, seededRandom } from './helpers/random.js';

const MAX = { m: 13, n: 72, k: 1100 };

const shapes = fc.record({
  m: fc.integer({ min: 1, max: MAX.m }),
  n: fc.oneof(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 56, max: MAX.n })),
  // around 512 / panels for 1–9 panels (chunk depths 512, 256, 170, 128, 102, 85, 73, 64) and past KC
  k: fc.oneof(fc.integer({ min: 1, max: 140 }), fc.integer({ min: 500, max: 530 }), fc.integer({ min: 1000, max: MAX.k })),
  transposedB: fc.boolean(),
  accumulate: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});

for (const isa of TEST_ISAS) {
  describe(`f32_gemm_packed panel groups, isa ${isa}`, () => {
    it('grouped products (and 8×4 tiles) are within the float64 bound and bit-identical to one column at a time', async () => {
      const k = await instantiateKernels(isa);
      const base = Math.ceil(k.heap_base() / 16) * 16;
      const maxA = Math.ceil(MAX.m / 4) * 4 * MAX.k, maxB = MAX.k * MAX.n, maxC = MAX.m * MAX.n;
      const at = { a: base, packed: base + 4 * maxA, b: base + 8 * maxA, c: base + 8 * maxA + 4 * maxB };
      const at2 = { c: at.c + 4 * maxC, work: at.c + 8 * maxC };
      const needed = at2.work + GEMM_WORK_FLOATS * 4;
      if (k.memory.buffer.byteLength < needed) k.memory.grow(Math.ceil((needed - k.memory.buffer.byteLength) / 65536));
      const view = (offset: number, count: number) => new Float32Array(k.memory.buffer, offset, count);
      let grouped = 0, paired = 0;
      fc.assert(
        fc.property(shapes, ({ m, n, k: kk, transposedB, accumulate, seed }) => {
          const random = seededRandom(seed);
          const a = randomData(m * kk, random), b = randomData(kk * n, random), c0 = randomData(m * n, random);
          view(at.a, a.length).set(a);
          view(at.b, b.length).set(b);
          view(at.c, c0.length).set(c0);
          view(at2.c, c0.length).set(c0);
          k.f32_pack_a_x4(m, kk, at.a, kk * 4, 4, at.packed);
          // B[p][j] at b[p·n + j] (row-major) or b[j·kk + p] (B stored transposed)
          const [rowStride, colStride] = transposedB ? [4, kk * 4] : [n * 4, 4];
          k.f32_gemm_packed(m, n, kk, at.packed, at.b, rowStride, colStride, at.c, n * 4, accumulate ? 1 : 0, at2.work);
          for (let j = 0; j < n; j++) {
            k.f32_gemm_packed(m, 1, kk, at.packed, at.b + j * colStride, rowStride, colStride, at2.c + j * 4, n * 4, accumulate ? 1 : 0, at2.work);
          }
          const got = view(at.c, m * n).slice(), byColumn = view(at2.c, m * n).slice();
          const what = `m ${m}, n ${n}, k ${kk}, B ${transposedB ? 'transposed' : 'row-major'}, ${accumulate ? 'accumulate' : 'overwrite'}, isa ${isa}`;
          const ops = denseOperands(a, b, accumulate ? c0 : null, n, kk, transposedB);
          expectGemmWithinBound(got, m, n, kk, ops.a, ops.b, ops.c0, what);
          for (let e = 0; e < m * n; e++) {
            if (!Object.is(got[e], byColumn[e])) {
              throw new Error(`C[${Math.floor(e / n)}][${e % n}] = ${got[e]} grouped but ${byColumn[e]} one column at a time; ${what}`);
            }
          }
          if (n > 8 && n <= 64 && kk > 512) grouped++;
          if (m >= 8 && n % 8 === 4) paired++;
        }),
        { numRuns: 150, seed: 17 },
      );
      // the property must have met the grouped case and the 8×4 kernel's, not only single panels
      expect(grouped).toBeGreaterThan(10);
      expect(paired).toBeGreaterThan(3);
    });
  });
}
