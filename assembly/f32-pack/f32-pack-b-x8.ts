/**
 * Pack a panel of up to 8 columns of B[kc×nc] (read through two byte strides) into
 * out[p][0..8), columns past nc zero: the micro-kernel's contiguous B stream. Inlined into
 * each GEMM driver that packs B panels (as Binaryen did when there was one).
 */
@inline
export function f32_pack_b_x8(kc: i32, nc: i32, b: usize, bRowStride: usize, bColStride: usize, out: usize): void {
  if (nc == 8 && bColStride == 4) {
    for (let p = 0; p < kc; p++) {
      if (ASC_FEATURE_SIMD) {
        v128.store(out, v128.load(b));
        v128.store(out, v128.load(b, 16), 16);
      } else {
        memory.copy(out, b, 32);
      }
      b += bRowStride;
      out += 32;
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    let pb = b;
    let j = 0;
    for (; j < nc; j++) {
      store<f32>(out + (<usize>j << 2), load<f32>(pb));
      pb += bColStride;
    }
    for (; j < 8; j++) store<f32>(out + (<usize>j << 2), 0);
    b += bRowStride;
    out += 32;
  }
}
