import { storeInputPoints } from "./f32-winograd-points-4-3-wasmsimd";

/**
 * Winograd F(4×4, 3×3) input transform, four tiles per vector: for each channel c and each
 * tile slot s in [0, count), the 6×6 window d at the tile's origin in the padded image goes to
 * V[ξ][s/8][c][s%8] = (Bᵀ d B)[ξ], ξ = 6·row + column: 36 packed B panels (8 tiles wide, one
 * per ξ, `vXiBytes` apart) that the GEMM micro-kernel reads as they are. Tile slot s is image
 * tile firstTile + s, row-major over a grid tilesW wide; tile (ty, tx) starts at padded
 * (4·ty, 4·tx). A last group of fewer than 4 tiles repeats its last tile in the spare lanes.
 * Reads 2 floats past each window row (the padded copy's slack covers the last).
 * `work` is 36 vectors of per-thread scratch.
 */
export function f32_winograd_input_4x4_3x3__wasmsimd(
  padded: usize, channels: i32, planeBytes: usize, paddedW: i32,
  tilesW: i32, firstTile: i32, count: i32, v: usize, vXiBytes: usize, work: usize,
): void {
  const rowBytes = <usize>paddedW << 2;
  const panelBytes = <usize>channels << 5;
  for (let s = 0; s < count; s += 4) {
    const o0 = tileOrigin(firstTile + s, tilesW, rowBytes);
    const o1 = tileOrigin(firstTile + min(s + 1, count - 1), tilesW, rowBytes);
    const o2 = tileOrigin(firstTile + min(s + 2, count - 1), tilesW, rowBytes);
    const o3 = tileOrigin(firstTile + min(s + 3, count - 1), tilesW, rowBytes);
    let out = v + <usize>(s >> 3) * panelBytes + (<usize>(s & 7) << 2);
    let plane = padded;
    for (let c = 0; c < channels; c++) {
      gatherWindows(plane + o0, plane + o1, plane + o2, plane + o3, rowBytes, work);
      for (let j: usize = 0; j < 6; j++) transform6(work + (j << 4), 96, work + (j << 4), 96);
      for (let i: usize = 0; i < 6; i++) transform6(work + i * 96, 16, out + i * 6 * vXiBytes, vXiBytes);
      plane += planeBytes;
      out += 32;
    }
  }
}

/**
 * The same transform laid out for the weight gradient's GEMMs, four channels per vector: V[ξ]
 * as B panels of 8 channels over the block's `count` tiles, V[ξ][c/8][s][c%8] (panels
 * count·32 bytes apart). A last group of fewer than 4 channels repeats its last channel.
 */
export function f32_winograd_input_by_channel_4x4_3x3__wasmsimd(
  padded: usize, channels: i32, planeBytes: usize, paddedW: i32,
  tilesW: i32, firstTile: i32, count: i32, v: usize, vXiBytes: usize, work: usize,
): void {
  const rowBytes = <usize>paddedW << 2;
  const panelBytes = <usize>count << 5;
  for (let s = 0; s < count; s++) {
    const origin = tileOrigin(firstTile + s, tilesW, rowBytes);
    for (let c = 0; c < channels; c += 4) {
      const p0 = padded + <usize>c * planeBytes + origin;
      const p1 = padded + <usize>min(c + 1, channels - 1) * planeBytes + origin;
      const p2 = padded + <usize>min(c + 2, channels - 1) * planeBytes + origin;
      const p3 = padded + <usize>min(c + 3, channels - 1) * planeBytes + origin;
      const out = v + <usize>(c >> 3) * panelBytes + (<usize>s << 5) + (<usize>(c & 7) << 2);
      gatherWindows(p0, p1, p2, p3, rowBytes, work);
      for (let j: usize = 0; j < 6; j++) transform6(work + (j << 4), 96, work + (j << 4), 96);
      for (let i: usize = 0; i < 6; i++) transform6(work + i * 96, 16, out + i * 6 * vXiBytes, vXiBytes);
    }
  }
}

/** Byte offset of image tile t's window in a padded plane. */
@inline
function tileOrigin(t: i32, tilesW: i32, rowBytes: usize): usize {
  const ty = t / tilesW;
  const tx = t - ty * tilesW;
  return <usize>(ty << 2) * rowBytes + (<usize>tx << 4);
}

/** work[r][k] = element (r, k) of the four windows, one tile per lane: each row a 4×4 transpose plus lanes 4 and 5. */
@inline
function gatherWindows(p0: usize, p1: usize, p2: usize, p3: usize, rowBytes: usize, work: usize): void {
  for (let r = 0; r < 6; r++) {
    const lo0 = v128.load(p0), lo1 = v128.load(p1), lo2 = v128.load(p2), lo3 = v128.load(p3);
    const hi0 = v128.load(p0, 16), hi1 = v128.load(p1, 16), hi2 = v128.load(p2, 16), hi3 = v128.load(p3, 16);
    const lo01a = v128.shuffle<f32>(lo0, lo1, 0, 4, 1, 5), lo23a = v128.shuffle<f32>(lo2, lo3, 0, 4, 1, 5);
    const lo01b = v128.shuffle<f32>(lo0, lo1, 2, 6, 3, 7), lo23b = v128.shuffle<f32>(lo2, lo3, 2, 6, 3, 7);
    const hi01 = v128.shuffle<f32>(hi0, hi1, 0, 4, 1, 5), hi23 = v128.shuffle<f32>(hi2, hi3, 0, 4, 1, 5);
    v128.store(work, v128.shuffle<f32>(lo01a, lo23a, 0, 1, 4, 5));
    v128.store(work, v128.shuffle<f32>(lo01a, lo23a, 2, 3, 6, 7), 16);
    v128.store(work, v128.shuffle<f32>(lo01b, lo23b, 0, 1, 4, 5), 32);
    v128.store(work, v128.shuffle<f32>(lo01b, lo23b, 2, 3, 6, 7), 48);
    v128.store(work, v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5), 64);
    v128.store(work, v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7), 80);
    p0 += rowBytes; p1 += rowBytes; p2 += rowBytes; p3 += rowBytes;
    work += 96;
  }
}

/**
 * Bᵀ·d for six vectors d0..d5 read `inStride` bytes apart, written `outStride` bytes apart
 * (all read before any is written, so in place is fine):
 *   4d0 − 5d2 + d4,  (d3 + d4) − 4(d1 + d2),  (d4 − d3) + 4(d1 − d2),
 *   (d4 − d2) + 2(d3 − d1),  (d4 − d2) − 2(d3 − d1),  4d1 − 5d3 + d5.
 */
@inline
function transform6(src: usize, inStride: usize, dst: usize, outStride: usize): void {
  const d0 = v128.load(src), d1 = v128.load(src + inStride), d2 = v128.load(src + 2 * inStride);
  const d3 = v128.load(src + 3 * inStride), d4 = v128.load(src + 4 * inStride), d5 = v128.load(src + 5 * inStride);
  storeInputPoints(d0, d1, d2, d3, d4, d5, dst, outStride);
}
