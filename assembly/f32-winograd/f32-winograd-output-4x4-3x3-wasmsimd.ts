import { vmadd } from "../simd-madd";

/**
 * Winograd F(4×4, 3×3) output transform with bias and clamp, four tiles per vector: for each
 * output channel o and tile slot s in [0, count), the tile's 6×6 products m[ξ] = M[ξ][o][s]
 * (O×tiles matrices `mXiBytes` apart, rows `mRowBytes` apart, as the GEMM left them) become
 * the 4×4 output tile min(max(Aᵀ m A + bias[o], lo), hi) (bias 0: none; lo = −∞, hi = +∞: no
 * clamp, ReLU is [0, +∞]: the fused activation), written into y[O][outH][outW] where it lies
 * inside outH×outW. Slot s is image tile firstTile + s (row-major, tilesW wide), tile (ty, tx)
 * covering rows 4·ty.. and columns 4·tx... `work` is 36 vectors of per-thread scratch.
 */
export function f32_winograd_output_4x4_3x3__wasmsimd(
  m: usize, mXiBytes: usize, mRowBytes: usize, outChannels: i32,
  tilesW: i32, firstTile: i32, count: i32, bias: usize, lo: f32, hi: f32, y: usize, outH: i32, outW: i32, work: usize,
): void {
  const planeBytes = <usize>outH * outW << 2;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  // Wasm's NaN-exact f32x4.min/max are several x86 instructions each: without an activation
  // (lo −∞, hi +∞) they would only cost time (16–32-channel convs ran 12–19% slower with them)
  const clamping = lo > -Infinity || hi < Infinity;
  for (let s = 0; s < count; s += 4) {
    const live = min(4, count - s);
    let src = m + (<usize>s << 2);
    let plane = y;
    for (let o = 0; o < outChannels; o++) {
      // columns of m (Aᵀ·m, 4×6), then rows of that (Aᵀ·m·A, 4×4), in place in work
      for (let j: usize = 0; j < 6; j++) transform6to4(src + j * mXiBytes, 6 * mXiBytes, work + (j << 4), 96);
      for (let i: usize = 0; i < 4; i++) transform6to4(work + i * 96, 16, work + i * 96, 16);
      const b = bias ? f32x4.splat(load<f32>(bias + (<usize>o << 2))) : f32x4.splat(0);
      for (let i = 0; i < 4; i++) {
        const row = work + <usize>i * 96;
        // lane k of vector j is element (i, j) of tile k: transpose to one tile's row per vector
        let r0 = f32x4.add(v128.load(row), b), r1 = f32x4.add(v128.load(row, 16), b);
        let r2 = f32x4.add(v128.load(row, 32), b), r3 = f32x4.add(v128.load(row, 48), b);
        if (clamping) {
          r0 = clamp(r0, vlo, vhi); r1 = clamp(r1, vlo, vhi);
          r2 = clamp(r2, vlo, vhi); r3 = clamp(r3, vlo, vhi);
        }
        const r01lo = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), r23lo = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const r01hi = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), r23hi = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        storeTileRow(plane, firstTile + s, tilesW, i, outH, outW, v128.shuffle<f32>(r01lo, r23lo, 0, 1, 4, 5));
        if (live > 1) storeTileRow(plane, firstTile + s + 1, tilesW, i, outH, outW, v128.shuffle<f32>(r01lo, r23lo, 2, 3, 6, 7));
        if (live > 2) storeTileRow(plane, firstTile + s + 2, tilesW, i, outH, outW, v128.shuffle<f32>(r01hi, r23hi, 0, 1, 4, 5));
        if (live > 3) storeTileRow(plane, firstTile + s + 3, tilesW, i, outH, outW, v128.shuffle<f32>(r01hi, r23hi, 2, 3, 6, 7));
      }
      src += mRowBytes;
      plane += planeBytes;
    }
  }
}

/** min(max(v, lo), hi) lane by lane, as f32_clip (NaN stays NaN; with hi = +∞, f32_relu). */
@inline
function clamp(v: v128, lo: v128, hi: v128): v128 {
  return f32x4.min(f32x4.max(v, lo), hi);
}

/** Row i of image tile t into its plane, clipped to outH×outW. */
@inline
function storeTileRow(plane: usize, t: i32, tilesW: i32, i: i32, outH: i32, outW: i32, row: v128): void {
  const ty = t / tilesW;
  const tx = t - ty * tilesW;
  const yy = (ty << 2) + i;
  if (yy >= outH) return;
  const x = tx << 2;
  const at = plane + ((<usize>yy * outW + x) << 2);
  if (x + 4 <= outW) {
    v128.store(at, row);
    return;
  }
  const left = outW - x;
  store<f32>(at, f32x4.extract_lane(row, 0));
  if (left > 1) store<f32>(at, f32x4.extract_lane(row, 1), 4);
  if (left > 2) store<f32>(at, f32x4.extract_lane(row, 2), 8);
}

/**
 * Aᵀ·m for six vectors read `inStride` bytes apart, four written `outStride` bytes apart (all
 * read first, so in place is fine):
 *   m0 + (m1 + m2) + (m3 + m4),  (m1 − m2) + 2(m3 − m4),  (m1 + m2) + 4(m3 + m4),  (m1 − m2) + 8(m3 − m4) + m5.
 */
@inline
function transform6to4(src: usize, inStride: usize, dst: usize, outStride: usize): void {
  const m0 = v128.load(src), m1 = v128.load(src + inStride), m2 = v128.load(src + 2 * inStride);
  const m3 = v128.load(src + 3 * inStride), m4 = v128.load(src + 4 * inStride), m5 = v128.load(src + 5 * inStride);
  const p12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2);
  const p34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
  v128.store(dst, f32x4.add(f32x4.add(m0, p12), p34));
  v128.store(dst + outStride, vmadd(f32x4.splat(2), d34, d12));
  v128.store(dst + 2 * outStride, vmadd(f32x4.splat(4), p34, p12));
  v128.store(dst + 3 * outStride, vmadd(f32x4.splat(8), d34, f32x4.add(d12, m5)));
}
