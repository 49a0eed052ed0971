import { storeInputPoints } from "./f32-winograd-points-4-3-wasmsimd";

/**
 * Winograd F(4, 3) input transform (1-D), four consecutive tiles per vector: for each channel
 * c and tile slot s in [0, count), the 6-wide window d at the tile's origin in the padded row
 * (tile t starts at float 4·t) goes to V[ξ][s/8][c][s%8] = (Bᵀ d)[ξ], ξ < 6: 6 packed B panels
 * (8 tiles wide, one per ξ, `vXiBytes` apart) that the GEMM micro-kernel reads as they are.
 * Slot s is tile firstTile + s. Four tiles' windows are 18 consecutive floats: five loads and a
 * 4×4 transpose give all six window vectors. A last group of fewer than 4 tiles fills the spare
 * slots from the tiles after it (junk columns the output transform skips), so each row must
 * hold 4·(firstTile + count rounded up to 4) + 4 floats.
 */
export function f32_winograd_input_4_3__wasmsimd(
  padded: usize, channels: i32, planeBytes: usize, firstTile: i32, count: i32, v: usize, vXiBytes: usize,
): void {
  const panelBytes = <usize>channels << 5;
  for (let s = 0; s < count; s += 4) {
    let src = padded + (<usize>(firstTile + s) << 4);
    let out = v + <usize>(s >> 3) * panelBytes + (<usize>(s & 7) << 2);
    for (let c = 0; c < channels; c++) {
      const a = v128.load(src), b = v128.load(src, 16), cc = v128.load(src, 32), d = v128.load(src, 48), e = v128.load(src, 64);
      // lane j of dk is float k of tile j's window
      const ab01 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), cd01 = v128.shuffle<f32>(cc, d, 0, 4, 1, 5);
      const ab23 = v128.shuffle<f32>(a, b, 2, 6, 3, 7), cd23 = v128.shuffle<f32>(cc, d, 2, 6, 3, 7);
      const d0 = v128.shuffle<f32>(ab01, cd01, 0, 1, 4, 5), d1 = v128.shuffle<f32>(ab01, cd01, 2, 3, 6, 7);
      const d2 = v128.shuffle<f32>(ab23, cd23, 0, 1, 4, 5), d3 = v128.shuffle<f32>(ab23, cd23, 2, 3, 6, 7);
      // floats 4 and 5 of a window are floats 0 and 1 of the next tile's
      const d4 = v128.shuffle<f32>(d0, e, 1, 2, 3, 4), d5 = v128.shuffle<f32>(d1, e, 1, 2, 3, 5);
      storeInputPoints(d0, d1, d2, d3, d4, d5, out, vXiBytes);
      src += planeBytes;
      out += 32;
    }
  }
}

/**
 * The same transform laid out for the weight gradient's GEMMs, four channels per vector: V[ξ]
 * as B panels of 8 channels over the block's `count` tiles, V[ξ][c/8][s][c%8] (panels
 * count·32 bytes apart). A last group of fewer than 4 channels repeats its last channel.
 * Reads 2 floats past each window (the padded copy's slack covers the last).
 */
export function f32_winograd_input_by_channel_4_3__wasmsimd(
  padded: usize, channels: i32, planeBytes: usize, firstTile: i32, count: i32, v: usize, vXiBytes: usize,
): void {
  const panelBytes = <usize>count << 5;
  for (let s = 0; s < count; s++) {
    const origin = padded + (<usize>(firstTile + s) << 4);
    for (let c = 0; c < channels; c += 4) {
      const p0 = origin + <usize>c * planeBytes;
      const p1 = origin + <usize>min(c + 1, channels - 1) * planeBytes;
      const p2 = origin + <usize>min(c + 2, channels - 1) * planeBytes;
      const p3 = origin + <usize>min(c + 3, channels - 1) * planeBytes;
      const lo0 = v128.load(p0), lo1 = v128.load(p1), lo2 = v128.load(p2), lo3 = v128.load(p3);
      const hi0 = v128.load(p0, 16), hi1 = v128.load(p1, 16), hi2 = v128.load(p2, 16), hi3 = v128.load(p3, 16);
      // lane j of dk is float k of channel c + j's window
      const lo01a = v128.shuffle<f32>(lo0, lo1, 0, 4, 1, 5), lo23a = v128.shuffle<f32>(lo2, lo3, 0, 4, 1, 5);
      const lo01b = v128.shuffle<f32>(lo0, lo1, 2, 6, 3, 7), lo23b = v128.shuffle<f32>(lo2, lo3, 2, 6, 3, 7);
      const hi01 = v128.shuffle<f32>(hi0, hi1, 0, 4, 1, 5), hi23 = v128.shuffle<f32>(hi2, hi3, 0, 4, 1, 5);
      const out = v + <usize>(c >> 3) * panelBytes + (<usize>s << 5) + (<usize>(c & 7) << 2);
      storeInputPoints(
        v128.shuffle<f32>(lo01a, lo23a, 0, 1, 4, 5), v128.shuffle<f32>(lo01a, lo23a, 2, 3, 6, 7),
        v128.shuffle<f32>(lo01b, lo23b, 0, 1, 4, 5), v128.shuffle<f32>(lo01b, lo23b, 2, 3, 6, 7),
        v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5), v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7),
        out, vXiBytes,
      );
    }
  }
}

