import { f32_gemm_ukernel_4x4__wasmsimd, f32_gemm_ukernel_4x8__wasmsimd, f32_gemm_ukernel_8x4__wasmsimd } from "./f32-gemm-4x8-packed-wasmsimd";
import { f32_gemm_ukernel_4x8__scalar } from "./f32-gemm-4x8-packed-scalar";
import { f32_pack_b_x8 } from "../f32-pack/f32-pack-b-x8";
import { f32_pack_im2col_x8, f32_pack_im2row_x8 } from "../f32-pack/f32-pack-im2col-x8";
import { L2_BYTES, STREAM_IN_MAX_BYTES, streamIn } from "../stream-in";

/** Reduction chunk: a 4×KC block of packed A (8 KiB) and a KC×8 panel of B (16 KiB) stay in L1. */
const KC: i32 = 512;

/** Bytes of work space the GEMM drivers need: one B panel and one staging tile. */
export const GEMM_WORK_BYTES: usize = <usize>KC * 32 + 128;

/** Where B's panels come from. */
const B_STRIDED = 0;
const B_IM2COL = 1;
const B_IM2ROW = 2;

/**
 * C[m×n] (= or +=) A[m×k] · B[k×n] with A already packed by f32_pack_a_x4 and B read through
 * two byte strides (a row-major matrix, or a transposed one such as Xᵀ).
 */
export function f32_gemm_packed(
  m: i32, n: i32, k: i32, aPacked: usize,
  b: usize, bRowStride: usize, bColStride: usize,
  c: usize, cRowStride: usize, accumulate: bool, work: usize,
): void {
  gemm(B_STRIDED, m, n, k, aPacked, b, bRowStride, bColStride, 0, 0, 0, c, cRowStride, accumulate, 0, work);
}

/**
 * C[m×n] = bias[m] (broadcast along rows; 0 = none) + A[m×k] · B[k×n]: f32_gemm_packed with the
 * bias starting each tile's sums, where filling C with it first would cost a pass over C (a
 * pointwise conv's output is often the largest tensor of its layer). The same sums, bit for bit.
 */
export function f32_gemm_packed_bias(
  m: i32, n: i32, k: i32, aPacked: usize,
  b: usize, bRowStride: usize, bColStride: usize,
  bias: usize, c: usize, cRowStride: usize, work: usize,
): void {
  gemm(B_STRIDED, m, n, k, aPacked, b, bRowStride, bColStride, 0, 0, 0, c, cRowStride, false, bias, work);
}

/**
 * The same product with B = col(X)[taps×positions] gathered panel by panel from a padded
 * image (f32_pad_image, f32_conv_tap_offsets): the forward pass without a column matrix.
 */
export function f32_gemm_im2col(
  m: i32, n: i32, k: i32, aPacked: usize,
  xPadded: usize, tapOffsets: usize, outW: i32, strideH: i32, strideW: i32, paddedW: i32,
  c: usize, cRowStride: usize, accumulate: bool, work: usize,
): void {
  gemm(B_IM2COL, m, n, k, aPacked, xPadded, tapOffsets, paddedW, outW, strideH, strideW, c, cRowStride, accumulate, 0, work);
}

/** The same product with B = row(X)[positions×taps]: the weight gradient without a row matrix. */
export function f32_gemm_im2row(
  m: i32, n: i32, k: i32, aPacked: usize,
  xPadded: usize, tapOffsets: usize, outW: i32, strideH: i32, strideW: i32, paddedW: i32,
  c: usize, cRowStride: usize, accumulate: bool, work: usize,
): void {
  gemm(B_IM2ROW, m, n, k, aPacked, xPadded, tapOffsets, paddedW, outW, strideH, strideW, c, cRowStride, accumulate, 0, work);
}

/**
 * A B at most this many 8-column panels wide, against a reduction longer than one chunk, is
 * packed whole per chunk (each panel KC / panels deep) and every 4-row block of A runs against
 * all of its panels in turn, so A is read once per chunk instead of once per panel. That pays
 * where B is narrow and A large: batch-1 outputs of 7×7 (n 49) against hundreds of channels,
 * whose A (W packed, megabytes) is read from beyond L2. Measured (simd, one thread, fastest of
 * 20; bit-identical: only the order of the tile calls and where the reduction is cut change,
 * and a cut stores C and reloads it exactly): m 512, n 49, k 2304 (ResNet-18's layer4.0.conv1)
 * 28.7 → 33.7 GFLOP/s; k 4608 (its 7×7 3×3 convs on the GEMM) 21 → 27; m 256, n 16, k 2304
 * 31.7 → 37; m 16–128, n 9–64 within ±3%. A reduction of one chunk keeps one panel per group:
 * there A's chunk is all of A, and cutting it shorter cost 2–9% (m 512, n 49, k 256: the 1×1/2
 * projection). So does a wider B: in groups of 8 the stem (m 64, n 12544, k 147) was 2% slower
 * and 784–196 columns were within the noise.
 */
