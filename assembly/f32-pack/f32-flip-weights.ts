import { storeTransposed4x4 } from "./transpose-4x4";

/**
 * The weights of the transposed convolution that gives dX for stride 1:
 * out[g][c][o][t] = w[g][o][c][taps − 1 − t] for every group g, with w laid out
 * [groups·groupOut][groupIn][taps] and out [groups·groupIn][groupOut][taps].
 * Written in output order (reads stride through w). A pointwise conv's flip is a plain
 * transpose, done in 4×4 blocks on SIMD builds: element by element, S5's 256×256 took
 * ~150 µs, 4% of its whole dX.
 */
export function f32_flip_weights(w: usize, groups: i32, groupOut: i32, groupIn: i32, taps: i32, out: usize): void {
  const tapBytes = <usize>taps << 2;
  const oStride = <usize>groupIn * tapBytes;
  for (let g = 0; g < groups; g++) {
    const wg = w + <usize>g * groupOut * oStride;
    const outG = out + <usize>g * groupIn * groupOut * tapBytes;
    let c = 0;
    if (ASC_FEATURE_SIMD && taps == 1) c = transposeBlocks(wg, groupOut, groupIn, outG);
    for (; c < groupIn; c++) {
      let src = wg + <usize>c * tapBytes;
      let dst = outG + <usize>c * groupOut * tapBytes + tapBytes - 4;
      for (let o = 0; o < groupOut; o++) {
        for (let t = 0; t < taps; t++) store<f32>(dst - (<usize>t << 2), load<f32>(src + (<usize>t << 2)));
        src += oStride;
        dst += tapBytes;
      }
    }
  }
}

/**
 * out[c][o] = w[o][c] for the input channels of whole 4-wide blocks, in 4×4 blocks (with
 * scalar copies for the last groupOut % 4 output channels); returns the first channel left.
 */
@inline
function transposeBlocks(w: usize, groupOut: i32, groupIn: i32, out: usize): i32 {
  const wRow = <usize>groupIn << 2, outRow = <usize>groupOut << 2;
  const blocks = groupIn & ~3;
  for (let c = 0; c < blocks; c += 4) {
    const outC = out + <usize>c * outRow;
    let o = 0;
    for (; o + 4 <= groupOut; o += 4) {
      const src = w + <usize>o * wRow + (<usize>c << 2);
      storeTransposed4x4(outC + (<usize>o << 2), outRow,
        v128.load(src), v128.load(src + wRow), v128.load(src + 2 * wRow), v128.load(src + 3 * wRow));
    }
    for (; o < groupOut; o++) {
      for (let r = 0; r < 4; r++) store<f32>(outC + <usize>r * outRow + (<usize>o << 2), load<f32>(w + <usize>o * wRow + (<usize>(c + r) << 2)));
    }
  }
  return blocks;
}
