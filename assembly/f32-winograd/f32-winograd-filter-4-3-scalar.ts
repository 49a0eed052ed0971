import { storeFilterPoints } from "./f32-winograd-points-4-3-scalar";

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
          storeFilterPoints(load<f32>(p + first), load<f32>(p + 4), load<f32>(p + last), out, uXiBytes);
        } else {
          for (let xi: usize = 0; xi < 6; xi++) store<f32>(out + xi * uXiBytes, 0);
        }
        out += 16;
      }
    }
  }
}

