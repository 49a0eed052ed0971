// The 1-D factors of F(4, 3) (points 0, ±1, ±2, ∞; docs/winograd.md, "The algorithm") on four
// lanes, shared by the 2-D F(4×4, 3×3) kernels (each 1-D pass of theirs) and the conv1d F(4, 3)
// ones, so both compute every point with the same operations. Each stores its six points
// `stride` bytes apart.
import { vmadd } from "../simd-madd";

/** G·g: g0/4, −(g0 + g1 + g2)/6, −(g0 − g1 + g2)/6, g0/24 + g1/12 + g2/6, g0/24 − g1/12 + g2/6, g2. */
@inline
export function storeFilterPoints(g0: v128, g1: v128, g2: v128, dst: usize, stride: usize): void {
  const s = f32x4.add(g0, g2);
  const minusSixth = f32x4.splat(<f32>(-1.0 / 6.0));
  const t = f32x4.add(f32x4.mul(g0, f32x4.splat(<f32>(1.0 / 24.0))), f32x4.mul(g2, f32x4.splat(<f32>(1.0 / 6.0))));
  const g1Twelfth = f32x4.mul(g1, f32x4.splat(<f32>(1.0 / 12.0)));
  v128.store(dst, f32x4.mul(g0, f32x4.splat(0.25)));
  v128.store(dst + stride, f32x4.mul(f32x4.add(s, g1), minusSixth));
  v128.store(dst + 2 * stride, f32x4.mul(f32x4.sub(s, g1), minusSixth));
  v128.store(dst + 3 * stride, f32x4.add(t, g1Twelfth));
  v128.store(dst + 4 * stride, f32x4.sub(t, g1Twelfth));
  v128.store(dst + 5 * stride, g2);
}

/**
 * Bᵀ·d: 4d0 − 5d2 + d4, (d3 + d4) − 4(d1 + d2), (d4 − d3) + 4(d1 − d2), (d4 − d2) + 2(d3 − d1),
 * (d4 − d2) − 2(d3 − d1), 4d1 − 5d3 + d5 (fused multiply-adds in the relaxed-simd build).
 */
@inline
export function storeInputPoints(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, dst: usize, stride: usize): void {
  const four = f32x4.splat(4), minusFour = f32x4.splat(-4), minusFive = f32x4.splat(-5), two = f32x4.splat(2), minusTwo = f32x4.splat(-2);
  const d4m2 = f32x4.sub(d4, d2), d3m1 = f32x4.sub(d3, d1);
  v128.store(dst, vmadd(minusFive, d2, vmadd(four, d0, d4)));
  v128.store(dst + stride, vmadd(minusFour, f32x4.add(d1, d2), f32x4.add(d3, d4)));
  v128.store(dst + 2 * stride, vmadd(four, f32x4.sub(d1, d2), f32x4.sub(d4, d3)));
  v128.store(dst + 3 * stride, vmadd(two, d3m1, d4m2));
  v128.store(dst + 4 * stride, vmadd(minusTwo, d3m1, d4m2));
  v128.store(dst + 5 * stride, vmadd(minusFive, d3, vmadd(four, d1, d5)));
}

/** A·e (A = Aᵀ's transpose, 6×4): e0, (e0 + e2) + (e1 + e3), (e0 + e2) − (e1 + e3), (e0 + 4e2) + 2(e1 + 4e3), (e0 + 4e2) − 2(e1 + 4e3), e3. */
@inline
export function storeDyPoints(e0: v128, e1: v128, e2: v128, e3: v128, dst: usize, stride: usize): void {
  const four = f32x4.splat(4), two = f32x4.splat(2);
  const a = f32x4.add(e0, e2), b = f32x4.add(e1, e3);
  const c = f32x4.add(e0, f32x4.mul(four, e2)), d = f32x4.mul(two, f32x4.add(e1, f32x4.mul(four, e3)));
  v128.store(dst, e0);
  v128.store(dst + stride, f32x4.add(a, b));
  v128.store(dst + 2 * stride, f32x4.sub(a, b));
  v128.store(dst + 3 * stride, f32x4.add(c, d));
  v128.store(dst + 4 * stride, f32x4.sub(c, d));
  v128.store(dst + 5 * stride, e3);
}
