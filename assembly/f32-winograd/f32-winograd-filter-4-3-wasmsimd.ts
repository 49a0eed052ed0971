import { storeFilterPoints } from "./f32-winograd-points-4-3-wasmsimd";

/**
 * Winograd F(4, 3) filter transform (1-D), four rows per vector: each 3-tap filter g (3
 * contiguous floats at w + r·rowStride + p·colStride; reversed when `flip`) of rows r < rows
 * and columns p < cols goes to U[ξ][r][p] = (G g)[ξ], ξ < 6, each U[ξ] a rows×cols matrix
 * packed as f32_pack_a_x4 packs it (blocks of 4 rows, the 4 rows' values side by side, rows
 * past `rows` zero), `uXiBytes` apart: the GEMM micro-kernel's A operand. As the 2-D
 * transform (f32-winograd-filter-4x4-3x3): the forward pass reads w[O][C][3] as it is, dX as
 * the transposed conv's reversed, channel-transposed filter, without a copy.
 */
export function f32_winograd_filter_4_3__wasmsimd(
  w: usize, rows: i32, cols: i32, rowStride: usize, colStride: usize, flip: bool, u: usize, uXiBytes: usize,
): void {
  const first: usize = flip ? 8 : 0, last: usize = flip ? 0 : 8;
  for (let r = 0; r < rows; r += 4) {
    const live = min(4, rows - r);
    const w0 = w + <usize>r * rowStride;
    let out = u + <usize>r * cols * 4;
    for (let c = 0; c < cols; c++) {
      const p = w0 + <usize>c * colStride;
      storeFilterPoints(tap(p + first, rowStride, live), tap(p + 4, rowStride, live), tap(p + last, rowStride, live), out, uXiBytes);
      out += 16;
    }
  }
}

/** One tap of the `live` (1–4) rows `rowStride` bytes apart, one row per lane (0 past `live`). */
@inline
function tap(p: usize, rowStride: usize, live: i32): v128 {
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, live > 1 ? load<f32>(p + rowStride) : 0);
  v = f32x4.replace_lane(v, 2, live > 2 ? load<f32>(p + 2 * rowStride) : 0);
  return f32x4.replace_lane(v, 3, live > 3 ? load<f32>(p + 3 * rowStride) : 0);
}

