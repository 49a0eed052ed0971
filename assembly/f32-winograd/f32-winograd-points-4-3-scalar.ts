// Scalar twins of f32-winograd-points-4-3-wasmsimd.ts: the 1-D factors of F(4, 3), shared by
// the 2-D and the conv1d scalar kernels. Each stores its six points `stride` bytes apart.

/** G·g (see the SIMD twin). */
@inline
export function storeFilterPoints(g0: f32, g1: f32, g2: f32, dst: usize, stride: usize): void {
  const s = g0 + g2;
  const t = g0 * <f32>(1.0 / 24.0) + g2 * <f32>(1.0 / 6.0);
  const g1Twelfth = g1 * <f32>(1.0 / 12.0);
  store<f32>(dst, g0 * 0.25);
  store<f32>(dst + stride, (s + g1) * <f32>(-1.0 / 6.0));
  store<f32>(dst + 2 * stride, (s - g1) * <f32>(-1.0 / 6.0));
  store<f32>(dst + 3 * stride, t + g1Twelfth);
  store<f32>(dst + 4 * stride, t - g1Twelfth);
  store<f32>(dst + 5 * stride, g2);
}

/** Bᵀ·d (see the SIMD twin). */
@inline
export function storeInputPoints(d0: f32, d1: f32, d2: f32, d3: f32, d4: f32, d5: f32, dst: usize, stride: usize): void {
  const d4m2 = d4 - d2, d3m1 = d3 - d1;
  store<f32>(dst, 4 * d0 + d4 - 5 * d2);
  store<f32>(dst + stride, (d3 + d4) - 4 * (d1 + d2));
  store<f32>(dst + 2 * stride, (d4 - d3) + 4 * (d1 - d2));
  store<f32>(dst + 3 * stride, d4m2 + 2 * d3m1);
  store<f32>(dst + 4 * stride, d4m2 - 2 * d3m1);
  store<f32>(dst + 5 * stride, 4 * d1 + d5 - 5 * d3);
}

/** A·e (see the SIMD twin). */
@inline
export function storeDyPoints(e0: f32, e1: f32, e2: f32, e3: f32, dst: usize, stride: usize): void {
  const a = e0 + e2, b = e1 + e3;
  const c = e0 + 4 * e2, d = (e1 + 4 * e3) * 2;
  store<f32>(dst, e0);
  store<f32>(dst + stride, a + b);
  store<f32>(dst + 2 * stride, a - b);
  store<f32>(dst + 3 * stride, c + d);
  store<f32>(dst + 4 * stride, c - d);
  store<f32>(dst + 5 * stride, e3);
}
