// The packed GEMM driver on its own, at every tile edge: m around the 4-row block, n around the
// 4- and 8-column panels, k around the KC = 512 reduction chunk, B row-major or transposed,
// C overwritten or accumulated into. Each product is checked element by element against a
// float64 loop within the roundoff bound of tolerance.ts.
import { describe, expect, it } from 'vitest';
import { instantiateKernels } from '../src/loader.js';
import { GEMM_WORK_FLOATS } from '../src/ops/passes/gemm.js';
import { denseOperands, expectGemmWithinBound } from './helpers/gemm-reference.js';
import { TEST_ISAS } from './helpers/isas.js';
import { randomData, seededRandom } from './helpers/random.js';

const M = [1, 3, 4, 5, 8, 9];
const N = [1, 3, 4, 5, 8, 12, 16, 17];
const K = [1, 7, 512, 513, 1100];

for (const isa of TEST_ISAS) {
  describe(`f32_gemm_packed, isa ${isa}`, () => {
    it(`${M.length * N.length * K.length * 4} products at the tile edges`, async () => {
      const k = await instantiateKernels(isa);
      const maxFloats = 9 * 1100;
      const base = Math.ceil(k.heap_base() / 16) * 16;
      const at = { a: base, packed: base + 4 * maxFloats, b: base + 4 * 2 * 20000, c: base + 4 * 3 * 20000, work: base + 4 * 4 * 20000 };
      const needed = at.work + GEMM_WORK_FLOATS * 4;
      if (k.memory.buffer.byteLength < needed) k.memory.grow(Math.ceil((needed - k.memory.buffer.byteLength) / 65536));
      const random = seededRandom(7);
      let checked = 0;
      for (const m of M) for (const n of N) for (const kk of K) for (const transposedB of [false, true]) for (const accumulate of [false, true]) {
        const a = randomData(m * kk, random), b = randomData(kk * n, random), c0 = randomData(m * n, random);
        const view = (offset: number, count: number) => new Float32Array(k.memory.buffer, offset, count);
        view(at.a, a.length).set(a);
        view(at.b, b.length).set(b);
        view(at.c, c0.length).set(c0);
        k.f32_pack_a_x4(m, kk, at.a, kk * 4, 4, at.packed);
        // B[p][j] at b[p·n + j] (row-major) or b[j·kk + p] (B stored transposed)
        const [rowStride, colStride] = transposedB ? [4, kk * 4] : [n * 4, 4];
        k.f32_gemm_packed(m, n, kk, at.packed, at.b, rowStride, colStride, at.c, n * 4, accumulate ? 1 : 0, at.work);
        const ops = denseOperands(a, b, accumulate ? c0 : null, n, kk, transposedB);
        expectGemmWithinBound(view(at.c, m * n), m, n, kk, ops.a, ops.b, ops.c0,
          `m ${m}, n ${n}, k ${kk}, B ${transposedB ? 'transposed' : 'row-major'}, ${accumulate ? 'accumulate' : 'overwrite'}, isa ${isa}`);
        checked++;
      }
      expect(checked).toBe(M.length * N.length * K.length * 4);
    });
  });
}
