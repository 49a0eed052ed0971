/** Scalar twin of f32_winograd_filter_grad_4x4_3x3__wasmsimd, one (o, c) at a time. `work` is 18 floats of per-thread scratch. */
export function f32_winograd_filter_grad_4x4_3x3__scalar(
  m: usize, mXiBytes: usize, mRowBytes: usize, rows: i32, cols: i32, dw: usize, work: usize,
): void {
  for (let o = 0; o < rows; o++) {
    for (let c = 0; c < cols; c++) {
      const src = m + <usize>o * mRowBytes + (<usize>c << 2);
      for (let b: usize = 0; b < 6; b++) transform6to3(src + b * mXiBytes, 6 * mXiBytes, work + (b << 2), 24);
      const out = dw + (<usize>o * cols + c) * 36;
      for (let k: usize = 0; k < 3; k++) transform6to3(work + k * 24, 4, out + k * 12, 4);
    }
  }
}

/** Gᵀ·m for six floats (see the SIMD twin). */
@inline
function transform6to3(src: usize, inStride: usize, dst: usize, outStride: usize): void {
  const m0 = load<f32>(src), m1 = load<f32>(src + inStride), m2 = load<f32>(src + 2 * inStride);
  const m3 = load<f32>(src + 3 * inStride), m4 = load<f32>(src + 4 * inStride), m5 = load<f32>(src + 5 * inStride);
  const p12 = m1 + m2, d12 = m2 - m1;
  const p34 = m3 + m4, d34 = m3 - m4;
  const sixth: f32 = <f32>(1.0 / 6.0);
  store<f32>(dst, (m0 * 0.25 - p12 * sixth) + p34 * <f32>(1.0 / 24.0));
  store<f32>(dst + outStride, d12 * sixth + d34 * <f32>(1.0 / 12.0));
  store<f32>(dst + 2 * outStride, (p34 - p12) * sixth + m5);
}
