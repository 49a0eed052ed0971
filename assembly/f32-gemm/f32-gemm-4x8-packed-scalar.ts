/**
 * Scalar twin of f32_gemm_ukernel_4x8__wasmsimd, same packed operands and contract:
 * C[4×8] (= or +=) Apacked[4×kc] · Bpanel[kc×8]. Two passes over kc, one per 4-column half,
 * so 16 accumulators plus 8 operands stay within the registers.
 */
export function f32_gemm_ukernel_4x8__scalar(
  kc: i32, a: usize, b: usize, c: usize, cRowStride: usize, accumulate: bool,
): void {
  for (let half: usize = 0; half <= 16; half += 16) {
    const c0 = c + half;
    const c1 = c0 + cRowStride;
    const c2 = c1 + cRowStride;
    const c3 = c2 + cRowStride;
    let acc00: f32 = 0, acc01: f32 = 0, acc02: f32 = 0, acc03: f32 = 0;
    let acc10: f32 = 0, acc11: f32 = 0, acc12: f32 = 0, acc13: f32 = 0;
    let acc20: f32 = 0, acc21: f32 = 0, acc22: f32 = 0, acc23: f32 = 0;
    let acc30: f32 = 0, acc31: f32 = 0, acc32: f32 = 0, acc33: f32 = 0;
    if (accumulate) {
      acc00 = load<f32>(c0); acc01 = load<f32>(c0, 4); acc02 = load<f32>(c0, 8); acc03 = load<f32>(c0, 12);
      acc10 = load<f32>(c1); acc11 = load<f32>(c1, 4); acc12 = load<f32>(c1, 8); acc13 = load<f32>(c1, 12);
      acc20 = load<f32>(c2); acc21 = load<f32>(c2, 4); acc22 = load<f32>(c2, 8); acc23 = load<f32>(c2, 12);
      acc30 = load<f32>(c3); acc31 = load<f32>(c3, 4); acc32 = load<f32>(c3, 8); acc33 = load<f32>(c3, 12);
    }
    let pa = a;
    let pb = b + half;
    const paEnd = a + (<usize>kc << 4);
    while (pa < paEnd) {
      const b0 = load<f32>(pb), b1 = load<f32>(pb, 4), b2 = load<f32>(pb, 8), b3 = load<f32>(pb, 12);
      const a0 = load<f32>(pa);
      acc00 += a0 * b0; acc01 += a0 * b1; acc02 += a0 * b2; acc03 += a0 * b3;
      const a1 = load<f32>(pa, 4);
      acc10 += a1 * b0; acc11 += a1 * b1; acc12 += a1 * b2; acc13 += a1 * b3;
      const a2 = load<f32>(pa, 8);
      acc20 += a2 * b0; acc21 += a2 * b1; acc22 += a2 * b2; acc23 += a2 * b3;
      const a3 = load<f32>(pa, 12);
      acc30 += a3 * b0; acc31 += a3 * b1; acc32 += a3 * b2; acc33 += a3 * b3;
      pa += 16;
      pb += 32;
    }
    store<f32>(c0, acc00); store<f32>(c0, acc01, 4); store<f32>(c0, acc02, 8); store<f32>(c0, acc03, 12);
    store<f32>(c1, acc10); store<f32>(c1, acc11, 4); store<f32>(c1, acc12, 8); store<f32>(c1, acc13, 12);
    store<f32>(c2, acc20); store<f32>(c2, acc21, 4); store<f32>(c2, acc22, 8); store<f32>(c2, acc23, 12);
    store<f32>(c3, acc30); store<f32>(c3, acc31, 4); store<f32>(c3, acc32, 8); store<f32>(c3, acc33, 12);
  }
}
