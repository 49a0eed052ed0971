import { f32_gemm_ukernel_4x8__wasmsimd } from "./f32-gemm-4x8-packed-wasmsimd";
import { f32_gemm_ukernel_4x8__scalar } from "./f32-gemm-4x8-packed-scalar";
import { f32_pack_b_x8 } from "../f32-pack/f32-pack-b-x8";

/** Reduction chunk: a 4×KC block of packed A (8 KiB) and a KC×8 panel of B (16 KiB) stay in L1. */
const KC: i32 = 512;

/** Bytes of work space f32_gemm_packed needs: one B panel and one staging tile. */
export const GEMM_WORK_BYTES: usize = <usize>KC * 32 + 128;

/**
 * C[m×n] (= or +=) A[m×k] · B[k×n] with A already packed by f32_pack_a_x4 and B read through
 * two byte strides (so im2row, a transposed X or dY all serve as B without a copy).
 *
 * Loop order (GotoBLAS): for each KC chunk of the reduction, for each 8-column panel of B,
 * pack the panel once, then run every 4-row block of A against it. Edge tiles (m % 4, n % 8)
 * go through a 4×8 staging tile so the micro-kernel never needs a remainder path.
 */
export function f32_gemm_packed(
  m: i32, n: i32, k: i32,
  aPacked: usize,
  b: usize, bRowStride: usize, bColStride: usize,
  c: usize, cRowStride: usize,
  accumulate: bool,
  work: usize,
): void {
  const panel = work;
  const tile = work + (<usize>KC << 5);
  const aBlockBytes = <usize>k << 4;
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = min(KC, k - k0);
    const add = accumulate || k0 > 0;
    for (let j = 0; j < n; j += 8) {
      const nc = min(8, n - j);
      f32_pack_b_x8(kc, nc, b + <usize>k0 * bRowStride + <usize>j * bColStride, bRowStride, bColStride, panel);
      let pa = aPacked + (<usize>k0 << 4);
      for (let i = 0; i < m; i += 4) {
        const mr = min(4, m - i);
        const ct = c + <usize>i * cRowStride + (<usize>j << 2);
        if (mr == 4 && nc == 8) {
          ukernel(kc, pa, panel, ct, cRowStride, add);
        } else {
          stageTile(ct, cRowStride, mr, nc, tile, add);
          ukernel(kc, pa, panel, tile, 32, true);
          unstageTile(tile, ct, cRowStride, mr, nc);
        }
        pa += aBlockBytes;
      }
    }
  }
}

@inline
function ukernel(kc: i32, a: usize, b: usize, c: usize, cRowStride: usize, accumulate: bool): void {
  if (ASC_FEATURE_SIMD) f32_gemm_ukernel_4x8__wasmsimd(kc, a, b, c, cRowStride, accumulate);
  else f32_gemm_ukernel_4x8__scalar(kc, a, b, c, cRowStride, accumulate);
}

/** The 4×8 tile gets C's valid mr×nc corner (or zeros), the rest zero. */
function stageTile(c: usize, cRowStride: usize, mr: i32, nc: i32, tile: usize, accumulate: bool): void {
  memory.fill(tile, 0, 128);
  if (!accumulate) return;
  for (let r = 0; r < mr; r++) memory.copy(tile + (<usize>r << 5), c + <usize>r * cRowStride, <usize>nc << 2);
}

function unstageTile(tile: usize, c: usize, cRowStride: usize, mr: i32, nc: i32): void {
  for (let r = 0; r < mr; r++) memory.copy(c + <usize>r * cRowStride, tile + (<usize>r << 5), <usize>nc << 2);
}
