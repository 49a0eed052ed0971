import { vmadd } from "../simd-madd";
import { storeTransposed4x4 } from "../f32-pack/transpose-4x4";

/**
 * C[4×8] (= or +=) Apacked[4×kc] · Bpanel[kc×8]: the micro-kernel every conv pass ends in.
 *
 * Apacked holds, for each p, the 4 rows' values side by side (16 bytes per p, see
 * f32_pack_a_x4); Bpanel holds, for each p, 8 consecutive columns (32 bytes per p, see
 * f32_pack_b_x8). Both streams are contiguous, so the loop advances two pointers and every
 * load carries a constant offset. C is row-major with a byte row stride; 8 v128 accumulators
 * plus 2 B vectors and 1 splat fit the 16 xmm registers V8 allocates on x64. When not
 * accumulating, a non-zero `bias` (the 4 rows' values) starts each row's sums instead of 0:
 * the same sums as C filled with the bias and accumulated into, without that pass over C.
 * Callers without a bias pass a literal 0, which inlining folds away.
 */
@inline
export function f32_gemm_ukernel_4x8__wasmsimd(
  kc: i32, a: usize, b: usize, c: usize, cRowStride: usize, accumulate: bool, bias: usize = 0,
): void {
  const c0 = c;
  const c1 = c0 + cRowStride;
  const c2 = c1 + cRowStride;
  const c3 = c2 + cRowStride;
  let vacc0x0123 = f32x4.splat(0), vacc0x4567 = f32x4.splat(0);
  let vacc1x0123 = f32x4.splat(0), vacc1x4567 = f32x4.splat(0);
  let vacc2x0123 = f32x4.splat(0), vacc2x4567 = f32x4.splat(0);
  let vacc3x0123 = f32x4.splat(0), vacc3x4567 = f32x4.splat(0);
  if (accumulate) {
    vacc0x0123 = v128.load(c0); vacc0x4567 = v128.load(c0, 16);
    vacc1x0123 = v128.load(c1); vacc1x4567 = v128.load(c1, 16);
    vacc2x0123 = v128.load(c2); vacc2x4567 = v128.load(c2, 16);
    vacc3x0123 = v128.load(c3); vacc3x4567 = v128.load(c3, 16);
  } else if (bias) {
    vacc0x0123 = v128.load32_splat(bias); vacc0x4567 = vacc0x0123;
    vacc1x0123 = v128.load32_splat(bias, 4); vacc1x4567 = vacc1x0123;
    vacc2x0123 = v128.load32_splat(bias, 8); vacc2x4567 = vacc2x0123;
    vacc3x0123 = v128.load32_splat(bias, 12); vacc3x4567 = vacc3x0123;
  }
  let pa = a;
  let pb = b;
  const paEnd = a + (<usize>kc << 4);
  while (pa < paEnd) {
    const vb0123 = v128.load(pb);
    const vb4567 = v128.load(pb, 16);
    const va0 = v128.load32_splat(pa);
    vacc0x0123 = vmadd(va0, vb0123, vacc0x0123); vacc0x4567 = vmadd(va0, vb4567, vacc0x4567);
    const va1 = v128.load32_splat(pa, 4);
    vacc1x0123 = vmadd(va1, vb0123, vacc1x0123); vacc1x4567 = vmadd(va1, vb4567, vacc1x4567);
    const va2 = v128.load32_splat(pa, 8);
    vacc2x0123 = vmadd(va2, vb0123, vacc2x0123); vacc2x4567 = vmadd(va2, vb4567, vacc2x4567);
    const va3 = v128.load32_splat(pa, 12);
    vacc3x0123 = vmadd(va3, vb0123, vacc3x0123); vacc3x4567 = vmadd(va3, vb4567, vacc3x4567);
    pa += 16;
    pb += 32;
  }
  v128.store(c0, vacc0x0123); v128.store(c0, vacc0x4567, 16);
  v128.store(c1, vacc1x0123); v128.store(c1, vacc1x4567, 16);
  v128.store(c2, vacc2x0123); v128.store(c2, vacc2x4567, 16);
  v128.store(c3, vacc3x0123); v128.store(c3, vacc3x4567, 16);
}

/**
 * The same product for a panel with at most 4 live columns: C[4×4] (= or +=) Apacked · Bpanel,
 * reading the first half of each 32-byte panel row, so a narrow last panel costs half.
 */
