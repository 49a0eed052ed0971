/**
 * The weight gradient's inverse filter transform for F(4, 3) (1-D), four input channels per
 * vector: for each o < rows and c < cols, dw[o][c] (3 taps, overwritten) = Gᵀ m, where
 * m[ξ] = M[ξ][o][c] (rows×cols matrices `mXiBytes` apart, rows `mRowBytes` apart, at least cols
 * rounded up to 4 floats long) sums the transformed products over tiles and images.
 */
export function f32_winograd_filter_grad_4_3__wasmsimd(
  m: usize, mXiBytes: usize, mRowBytes: usize, rows: i32, cols: i32, dw: usize,
): void {
  const sixth = f32x4.splat(<f32>(1.0 / 6.0));
  for (let o = 0; o < rows; o++) {
    for (let c = 0; c < cols; c += 4) {
      const src = m + <usize>o * mRowBytes + (<usize>c << 2);
      const m0 = v128.load(src), m1 = v128.load(src + mXiBytes), m2 = v128.load(src + 2 * mXiBytes);
      const m3 = v128.load(src + 3 * mXiBytes), m4 = v128.load(src + 4 * mXiBytes), m5 = v128.load(src + 5 * mXiBytes);
      // Gᵀ·m: m0/4 − (m1 + m2)/6 + (m3 + m4)/24,  (m2 − m1)/6 + (m3 − m4)/12,  ((m3 + m4) − (m1 + m2))/6 + m5
      const p12 = f32x4.add(m1, m2), d12 = f32x4.sub(m2, m1);
      const p34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
      const t0 = f32x4.add(f32x4.sub(f32x4.mul(m0, f32x4.splat(0.25)), f32x4.mul(p12, sixth)), f32x4.mul(p34, f32x4.splat(<f32>(1.0 / 24.0))));
      const t1 = f32x4.add(f32x4.mul(d12, sixth), f32x4.mul(d34, f32x4.splat(<f32>(1.0 / 12.0))));
      const t2 = f32x4.add(f32x4.mul(f32x4.sub(p34, p12), sixth), m5);
      // lane j is channel c + j: its 3 taps side by side in dw
      const live = min(4, cols - c);
      const out = dw + (<usize>o * cols + c) * 12;
      store<f32>(out, f32x4.extract_lane(t0, 0));
      store<f32>(out, f32x4.extract_lane(t1, 0), 4);
      store<f32>(out, f32x4.extract_lane(t2, 0), 8);
      if (live > 1) {
        store<f32>(out, f32x4.extract_lane(t0, 1), 12);
        store<f32>(out, f32x4.extract_lane(t1, 1), 16);
        store<f32>(out, f32x4.extract_lane(t2, 1), 20);
      }
      if (live > 2) {
        store<f32>(out, f32x4.extract_lane(t0, 2), 24);
        store<f32>(out, f32x4.extract_lane(t1, 2), 28);
        store<f32>(out, f32x4.extract_lane(t2, 2), 32);
      }
      if (live > 3) {
        store<f32>(out, f32x4.extract_lane(t0, 3), 36);
        store<f32>(out, f32x4.extract_lane(t1, 3), 40);
        store<f32>(out, f32x4.extract_lane(t2, 3), 44);
      }
    }
  }
}

