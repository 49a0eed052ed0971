// The two GEMM entry points batch-1 inference leans on, alone, fuzzed with fast-check against a
// float64 loop within the roundoff bound of tolerance.ts:
// - f32_gemm_nt: C (= or +=) A·Bᵀ with both operands k-contiguous (nn.Linear's y = x·Wᵀ, W in
//   place), at every edge of its 2×4 tile and of the 4-float vector loop over k;
// - f32_gemm_packed_bias: C = bias + Apacked·B (a pointwise conv's forward), whose sums must be
//   bit for bit those of C filled with the bias and accumulated into by f32_gemm_packed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantiateKernels, type KernelExports } from '../src/loader.js';
import { GEMM_WORK_FLOATS } from '../src/ops/passes/gemm.js';
import { expectGemmWithinBound } from './helpers/gemm-reference.js';
import { TEST_ISAS } from './helpers/isas.js';
import { randomData, seededRandom } from './helpers/random.js';

/** Places float blocks one after another (16-byte aligned) past the heap base, growing memory. */
function place(k: KernelExports, floats: number[]): number[] {
  let at = Math.ceil(k.heap_base() / 16) * 16;
  const offsets = floats.map((n) => {
    const o = at;
    at += Math.ceil(n / 4) * 16;
    return o;
  });
  if (k.memory.buffer.byteLength < at) k.memory.grow(Math.ceil((at - k.memory.buffer.byteLength) / 65536));
  return offsets;
}

const dims = fc.record({
  m: fc.integer({ min: 1, max: 11 }), n: fc.integer({ min: 1, max: 19 }),
  k: fc.oneof(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 500, max: 1100 })),
  accumulate: fc.boolean(), seed: fc.nat(),
});

for (const isa of TEST_ISAS) {
  describe(`f32_gemm_nt, isa ${isa}`, () => {
    it('C (= or +=) A·Bᵀ matches float64 at every tile edge (fuzzed)', async () => {
      const k = await instantiateKernels(isa);
      fc.assert(fc.property(dims, ({ m, n, k: kk, accumulate, seed }) => {
        const random = seededRandom(seed);
        // rows padded past k (a stride wider than the row) to check strides are honoured
        const lda = kk + 3, ldb = kk + 1, ldc = n + 2;
        const a = randomData(m * lda, random), b = randomData(n * ldb, random), c0 = randomData(m * ldc, random);
        const [pa, pb, pc] = place(k, [a.length, b.length, c0.length]);
        new Float32Array(k.memory.buffer, pa, a.length).set(a);
        new Float32Array(k.memory.buffer, pb, b.length).set(b);
        new Float32Array(k.memory.buffer, pc, c0.length).set(c0);
        k.f32_gemm_nt(m, n, kk, pa, lda * 4, pb, ldb * 4, pc, ldc * 4, accumulate ? 1 : 0);
        const all = new Float32Array(k.memory.buffer, pc, c0.length).slice();
        const got = new Float32Array(m * n);
        for (let i = 0; i < m; i++) {
          got.set(all.subarray(i * ldc, i * ldc + n), i * n);
          // the columns past n in each row of C are not C's: untouched
          for (let j = n; j < ldc; j++) expect(all[i * ldc + j]).toBe(c0[i * ldc + j]);
        }
        expectGemmWithinBound(got, m, n, kk, (i, p) => a[i * lda + p], (p, j) => b[j * ldb + p],
          (i, j) => (accumulate ? c0[i * ldc + j] : 0), `m ${m}, n ${n}, k ${kk}, ${accumulate ? 'accumulate' : 'overwrite'}, isa ${isa}`);
      }), { numRuns: 120, seed: 16 });
    });
  });

  describe(`f32_gemm_packed_bias, isa ${isa}`, () => {
    it('C = bias + A·B: bit for bit f32_gemm_packed accumulating into C filled with the bias (fuzzed)', async () => {
      const k = await instantiateKernels(isa);
      fc.assert(fc.property(dims, fc.boolean(), ({ m, n, k: kk, seed }, withBias) => {
        const random = seededRandom(seed);
        const a = randomData(m * kk, random), b = randomData(kk * n, random), bias = randomData(m, random);
        const [pa, packed, pb, pbias, pc, pref, work] = place(k, [a.length, Math.ceil(m / 4) * 4 * kk, b.length, m, m * n, m * n, GEMM_WORK_FLOATS]);
        new Float32Array(k.memory.buffer, pa, a.length).set(a);
        new Float32Array(k.memory.buffer, pb, b.length).set(b);
        new Float32Array(k.memory.buffer, pbias, m).set(bias);
        new Float32Array(k.memory.buffer, pc, m * n).fill(Number.NaN); // overwritten, never read
        k.f32_pack_a_x4(m, kk, pa, kk * 4, 4, packed);
        k.f32_gemm_packed_bias(m, n, kk, packed, pb, n * 4, 4, withBias ? pbias : 0, pc, n * 4, work);
        // the old way: C filled with the bias (or zero), then accumulated into
        const ref = new Float32Array(k.memory.buffer, pref, m * n);
        for (let i = 0; i < m; i++) ref.fill(withBias ? bias[i] : 0, i * n, (i + 1) * n);
        k.f32_gemm_packed(m, n, kk, packed, pb, n * 4, 4, pref, n * 4, 1, work);
        const got = new Float32Array(k.memory.buffer, pc, m * n).slice();
        expect(got).toEqual(new Float32Array(k.memory.buffer, pref, m * n).slice());
        expectGemmWithinBound(got, m, n, kk, (i, p) => a[i * kk + p], (p, j) => b[p * n + j], (i) => (withBias ? bias[i] : 0),
          `m ${m}, n ${n}, k ${kk}, ${withBias ? 'bias' : 'no bias'}, isa ${isa}`);
      }), { numRuns: 120, seed: 16 });
    });
  });
}