@inline
export function f32_gemm_ukernel_4x4__wasmsimd(
  kc: i32, a: usize, b: usize, c: usize, cRowStride: usize, accumulate: bool, bias: usize = 0,
): void {
  const c0 = c;
  const c1 = c0 + cRowStride;
  const c2 = c1 + cRowStride;
  const c3 = c2 + cRowStride;
  let vacc0 = f32x4.splat(0), vacc1 = f32x4.splat(0), vacc2 = f32x4.splat(0), vacc3 = f32x4.splat(0);
  if (accumulate) {
    vacc0 = v128.load(c0); vacc1 = v128.load(c1); vacc2 = v128.load(c2); vacc3 = v128.load(c3);
  } else if (bias) {
    vacc0 = v128.load32_splat(bias); vacc1 = v128.load32_splat(bias, 4);
    vacc2 = v128.load32_splat(bias, 8); vacc3 = v128.load32_splat(bias, 12);
  }
  let pa = a;
  let pb = b;
  const paEnd = a + (<usize>kc << 4);
  while (pa < paEnd) {
    const vb = v128.load(pb);
    vacc0 = vmadd(v128.load32_splat(pa), vb, vacc0);
    vacc1 = vmadd(v128.load32_splat(pa, 4), vb, vacc1);
    vacc2 = vmadd(v128.load32_splat(pa, 8), vb, vacc2);
    vacc3 = vmadd(v128.load32_splat(pa, 12), vb, vacc3);
    pa += 16;
    pb += 32;
  }
  v128.store(c0, vacc0); v128.store(c1, vacc1); v128.store(c2, vacc2); v128.store(c3, vacc3);
}

/**
 * A narrow panel against two 4-row blocks of A at once: C[8×4] (= or +=) Apacked[8×kc] ·
 * Bpanel[kc×4] (the first 4 columns of each 32-byte panel row; all 4 columns of C's 8 rows are
 * read and written), the blocks `aBlockBytes` apart. The 4×4
 * kernel splats A (four loads per four multiply-adds); here A's 16-byte entries are the
 * vectors, one lane per row, and B's four columns are splatted: six loads per eight, with
 * A — megabytes of weights or of Winograd's U against a handful of columns — read as vectors.
 * Each element sums the same products in the same order as the 4×4 kernel (bit-identical);
 * the accumulators are rows-by-lane, so C is transposed on the way in and out.
 */
@inline
export function f32_gemm_ukernel_8x4__wasmsimd(
  kc: i32, a: usize, aBlockBytes: usize, b: usize, c: usize, cRowStride: usize, accumulate: bool,
): void {
  // vaccXj: column j of rows 0–3 (X = 0) or 4–7 (X = 1), one row per lane
  let vacc0x0 = f32x4.splat(0), vacc0x1 = f32x4.splat(0), vacc0x2 = f32x4.splat(0), vacc0x3 = f32x4.splat(0);
  let vacc1x0 = f32x4.splat(0), vacc1x1 = f32x4.splat(0), vacc1x2 = f32x4.splat(0), vacc1x3 = f32x4.splat(0);
  const c4 = c + (cRowStride << 2);
  if (accumulate) {
    let r0 = v128.load(c), r1 = v128.load(c + cRowStride), r2 = v128.load(c + 2 * cRowStride), r3 = v128.load(c + 3 * cRowStride);
    let lo01 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), lo23 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    let hi01 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), hi23 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    vacc0x0 = v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5); vacc0x1 = v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7);
    vacc0x2 = v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5); vacc0x3 = v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7);
    r0 = v128.load(c4); r1 = v128.load(c4 + cRowStride); r2 = v128.load(c4 + 2 * cRowStride); r3 = v128.load(c4 + 3 * cRowStride);
    lo01 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5); lo23 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    hi01 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7); hi23 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    vacc1x0 = v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5); vacc1x1 = v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7);
    vacc1x2 = v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5); vacc1x3 = v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7);
  }
  let pa = a;
  let pb = b;
  const paEnd = a + (<usize>kc << 4);
  while (pa < paEnd) {
    const va0123 = v128.load(pa);
    const va4567 = v128.load(pa + aBlockBytes);
    const vb0 = v128.load32_splat(pb);
    vacc0x0 = vmadd(va0123, vb0, vacc0x0); vacc1x0 = vmadd(va4567, vb0, vacc1x0);
    const vb1 = v128.load32_splat(pb, 4);
    vacc0x1 = vmadd(va0123, vb1, vacc0x1); vacc1x1 = vmadd(va4567, vb1, vacc1x1);
    const vb2 = v128.load32_splat(pb, 8);
    vacc0x2 = vmadd(va0123, vb2, vacc0x2); vacc1x2 = vmadd(va4567, vb2, vacc1x2);
    const vb3 = v128.load32_splat(pb, 12);
    vacc0x3 = vmadd(va0123, vb3, vacc0x3); vacc1x3 = vmadd(va4567, vb3, vacc1x3);
    pa += 16;
    pb += 32;
  }
  storeTransposed4x4(c, cRowStride, vacc0x0, vacc0x1, vacc0x2, vacc0x3);
  storeTransposed4x4(c4, cRowStride, vacc1x0, vacc1x1, vacc1x2, vacc1x3);
}
