/**
 * Scalar twin of f32_gemm_4x8__wasmsimd, same contract:
 * C[m×n] (= or +=) A[m×k] · B[k×n], A through two byte strides, B and C row-major.
 * One row × 4 columns of f32 accumulators, then single columns.
 */
export function f32_gemm_1x4__scalar(
  m: i32, n: i32, k: i32,
  a: usize, aRowStride: usize, aColStride: usize,
  b: usize, bRowStride: usize,
  c: usize, cRowStride: usize,
  accumulate: bool,
): void {
  for (let i = 0; i < m; i++) {
    const ai = a + <usize>i * aRowStride;
    const ci = c + <usize>i * cRowStride;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const jb = <usize>j << 2;
      let acc0: f32 = 0, acc1: f32 = 0, acc2: f32 = 0, acc3: f32 = 0;
      if (accumulate) {
        acc0 = load<f32>(ci + jb); acc1 = load<f32>(ci + jb, 4);
        acc2 = load<f32>(ci + jb, 8); acc3 = load<f32>(ci + jb, 12);
      }
      let pa = ai;
      let pb = b + jb;
      for (let p = 0; p < k; p++) {
        const va = load<f32>(pa);
        acc0 += va * load<f32>(pb); acc1 += va * load<f32>(pb, 4);
        acc2 += va * load<f32>(pb, 8); acc3 += va * load<f32>(pb, 12);
        pa += aColStride;
        pb += bRowStride;
      }
      store<f32>(ci + jb, acc0); store<f32>(ci + jb, acc1, 4);
      store<f32>(ci + jb, acc2, 8); store<f32>(ci + jb, acc3, 12);
    }
    for (; j < n; j++) {
      const jb = <usize>j << 2;
      let acc: f32 = accumulate ? load<f32>(ci + jb) : 0;
      let pa = ai;
      let pb = b + jb;
      for (let p = 0; p < k; p++) {
        acc += load<f32>(pa) * load<f32>(pb);
        pa += aColStride;
        pb += bRowStride;
      }
      store<f32>(ci + jb, acc);
    }
  }
}
