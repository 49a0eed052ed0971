import { storeDyPoints } from "./f32-winograd-points-4-3-wasmsimd";

/**
 * The weight gradient's dY transform for F(4×4, 3×3), four output channels per vector: each 4×4
 * tile e of dY (from a copy zero-padded to whole tiles, planes `planeBytes` apart, rows
 * paddedW floats) goes to E[ξ][o][s] = (A e Aᵀ)[ξ], packed as f32_pack_a_x4 packs an O×count
 * matrix (blocks of 4 channels, the 4 channels' values side by side): the GEMM's A operand.
 * Slot s is image tile firstTile + s (row-major, tilesW wide). A last group of fewer than 4
 * channels repeats its last channel. `work` is 36 vectors of per-thread scratch.
 */
export function f32_winograd_dy_4x4_3x3__wasmsimd(
  dy: usize, channels: i32, planeBytes: usize, paddedW: i32,
  tilesW: i32, firstTile: i32, count: i32, e: usize, eXiBytes: usize, work: usize,
): void {
  const rowBytes = <usize>paddedW << 2;
  for (let s = 0; s < count; s++) {
    const t = firstTile + s;
    const ty = t / tilesW;
    const tx = t - ty * tilesW;
    const origin = <usize>(ty << 2) * rowBytes + (<usize>tx << 4);
    for (let o = 0; o < channels; o += 4) {
      let p0 = dy + <usize>o * planeBytes + origin;
      let p1 = dy + <usize>min(o + 1, channels - 1) * planeBytes + origin;
      let p2 = dy + <usize>min(o + 2, channels - 1) * planeBytes + origin;
      let p3 = dy + <usize>min(o + 3, channels - 1) * planeBytes + origin;
      // work[i][j] (6 vectors a row) = element (i, j) of the 4 channels' tiles
      for (let i: usize = 0; i < 4; i++) {
        const r0 = v128.load(p0), r1 = v128.load(p1), r2 = v128.load(p2), r3 = v128.load(p3);
        const r01lo = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), r23lo = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const r01hi = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), r23hi = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        const row = work + i * 96;
        v128.store(row, v128.shuffle<f32>(r01lo, r23lo, 0, 1, 4, 5));
        v128.store(row, v128.shuffle<f32>(r01lo, r23lo, 2, 3, 6, 7), 16);
        v128.store(row, v128.shuffle<f32>(r01hi, r23hi, 0, 1, 4, 5), 32);
        v128.store(row, v128.shuffle<f32>(r01hi, r23hi, 2, 3, 6, 7), 48);
        p0 += rowBytes; p1 += rowBytes; p2 += rowBytes; p3 += rowBytes;
      }
      // columns (A·e, 6×4), then rows of that (A·e·Aᵀ, 6×6) into E
      for (let j: usize = 0; j < 4; j++) transform4to6(work + (j << 4), 96, work + (j << 4), 96);
      const out = e + <usize>(o >> 2) * count * 16 + (<usize>s << 4);
      for (let a: usize = 0; a < 6; a++) transform4to6(work + a * 96, 16, out + a * 6 * eXiBytes, eXiBytes);
    }
  }
}

/**
 * A·e for four vectors read `inStride` bytes apart, six written `outStride` bytes apart (all
 * read first, so in place is fine):
 *   e0,  (e0 + e2) + (e1 + e3),  (e0 + e2) − (e1 + e3),  (e0 + 4e2) + 2(e1 + 4e3),  (e0 + 4e2) − 2(e1 + 4e3),  e3.
 */
@inline
function transform4to6(src: usize, inStride: usize, dst: usize, outStride: usize): void {
  const e0 = v128.load(src), e1 = v128.load(src + inStride), e2 = v128.load(src + 2 * inStride), e3 = v128.load(src + 3 * inStride);
  storeDyPoints(e0, e1, e2, e3, dst, outStride);
}
