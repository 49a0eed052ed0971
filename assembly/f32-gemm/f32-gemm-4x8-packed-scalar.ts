/**
 * Scalar twin of f32_gemm_ukernel_4x8__wasmsimd, same packed operands and contract:
 * C[4×8] (= or +=) Apacked[4×kc] · Bpanel[kc×8]. Four passes over kc, each a 2×4 sub-tile,
 * so 8 accumulators and 5 operands stay within x64's 16 float registers (a 4×4 sub-tile spills).
 * A non-zero `bias` starts the sums when not accumulating, as in the SIMD kernel.
 */
@inline
export function f32_gemm_ukernel_4x8__scalar(
  kc: i32, a: usize, b: usize, c: usize, cRowStride: usize, accumulate: bool, bias: usize = 0,
): void {
  for (let rowPair: usize = 0; rowPair < 4; rowPair += 2) {
    for (let half: usize = 0; half <= 16; half += 16) {
      const c0 = c + rowPair * cRowStride + half;
      const c1 = c0 + cRowStride;
      let acc00: f32 = 0, acc01: f32 = 0, acc02: f32 = 0, acc03: f32 = 0;
      let acc10: f32 = 0, acc11: f32 = 0, acc12: f32 = 0, acc13: f32 = 0;
      if (accumulate) {
        acc00 = load<f32>(c0); acc01 = load<f32>(c0, 4); acc02 = load<f32>(c0, 8); acc03 = load<f32>(c0, 12);
        acc10 = load<f32>(c1); acc11 = load<f32>(c1, 4); acc12 = load<f32>(c1, 8); acc13 = load<f32>(c1, 12);
      } else if (bias) {
        acc00 = load<f32>(bias + (rowPair << 2)); acc01 = acc00; acc02 = acc00; acc03 = acc00;
        acc10 = load<f32>(bias + (rowPair << 2), 4); acc11 = acc10; acc12 = acc10; acc13 = acc10;
      }
      let pa = a + (rowPair << 2);
      let pb = b + half;
      const pbEnd = pb + (<usize>kc << 5);
      while (pb < pbEnd) {
        const b0 = load<f32>(pb), b1 = load<f32>(pb, 4), b2 = load<f32>(pb, 8), b3 = load<f32>(pb, 12);
        const a0 = load<f32>(pa);
        acc00 += a0 * b0; acc01 += a0 * b1; acc02 += a0 * b2; acc03 += a0 * b3;
        const a1 = load<f32>(pa, 4);
        acc10 += a1 * b0; acc11 += a1 * b1; acc12 += a1 * b2; acc13 += a1 * b3;
        pa += 16;
        pb += 32;
      }
      store<f32>(c0, acc00); store<f32>(c0, acc01, 4); store<f32>(c0, acc02, 8); store<f32>(c0, acc03, 12);
      store<f32>(c1, acc10); store<f32>(c1, acc11, 4); store<f32>(c1, acc12, 8); store<f32>(c1, acc13, 12);
    }
  }
}
