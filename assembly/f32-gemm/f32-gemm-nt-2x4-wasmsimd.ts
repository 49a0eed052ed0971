import { vmadd } from "../simd-madd";

/**
 * C[m×n] (= or +=) A[m×k] · B[n×k]ᵀ: both operands k-contiguous (rows with byte strides), as in
 * a fully connected layer's y = x · Wᵀ with W in PyTorch's [out, in] layout, so W is read in
 * place, never transposed. 2 rows of A × 4 rows of B per step: 8 v128 accumulators of 4
 * partial sums each, 6 loads per 8 multiply-adds; a 4-row block of B (4·k floats) stays in L1
 * while every row of A passes it, so B (the weights) streams from memory once. The partial
 * sums of each C element are added across lanes at the end; k % 4 leftovers run scalar.
 * Rows of C are 4 elements apart (row stride in bytes); a last row of A, and n % 4 columns,
 * run as 1×4 and 2×1 / 1×1 blocks.
 */
export function f32_gemm_nt_2x4__wasmsimd(
  m: i32, n: i32, k: i32,
  a: usize, aRowStride: usize,
  b: usize, bRowStride: usize,
  c: usize, cRowStride: usize,
  accumulate: bool,
): void {
  const kv = k & ~3;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const b0 = b + <usize>j * bRowStride;
    const b1 = b0 + bRowStride;
    const b2 = b1 + bRowStride;
    const b3 = b2 + bRowStride;
    let i = 0;
    for (; i + 2 <= m; i += 2) {
      const a0 = a + <usize>i * aRowStride;
      const a1 = a0 + aRowStride;
      let vacc0x0 = f32x4.splat(0), vacc0x1 = f32x4.splat(0), vacc0x2 = f32x4.splat(0), vacc0x3 = f32x4.splat(0);
      let vacc1x0 = f32x4.splat(0), vacc1x1 = f32x4.splat(0), vacc1x2 = f32x4.splat(0), vacc1x3 = f32x4.splat(0);
      for (let p = 0; p < kv; p += 4) {
        const o = <usize>p << 2;
        const va0 = v128.load(a0 + o);
        const va1 = v128.load(a1 + o);
        const vb0 = v128.load(b0 + o);
        vacc0x0 = vmadd(va0, vb0, vacc0x0); vacc1x0 = vmadd(va1, vb0, vacc1x0);
        const vb1 = v128.load(b1 + o);
        vacc0x1 = vmadd(va0, vb1, vacc0x1); vacc1x1 = vmadd(va1, vb1, vacc1x1);
        const vb2 = v128.load(b2 + o);
        vacc0x2 = vmadd(va0, vb2, vacc0x2); vacc1x2 = vmadd(va1, vb2, vacc1x2);
        const vb3 = v128.load(b3 + o);
        vacc0x3 = vmadd(va0, vb3, vacc0x3); vacc1x3 = vmadd(va1, vb3, vacc1x3);
      }
      let vc0 = sumLanes4(vacc0x0, vacc0x1, vacc0x2, vacc0x3);
      let vc1 = sumLanes4(vacc1x0, vacc1x1, vacc1x2, vacc1x3);
      vc0 = f32x4.add(vc0, tail4(a0, b0, b1, b2, b3, kv, k));
      vc1 = f32x4.add(vc1, tail4(a1, b0, b1, b2, b3, kv, k));
      const c0 = c + <usize>i * cRowStride + (<usize>j << 2);
      const c1 = c0 + cRowStride;
      if (accumulate) {
        vc0 = f32x4.add(v128.load(c0), vc0);
        vc1 = f32x4.add(v128.load(c1), vc1);
      }
      v128.store(c0, vc0);
      v128.store(c1, vc1);
    }
    if (i < m) {
      const a0 = a + <usize>i * aRowStride;
      let vacc0 = f32x4.splat(0), vacc1 = f32x4.splat(0), vacc2 = f32x4.splat(0), vacc3 = f32x4.splat(0);
      for (let p = 0; p < kv; p += 4) {
        const o = <usize>p << 2;
        const va = v128.load(a0 + o);
        vacc0 = vmadd(va, v128.load(b0 + o), vacc0);
        vacc1 = vmadd(va, v128.load(b1 + o), vacc1);
        vacc2 = vmadd(va, v128.load(b2 + o), vacc2);
        vacc3 = vmadd(va, v128.load(b3 + o), vacc3);
      }
      let vc = f32x4.add(sumLanes4(vacc0, vacc1, vacc2, vacc3), tail4(a0, b0, b1, b2, b3, kv, k));
      const c0 = c + <usize>i * cRowStride + (<usize>j << 2);
      if (accumulate) vc = f32x4.add(v128.load(c0), vc);
      v128.store(c0, vc);
    }
  }
  for (; j < n; j++) {
    const b0 = b + <usize>j * bRowStride;
    for (let i = 0; i < m; i++) {
      const a0 = a + <usize>i * aRowStride;
      let vacc = f32x4.splat(0);
      for (let p = 0; p < kv; p += 4) vacc = vmadd(v128.load(a0 + (<usize>p << 2)), v128.load(b0 + (<usize>p << 2)), vacc);
      let sum = f32x4.extract_lane(vacc, 0) + f32x4.extract_lane(vacc, 1) + (f32x4.extract_lane(vacc, 2) + f32x4.extract_lane(vacc, 3));
      for (let p = kv; p < k; p++) sum += load<f32>(a0 + (<usize>p << 2)) * load<f32>(b0 + (<usize>p << 2));
      const cij = c + <usize>i * cRowStride + (<usize>j << 2);
      store<f32>(cij, accumulate ? load<f32>(cij) + sum : sum);
    }
  }
}

/** [Σ lanes of v0, Σ v1, Σ v2, Σ v3] by two rounds of pairwise adds. */
@inline
function sumLanes4(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  // [v0.0+v0.2, v1.0+v1.2, v0.1+v0.3, v1.1+v1.3], and the same for v2, v3
  const v01 = f32x4.add(v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), v128.shuffle<f32>(v0, v1, 2, 6, 3, 7));
  const v23 = f32x4.add(v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), v128.shuffle<f32>(v2, v3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(v01, v23, 0, 1, 4, 5), v128.shuffle<f32>(v01, v23, 2, 3, 6, 7));
}

/** [Σ_p a[p]·b0[p], … b3] over p in [from, k) (the 0–3 products the vector loop left). */
@inline
function tail4(a: usize, b0: usize, b1: usize, b2: usize, b3: usize, from: i32, k: i32): v128 {
  let v = f32x4.splat(0);
  for (let p = from; p < k; p++) {
    const o = <usize>p << 2;
    const vb = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(b0 + o)), 1, load<f32>(b1 + o)), 2, load<f32>(b2 + o)), 3, load<f32>(b3 + o));
    v = vmadd(f32x4.splat(load<f32>(a + o)), vb, v);
  }
  return v;
}