const MAX_GROUPED_PANELS: i32 = 8;

/**
 * A C larger than L2 is not in cache when the tiles write (or, past the first reduction chunk,
 * add to) it: each 4×8 tile misses in 4 rows at once, a few misses in flight. So every chunk
 * brings the lines of the next STREAM_C_COLUMNS columns of every row in first, at memory
 * bandwidth (stream-in.ts); the tiles then find them in cache. ResNet-18's stem (C 64×12544, 3.2
 * MB), prepared, batch 1, after the model's other convs: 9.37 → 7.54 ms. Smaller outputs (its
 * stride-2 layers, 0.1–0.4 MB) were 1–5% slower with it, hence the threshold.
 */
const STREAM_C_COLUMNS: i32 = 128;

/** Panels packed side by side per reduction chunk. */
@inline
function panelsPerGroup(n: i32, k: i32): i32 {
  const panels = (n + 7) >> 3;
  return panels <= MAX_GROUPED_PANELS && k > KC ? panels : 1;
}

/**
 * Loop order (GotoBLAS): for each reduction chunk and each group of 8-column panels of B, pack
 * the group's panels side by side in the work space (kc rows each, kc·panels ≤ KC), then run
 * every 4-row block of A against each of them (one panel per group: A's chunk is read from L2
 * once per panel; grouped: B is one group, and A's chunk is read once). Edge tiles (m % 4,
 * n % 8) go through a 4×8 staging tile so the micro-kernel never needs a remainder path;
 * panels with at most 4 live columns use the 4×4 kernel, or with exactly 4 the 8×4 one on
 * pairs of whole blocks. A non-zero `bias` (m floats) starts the sums of the first chunk when
 * not accumulating.
 * `source` is a constant at each call site, so inlining leaves one packer per export.
 */
@inline
function gemm(
  source: i32, m: i32, n: i32, k: i32, aPacked: usize,
  b: usize, s1: usize, s2: usize, outW: i32, strideH: i32, strideW: i32,
  c: usize, cRowStride: usize, accumulate: bool, bias: usize, work: usize,
): void {
  const tile = work + (<usize>KC << 5);
  const aBlockBytes = <usize>k << 4;
  const group = panelsPerGroup(n, k);
  const kcMax = KC / group;
  // a C larger than L2 is written from memory: its lines come in ahead of the tiles (below)
  const streamC = <usize>m * n * 4 > L2_BYTES;
  for (let k0 = 0; k0 < k; k0 += kcMax) {
    const kc = min(kcMax, k - k0);
    const add = accumulate || k0 > 0;
    const panelBytes = <usize>kc << 5;
    // A's chunk, read against every panel, comes in at memory bandwidth first (stream-in.ts):
    // prepared, batch 1, after the rest of ResNet-18 ran, its layer4.0.conv1 (A 4.7 MB) took
    // 3.6 ms instead of 5.2, layer3.0.conv1 3.0 instead of 3.7
    if (n > 4 && <usize>m * kc * 4 <= STREAM_IN_MAX_BYTES) {
      for (let i = 0; i < m; i += 4) streamIn(aPacked + (<usize>k0 << 4) + <usize>(i >> 2) * aBlockBytes, <usize>kc << 4);
    }
    for (let j0 = 0; j0 < n; j0 += group << 3) {
      const groupEnd = min(n, j0 + (group << 3));
      if (streamC && (j0 & (STREAM_C_COLUMNS - 1)) == 0) {
        // the next STREAM_C_COLUMNS columns of every row of C, before the tiles write them
        const cols = min(STREAM_C_COLUMNS, n - j0);
        for (let i = 0; i < m; i++) streamIn(c + <usize>i * cRowStride + (<usize>j0 << 2), <usize>cols << 2);
      }
      let panel = work;
      for (let j = j0; j < groupEnd; j += 8) {
        const nc = min(8, n - j);
        if (source == B_STRIDED) f32_pack_b_x8(kc, nc, b + <usize>k0 * s1 + <usize>j * s2, s1, s2, panel);
        else if (source == B_IM2COL) f32_pack_im2col_x8(kc, k0, nc, j, b, s1, outW, strideH, strideW, <i32>s2, panel);
        else f32_pack_im2row_x8(kc, k0, nc, j, b, s1, outW, strideH, strideW, <i32>s2, panel);
        panel += panelBytes;
      }
      let pa = aPacked + (<usize>k0 << 4);
      for (let i = 0; i < m; i += 4) {
        const mr = min(4, m - i);
        panel = work;
        for (let j = j0; j < groupEnd; j += 8) {
          const nc = min(8, n - j);
          const ct = c + <usize>i * cRowStride + (<usize>j << 2);
          const rowBias = bias != 0 && !add ? bias + (<usize>i << 2) : 0;
          if (mr == 4 && nc == 8) {
            ukernel(kc, pa, panel, ct, cRowStride, add, rowBias);
          } else if (ASC_FEATURE_SIMD && nc == 4 && m - (i & ~7) >= 8 && rowBias == 0) {
            // blocks i & ~7 and the next, both whole: one 8×4 call at the first, none at the second
            if ((i & 4) == 0) f32_gemm_ukernel_8x4__wasmsimd(kc, pa, aBlockBytes, panel, ct, cRowStride, add);
          } else if (ASC_FEATURE_SIMD && mr == 4 && nc == 4) {
            ukernelNarrow(kc, pa, panel, ct, cRowStride, add, rowBias);
          } else {
            if (rowBias) stageBiasTile(rowBias, mr, nc, tile);
            else stageTile(ct, cRowStride, mr, nc, tile, add);
            if (nc <= 4) ukernelNarrow(kc, pa, panel, tile, 32, true);
            else ukernel(kc, pa, panel, tile, 32, true);
            unstageTile(tile, ct, cRowStride, mr, nc);
          }
          panel += panelBytes;
        }
        pa += aBlockBytes;
      }
    }
  }
}

