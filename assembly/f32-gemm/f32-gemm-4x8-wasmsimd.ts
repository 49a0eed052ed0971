import { vmadd } from "../simd-madd";

/**
 * C[m×n] (= or +=) A[m×k] · B[k×n], register-blocked 4 rows × 8 columns (8 v128 accumulators).
 *
 * A is read one scalar at a time through two byte strides, so a transposed A (Wᵀ for dX)
 * costs no copy. B and C are row-major with byte row strides; no alignment is required.
 * Remainders: 4 columns, then single columns; rows left over go through the 1-row variant.
 */
export function f32_gemm_4x8__wasmsimd(
  m: i32, n: i32, k: i32,
  a: usize, aRowStride: usize, aColStride: usize,
  b: usize, bRowStride: usize,
  c: usize, cRowStride: usize,
  accumulate: bool,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = a + <usize>i * aRowStride;
    const a1 = a0 + aRowStride;
    const a2 = a1 + aRowStride;
    const a3 = a2 + aRowStride;
    const c0 = c + <usize>i * cRowStride;
    const c1 = c0 + cRowStride;
    const c2 = c1 + cRowStride;
    const c3 = c2 + cRowStride;
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      const jb = <usize>j << 2;
      let vacc0x0123 = f32x4.splat(0), vacc0x4567 = f32x4.splat(0);
      let vacc1x0123 = f32x4.splat(0), vacc1x4567 = f32x4.splat(0);
      let vacc2x0123 = f32x4.splat(0), vacc2x4567 = f32x4.splat(0);
      let vacc3x0123 = f32x4.splat(0), vacc3x4567 = f32x4.splat(0);
      if (accumulate) {
        vacc0x0123 = v128.load(c0 + jb); vacc0x4567 = v128.load(c0 + jb, 16);
        vacc1x0123 = v128.load(c1 + jb); vacc1x4567 = v128.load(c1 + jb, 16);
        vacc2x0123 = v128.load(c2 + jb); vacc2x4567 = v128.load(c2 + jb, 16);
        vacc3x0123 = v128.load(c3 + jb); vacc3x4567 = v128.load(c3 + jb, 16);
      }
      let pa0 = a0, pa1 = a1, pa2 = a2, pa3 = a3;
      let pb = b + jb;
      for (let p = 0; p < k; p++) {
        const vb0123 = v128.load(pb);
        const vb4567 = v128.load(pb, 16);
        const va0 = f32x4.splat(load<f32>(pa0));
        const va1 = f32x4.splat(load<f32>(pa1));
        const va2 = f32x4.splat(load<f32>(pa2));
        const va3 = f32x4.splat(load<f32>(pa3));
        vacc0x0123 = vmadd(va0, vb0123, vacc0x0123); vacc0x4567 = vmadd(va0, vb4567, vacc0x4567);
        vacc1x0123 = vmadd(va1, vb0123, vacc1x0123); vacc1x4567 = vmadd(va1, vb4567, vacc1x4567);
        vacc2x0123 = vmadd(va2, vb0123, vacc2x0123); vacc2x4567 = vmadd(va2, vb4567, vacc2x4567);
        vacc3x0123 = vmadd(va3, vb0123, vacc3x0123); vacc3x4567 = vmadd(va3, vb4567, vacc3x4567);
        pa0 += aColStride; pa1 += aColStride; pa2 += aColStride; pa3 += aColStride;
        pb += bRowStride;
      }
      v128.store(c0 + jb, vacc0x0123); v128.store(c0 + jb, vacc0x4567, 16);
      v128.store(c1 + jb, vacc1x0123); v128.store(c1 + jb, vacc1x4567, 16);
      v128.store(c2 + jb, vacc2x0123); v128.store(c2 + jb, vacc2x4567, 16);
      v128.store(c3 + jb, vacc3x0123); v128.store(c3 + jb, vacc3x4567, 16);
    }
    if (j + 4 <= n) {
      const jb = <usize>j << 2;
      let vacc0 = f32x4.splat(0), vacc1 = f32x4.splat(0);
      let vacc2 = f32x4.splat(0), vacc3 = f32x4.splat(0);
      if (accumulate) {
        vacc0 = v128.load(c0 + jb); vacc1 = v128.load(c1 + jb);
        vacc2 = v128.load(c2 + jb); vacc3 = v128.load(c3 + jb);
      }
      let pa0 = a0, pa1 = a1, pa2 = a2, pa3 = a3;
      let pb = b + jb;
      for (let p = 0; p < k; p++) {
        const vb = v128.load(pb);
        vacc0 = vmadd(f32x4.splat(load<f32>(pa0)), vb, vacc0);
        vacc1 = vmadd(f32x4.splat(load<f32>(pa1)), vb, vacc1);
        vacc2 = vmadd(f32x4.splat(load<f32>(pa2)), vb, vacc2);
        vacc3 = vmadd(f32x4.splat(load<f32>(pa3)), vb, vacc3);
        pa0 += aColStride; pa1 += aColStride; pa2 += aColStride; pa3 += aColStride;
        pb += bRowStride;
      }
      v128.store(c0 + jb, vacc0); v128.store(c1 + jb, vacc1);
      v128.store(c2 + jb, vacc2); v128.store(c3 + jb, vacc3);
      j += 4;
    }
    for (; j < n; j++) {
      const jb = <usize>j << 2;
      let acc0: f32 = 0, acc1: f32 = 0, acc2: f32 = 0, acc3: f32 = 0;
      if (accumulate) {
        acc0 = load<f32>(c0 + jb); acc1 = load<f32>(c1 + jb);
        acc2 = load<f32>(c2 + jb); acc3 = load<f32>(c3 + jb);
      }
      let pa0 = a0, pa1 = a1, pa2 = a2, pa3 = a3;
      let pb = b + jb;
      for (let p = 0; p < k; p++) {
        const vb = load<f32>(pb);
        acc0 += load<f32>(pa0) * vb; acc1 += load<f32>(pa1) * vb;
        acc2 += load<f32>(pa2) * vb; acc3 += load<f32>(pa3) * vb;
        pa0 += aColStride; pa1 += aColStride; pa2 += aColStride; pa3 += aColStride;
        pb += bRowStride;
      }
      store<f32>(c0 + jb, acc0); store<f32>(c1 + jb, acc1);
      store<f32>(c2 + jb, acc2); store<f32>(c3 + jb, acc3);
    }
  }
  for (; i < m; i++) {
    f32_gemm_1x8__wasmsimd(
      n, k, a + <usize>i * aRowStride, aColStride, b, bRowStride, c + <usize>i * cRowStride, accumulate,
    );
  }
}

