/** Scalar twin of f32_winograd_filter_4_3__wasmsimd, same layout and contract, one filter at a time. */
export function f32_winograd_filter_4_3__scalar(
  w: usize, rows: i32, cols: i32, rowStride: usize, colStride: usize, flip: bool, u: usize, uXiBytes: usize,
): void {
  const first: usize = flip ? 8 : 0, last: usize = flip ? 0 : 8;
  const blocks = (rows + 3) >> 2;
  for (let b = 0; b < blocks; b++) {
    for (let lane = 0; lane < 4; lane++) {
      const r = (b << 2) + lane;
      let out = u + <usize>b * cols * 16 + (<usize>lane << 2);
      for (let c = 0; c < cols; c++) {
        if (r < rows) {
          const p = w + <usize>r * rowStride + <usize>c * colStride;
          transform3(load<f32>(p + first), load<f32>(p + 4), load<f32>(p + last), out, uXiBytes);
        } else {
          for (let xi: usize = 0; xi < 6; xi++) store<f32>(out + xi * uXiBytes, 0);
        }
        out += 16;
      }
    }
  }
}

/** G·g for three floats (see the SIMD twin). */
@inline
function transform3(g0: f32, g1: f32, g2: f32, dst: usize, outStride: usize): void {
  const s = g0 + g2;
  const t = g0 * <f32>(1.0 / 24.0) + g2 * <f32>(1.0 / 6.0);
  const g1Twelfth = g1 * <f32>(1.0 / 12.0);
  store<f32>(dst, g0 * 0.25);
  store<f32>(dst + outStride, (s + g1) * <f32>(-1.0 / 6.0));
  store<f32>(dst + 2 * outStride, (s - g1) * <f32>(-1.0 / 6.0));
  store<f32>(dst + 3 * outStride, t + g1Twelfth);
  store<f32>(dst + 4 * outStride, t - g1Twelfth);
  store<f32>(dst + 5 * outStride, g2);
}
