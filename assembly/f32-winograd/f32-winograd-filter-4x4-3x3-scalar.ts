import { storeFilterPoints } from "./f32-winograd-points-4-3-scalar";

/**
 * Scalar twin of f32_winograd_filter_4x4_3x3__wasmsimd, same layout and contract, one filter
 * at a time. `work` is 27 floats of per-thread scratch.
 */
export function f32_winograd_filter_4x4_3x3__scalar(
  w: usize, rows: i32, cols: i32, rowStride: usize, colStride: usize, flip: bool, u: usize, uXiBytes: usize, work: usize,
): void {
  const g = work, gg = work + 36;
  const blocks = (rows + 3) >> 2;
  for (let b = 0; b < blocks; b++) {
    for (let lane = 0; lane < 4; lane++) {
      const r = (b << 2) + lane;
      let out = u + <usize>b * cols * 16 + (<usize>lane << 2);
      for (let c = 0; c < cols; c++) {
        if (r < rows) {
          const p = w + <usize>r * rowStride + <usize>c * colStride;
          for (let t: usize = 0; t < 9; t++) store<f32>(g + (t << 2), load<f32>(p + ((flip ? 8 - t : t) << 2)));
          for (let k: usize = 0; k < 3; k++) transform3(g + (k << 2), 12, gg + (k << 2), 12);
          for (let i: usize = 0; i < 6; i++) transform3(gg + i * 12, 4, out + i * 6 * uXiBytes, uXiBytes);
        } else {
          for (let xi: usize = 0; xi < 36; xi++) store<f32>(out + xi * uXiBytes, 0);
        }
        out += 16;
      }
    }
  }
}

/** G·g for three floats read `inStride` bytes apart. */
@inline
function transform3(src: usize, inStride: usize, dst: usize, outStride: usize): void {
  storeFilterPoints(load<f32>(src), load<f32>(src + inStride), load<f32>(src + 2 * inStride), dst, outStride);
}
