/** Scalar twin of f32_winograd_filter_grad_4_3__wasmsimd, one (o, c) at a time. */
export function f32_winograd_filter_grad_4_3__scalar(
  m: usize, mXiBytes: usize, mRowBytes: usize, rows: i32, cols: i32, dw: usize,
): void {
  const sixth: f32 = <f32>(1.0 / 6.0);
  for (let o = 0; o < rows; o++) {
    for (let c = 0; c < cols; c++) {
      const src = m + <usize>o * mRowBytes + (<usize>c << 2);
      const m0 = load<f32>(src), m1 = load<f32>(src + mXiBytes), m2 = load<f32>(src + 2 * mXiBytes);
      const m3 = load<f32>(src + 3 * mXiBytes), m4 = load<f32>(src + 4 * mXiBytes), m5 = load<f32>(src + 5 * mXiBytes);
      const p12 = m1 + m2, d12 = m2 - m1;
      const p34 = m3 + m4, d34 = m3 - m4;
      const out = dw + (<usize>o * cols + c) * 12;
      store<f32>(out, (m0 * 0.25 - p12 * sixth) + p34 * <f32>(1.0 / 24.0));
      store<f32>(out, d12 * sixth + d34 * <f32>(1.0 / 12.0), 4);
      store<f32>(out, (p34 - p12) * sixth + m5, 8);
    }
  }
}
