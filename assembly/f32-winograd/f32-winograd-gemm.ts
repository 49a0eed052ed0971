import { f32_gemm_ukernel_4x4__wasmsimd, f32_gemm_ukernel_4x8__wasmsimd, f32_gemm_ukernel_8x4__wasmsimd } from "../f32-gemm/f32-gemm-4x8-packed-wasmsimd";
import { f32_gemm_ukernel_4x8__scalar } from "../f32-gemm/f32-gemm-4x8-packed-scalar";
import { STREAM_IN_MAX_BYTES, streamIn } from "../stream-in";

/** Reduction chunk, as f32_gemm_packed's: a 4×KC block of U (8 KiB) and a KC×8 panel of V (16 KiB) stay in L1. */
const KC: i32 = 512;

/**
 * The Winograd GEMMs: for each of `count` points ξ, M[ξ][m×n] = U[ξ][m×k] · V[ξ][k×n] on the
 * packed 4×8 micro-kernel. U[ξ] is packed as f32_pack_a_x4 packs A (the filter transform
 * writes it so), V[ξ] as 8-column panels of k rows each (the input transform writes it so),
 * so nothing is packed here. M[ξ] is written whole 4-row × 8-column tiles at a time: its rows
 * (`mRowBytes` apart) hold n rounded up to 8 floats, and it has m rounded up to 4 rows; the
 * columns past n and the rows past m are junk the output transform does not read.
 * A last panel of at most 4 tiles runs the 4×4 kernel, or the 8×4 one on pairs of whole 4-row
 * blocks of U (ResNet-18's 7×7 layers at batch 1: 4 tiles against 512 channels, all U).
 * `accumulate`: M += instead of M = (the weight gradient sums over tile blocks and images).
 * `streamU`: U may be cold (beyond L2), so each U[ξ] that several panels read is first brought
 * in at memory bandwidth (stream-in.ts); the caller says so on a call's first block of tiles.
 */
export function f32_winograd_gemm(
  count: i32, m: i32, n: i32, k: i32,
  u: usize, uXiBytes: usize, v: usize, vXiBytes: usize, out: usize, mXiBytes: usize, mRowBytes: usize, accumulate: bool, streamU: bool,
): void {
  const aBlockBytes = <usize>k << 4;
  const panelBytes = <usize>k << 5;
  for (let xi = 0; xi < count; xi++) {
    const a = u + <usize>xi * uXiBytes;
    const b = v + <usize>xi * vXiBytes;
    const c = out + <usize>xi * mXiBytes;
    // wider than one narrow panel, the GEMM does many products per byte of U[ξ]: bring it in first
    const uBytes = <usize>((m + 3) >> 2) * aBlockBytes;
    if (streamU && n > 4 && uBytes <= STREAM_IN_MAX_BYTES) streamIn(a, uBytes);
    for (let k0 = 0; k0 < k; k0 += KC) {
      const kc = min(KC, k - k0);
      const add = accumulate || k0 > 0;
      for (let j = 0; j < n; j += 8) {
        const panel = b + <usize>(j >> 3) * panelBytes + (<usize>k0 << 5);
        const narrow = n - j <= 4;
        let pa = a + (<usize>k0 << 4);
        for (let i = 0; i < m; i += 4) {
          const ct = c + <usize>i * mRowBytes + (<usize>j << 2);
          if (ASC_FEATURE_SIMD && narrow && i + 8 <= m) {
            // two whole blocks of U against the narrow panel in one call (U read as vectors)
            f32_gemm_ukernel_8x4__wasmsimd(kc, pa, aBlockBytes, panel, ct, mRowBytes, add);
            pa += aBlockBytes;
            i += 4;
          } else if (ASC_FEATURE_SIMD) {
            if (narrow) f32_gemm_ukernel_4x4__wasmsimd(kc, pa, panel, ct, mRowBytes, add);
            else f32_gemm_ukernel_4x8__wasmsimd(kc, pa, panel, ct, mRowBytes, add);
          } else {
            f32_gemm_ukernel_4x8__scalar(kc, pa, panel, ct, mRowBytes, add);
          }
          pa += aBlockBytes;
        }
      }
    }
  }
}
