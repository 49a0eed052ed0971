// c + a·b on four lanes. The relaxed-simd build uses the fused form (one rounding, as fast or
// faster); the plain simd build multiplies then adds. Chosen at compile time, so each binary
// contains only the instructions its engine must validate.
@inline
export function vmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
