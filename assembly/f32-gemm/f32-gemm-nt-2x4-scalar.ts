/**
 * Scalar twin of f32_gemm_nt_2x4__wasmsimd, same contract: C[m×n] (= or +=) A[m×k] · B[n×k]ᵀ,
 * 1 row of A × 4 rows of B per step (4 f32 accumulators, A's value loaded once for the 4).
 */
export function f32_gemm_nt_2x4__scalar(
  m: i32, n: i32, k: i32,
  a: usize, aRowStride: usize,
  b: usize, bRowStride: usize,
  c: usize, cRowStride: usize,
  accumulate: bool,
): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const b0 = b + <usize>j * bRowStride;
    const b1 = b0 + bRowStride;
    const b2 = b1 + bRowStride;
    const b3 = b2 + bRowStride;
    for (let i = 0; i < m; i++) {
      const a0 = a + <usize>i * aRowStride;
      let acc0: f32 = 0, acc1: f32 = 0, acc2: f32 = 0, acc3: f32 = 0;
      for (let p = 0; p < k; p++) {
        const o = <usize>p << 2;
        const va = load<f32>(a0 + o);
        acc0 += va * load<f32>(b0 + o);
        acc1 += va * load<f32>(b1 + o);
        acc2 += va * load<f32>(b2 + o);
        acc3 += va * load<f32>(b3 + o);
      }
      const c0 = c + <usize>i * cRowStride + (<usize>j << 2);
      if (accumulate) {
        acc0 += load<f32>(c0); acc1 += load<f32>(c0, 4); acc2 += load<f32>(c0, 8); acc3 += load<f32>(c0, 12);
      }
      store<f32>(c0, acc0); store<f32>(c0, acc1, 4); store<f32>(c0, acc2, 8); store<f32>(c0, acc3, 12);
    }
  }
  for (; j < n; j++) {
    const b0 = b + <usize>j * bRowStride;
    for (let i = 0; i < m; i++) {
      const a0 = a + <usize>i * aRowStride;
      let acc: f32 = 0;
      for (let p = 0; p < k; p++) acc += load<f32>(a0 + (<usize>p << 2)) * load<f32>(b0 + (<usize>p << 2));
      const cij = c + <usize>i * cRowStride + (<usize>j << 2);
      store<f32>(cij, accumulate ? load<f32>(cij) + acc : acc);
    }
  }
}
