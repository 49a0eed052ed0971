/**
 * The weights of the transposed convolution that gives dX for stride 1:
 * out[g][c][o][t] = w[g][o][c][taps − 1 − t] for every group g, with w laid out
 * [groups·groupOut][groupIn][taps] and out [groups·groupIn][groupOut][taps].
 */
export function f32_flip_weights(w: usize, groups: i32, groupOut: i32, groupIn: i32, taps: i32, out: usize): void {
  const tapBytes = <usize>taps << 2;
  for (let g = 0; g < groups; g++) {
    for (let o = 0; o < groupOut; o++) {
      for (let c = 0; c < groupIn; c++) {
        const src = w + ((<usize>(g * groupOut + o) * groupIn + c) * tapBytes);
        const dst = out + ((<usize>(g * groupIn + c) * groupOut + o) * tapBytes) + tapBytes - 4;
        for (let t = 0; t < taps; t++) {
          store<f32>(dst - (<usize>t << 2), load<f32>(src + (<usize>t << 2)));
        }
      }
    }
  }
}
