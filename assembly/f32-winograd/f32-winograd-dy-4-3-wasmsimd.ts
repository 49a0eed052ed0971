import { storeDyPoints } from "./f32-winograd-points-4-3-wasmsimd";

/**
 * The weight gradient's dY transform for F(4, 3) (1-D), four output channels per vector: each
 * tile e of 4 outputs of dY (from a copy zero-padded to whole tiles, rows `planeBytes` apart)
 * goes to E[ξ][o][s] = (A e)[ξ], packed as f32_pack_a_x4 packs an O×count matrix (blocks of 4
 * channels, the 4 channels' values side by side): the GEMM's A operand. Slot s is tile
 * firstTile + s. A last group of fewer than 4 channels repeats its last channel.
 */
export function f32_winograd_dy_4_3__wasmsimd(
  dy: usize, channels: i32, planeBytes: usize, firstTile: i32, count: i32, e: usize, eXiBytes: usize,
): void {
  for (let s = 0; s < count; s++) {
    const origin = dy + (<usize>(firstTile + s) << 4);
    for (let o = 0; o < channels; o += 4) {
      const r0 = v128.load(origin + <usize>o * planeBytes);
      const r1 = v128.load(origin + <usize>min(o + 1, channels - 1) * planeBytes);
      const r2 = v128.load(origin + <usize>min(o + 2, channels - 1) * planeBytes);
      const r3 = v128.load(origin + <usize>min(o + 3, channels - 1) * planeBytes);
      // lane j of ek is output k of channel o + j's tile
      const r01lo = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), r23lo = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const r01hi = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), r23hi = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const e0 = v128.shuffle<f32>(r01lo, r23lo, 0, 1, 4, 5), e1 = v128.shuffle<f32>(r01lo, r23lo, 2, 3, 6, 7);
      const e2 = v128.shuffle<f32>(r01hi, r23hi, 0, 1, 4, 5), e3 = v128.shuffle<f32>(r01hi, r23hi, 2, 3, 6, 7);
      const out = e + <usize>(o >> 2) * count * 16 + (<usize>s << 4);
      storeDyPoints(e0, e1, e2, e3, out, eXiBytes); // A·e
    }
  }
}
