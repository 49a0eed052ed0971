/**
 * Pack A[m×k] (read through two byte strides, so Wᵀ costs no copy) into blocks of 4 rows:
 * out[i/4][p][i%4] = A[i][p], rows past m zero. The micro-kernel then reads one contiguous
 * 16-byte group per step of the reduction.
 */
export function f32_pack_a_x4(m: i32, k: i32, a: usize, aRowStride: usize, aColStride: usize, out: usize): void {
  for (let i = 0; i < m; i += 4) {
    const rows = min(4, m - i);
    const a0 = a + <usize>i * aRowStride;
    if (rows == 4 && aRowStride == 4) {
      // the four rows' values are adjacent in memory (A is a transposed row-major matrix)
      let pa = a0;
      for (let p = 0; p < k; p++) {
        if (ASC_FEATURE_SIMD) {
          v128.store(out, v128.load(pa));
        } else {
          store<f32>(out, load<f32>(pa)); store<f32>(out, load<f32>(pa, 4), 4);
          store<f32>(out, load<f32>(pa, 8), 8); store<f32>(out, load<f32>(pa, 12), 12);
        }
        pa += aColStride;
        out += 16;
      }
      continue;
    }
    for (let p = 0; p < k; p++) {
      const pa = a0 + <usize>p * aColStride;
      for (let r = 0; r < 4; r++) {
        store<f32>(out + (<usize>r << 2), r < rows ? load<f32>(pa + <usize>r * aRowStride) : 0);
      }
      out += 16;
    }
  }
}