/** One row of C: c[1×n] (= or +=) a[1×k] · B[k×n]; 8, then 4, then single columns. */
function f32_gemm_1x8__wasmsimd(
  n: i32, k: i32,
  a: usize, aColStride: usize,
  b: usize, bRowStride: usize,
  c: usize,
  accumulate: bool,
): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const jb = <usize>j << 2;
    let vacc0123 = f32x4.splat(0), vacc4567 = f32x4.splat(0);
    if (accumulate) { vacc0123 = v128.load(c + jb); vacc4567 = v128.load(c + jb, 16); }
    let pa = a;
    let pb = b + jb;
    for (let p = 0; p < k; p++) {
      const va = f32x4.splat(load<f32>(pa));
      vacc0123 = vmadd(va, v128.load(pb), vacc0123);
      vacc4567 = vmadd(va, v128.load(pb, 16), vacc4567);
      pa += aColStride;
      pb += bRowStride;
    }
    v128.store(c + jb, vacc0123);
    v128.store(c + jb, vacc4567, 16);
  }
  if (j + 4 <= n) {
    const jb = <usize>j << 2;
    let vacc = accumulate ? v128.load(c + jb) : f32x4.splat(0);
    let pa = a;
    let pb = b + jb;
    for (let p = 0; p < k; p++) {
      vacc = vmadd(f32x4.splat(load<f32>(pa)), v128.load(pb), vacc);
      pa += aColStride;
      pb += bRowStride;
    }
    v128.store(c + jb, vacc);
    j += 4;
  }
  for (; j < n; j++) {
    const jb = <usize>j << 2;
    let acc: f32 = accumulate ? load<f32>(c + jb) : 0;
    let pa = a;
    let pb = b + jb;
    for (let p = 0; p < k; p++) {
      acc += load<f32>(pa) * load<f32>(pb);
      pa += aColStride;
      pb += bRowStride;
    }
    store<f32>(c + jb, acc);
  }
}