@inline
function ukernel(kc: i32, a: usize, b: usize, c: usize, cRowStride: usize, accumulate: bool, bias: usize = 0): void {
  if (ASC_FEATURE_SIMD) f32_gemm_ukernel_4x8__wasmsimd(kc, a, b, c, cRowStride, accumulate, bias);
  else f32_gemm_ukernel_4x8__scalar(kc, a, b, c, cRowStride, accumulate, bias);
}

/** Panels with at most 4 live columns: the SIMD build's 4×4 kernel (the scalar one has no narrower twin). */
@inline
function ukernelNarrow(kc: i32, a: usize, b: usize, c: usize, cRowStride: usize, accumulate: bool, bias: usize = 0): void {
  if (ASC_FEATURE_SIMD) f32_gemm_ukernel_4x4__wasmsimd(kc, a, b, c, cRowStride, accumulate, bias);
  else f32_gemm_ukernel_4x8__scalar(kc, a, b, c, cRowStride, accumulate, bias);
}

/** The 4×8 tile gets C's valid mr×nc corner (or zeros), the rest zero. Plain loops: the tile is tiny. */
function stageTile(c: usize, cRowStride: usize, mr: i32, nc: i32, tile: usize, accumulate: bool): void {
  for (let i: usize = 0; i < 128; i += 4) store<f32>(tile + i, 0);
  if (!accumulate) return;
  for (let r = 0; r < mr; r++) {
    const src = c + <usize>r * cRowStride;
    const dst = tile + (<usize>r << 5);
    for (let j = 0; j < nc; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
  }
}

/** The 4×8 tile gets each of its mr rows' bias in the first nc columns, the rest zero (f32_gemm_packed_bias's edge tiles). */
function stageBiasTile(bias: usize, mr: i32, nc: i32, tile: usize): void {
  for (let i: usize = 0; i < 128; i += 4) store<f32>(tile + i, 0);
  for (let r = 0; r < mr; r++) {
    const value = load<f32>(bias + (<usize>r << 2));
    for (let j = 0; j < nc; j++) store<f32>(tile + (<usize>r << 5) + (<usize>j << 2), value);
  }
}

function unstageTile(tile: usize, c: usize, cRowStride: usize, mr: i32, nc: i32): void {
  for (let r = 0; r < mr; r++) {
    const src = tile + (<usize>r << 5);
    const dst = c + <usize>r * cRowStride;
    for (let j = 0; j < nc; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
  }
}
