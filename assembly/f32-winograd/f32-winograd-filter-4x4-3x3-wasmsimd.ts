import { storeTransposed4x4 } from "../f32-pack/transpose-4x4";

/**
 * Winograd F(4×4, 3×3) filter transform, four rows per vector: each 3×3 filter g (9 contiguous
 * floats at w + r·rowStride + p·colStride; rotated by 180° when `flip`) of rows r < rows and
 * columns p < cols goes to U[ξ][r][p] = (G g Gᵀ)[ξ], ξ = 6·row + column, each U[ξ] a rows×cols
 * matrix packed as f32_pack_a_x4 packs it (blocks of 4 rows, the 4 rows' values side by side,
 * rows past `rows` zero), `uXiBytes` apart: the GEMM micro-kernel's A operand. The forward
 * pass reads w[O][C][3][3] as it is (rows O); dX reads it as the transposed conv's flipped,
 * channel-transposed filter (rows C, columns O, flipped), so it needs no copy of it.
 * `work` is 36 vectors of per-thread scratch.
 */
export function f32_winograd_filter_4x4_3x3__wasmsimd(
  w: usize, rows: i32, cols: i32, rowStride: usize, colStride: usize, flip: bool, u: usize, uXiBytes: usize, work: usize,
): void {
  const g = work, gg = work + 144;
  for (let r = 0; r < rows; r += 4) {
    const live = min(4, rows - r);
    const w0 = w + <usize>r * rowStride;
    let out = u + <usize>r * cols * 4;
    for (let c = 0; c < cols; c++) {
      const p = w0 + <usize>c * colStride;
      // g[tap] = the 4 rows' tap, one row per lane
      const r0 = v128.load(p);
      const r1 = live > 1 ? v128.load(p + rowStride) : f32x4.splat(0);
      const r2 = live > 2 ? v128.load(p + 2 * rowStride) : f32x4.splat(0);
      const r3 = live > 3 ? v128.load(p + 3 * rowStride) : f32x4.splat(0);
      storeTransposed4x4(g, 16, r0, r1, r2, r3);
      const s0 = v128.load(p, 16);
      const s1 = live > 1 ? v128.load(p + rowStride, 16) : f32x4.splat(0);
      const s2 = live > 2 ? v128.load(p + 2 * rowStride, 16) : f32x4.splat(0);
      const s3 = live > 3 ? v128.load(p + 3 * rowStride, 16) : f32x4.splat(0);
      storeTransposed4x4(g + 64, 16, s0, s1, s2, s3);
      let last = f32x4.splat(load<f32>(p, 32));
      last = f32x4.replace_lane(last, 1, live > 1 ? load<f32>(p + rowStride, 32) : 0);
      last = f32x4.replace_lane(last, 2, live > 2 ? load<f32>(p + 2 * rowStride, 32) : 0);
      last = f32x4.replace_lane(last, 3, live > 3 ? load<f32>(p + 3 * rowStride, 32) : 0);
      v128.store(g, last, 128);
      if (flip) {
        // tap t ↔ tap 8 − t
        for (let t: usize = 0; t < 4; t++) {
          const a = v128.load(g + (t << 4)), b = v128.load(g + ((8 - t) << 4));
          v128.store(g + (t << 4), b);
          v128.store(g + ((8 - t) << 4), a);
        }
      }
      // columns of g (G·g, 6×3), then rows of that (G·g·Gᵀ, 6×6)
      for (let k: usize = 0; k < 3; k++) transform3(g + (k << 4), 48, gg + (k << 4), 48);
      for (let i: usize = 0; i < 6; i++) transform3(gg + i * 48, 16, out + i * 6 * uXiBytes, uXiBytes);
      out += 16;
    }
  }
}

/**
 * G·g for three vectors read `inStride` bytes apart, six written `outStride` bytes apart:
 *   g0/4,  −(g0 + g1 + g2)/6,  −(g0 − g1 + g2)/6,  g0/24 + g1/12 + g2/6,  g0/24 − g1/12 + g2/6,  g2.
 */
@inline
function transform3(src: usize, inStride: usize, dst: usize, outStride: usize): void {
  const g0 = v128.load(src), g1 = v128.load(src + inStride), g2 = v128.load(src + 2 * inStride);
  const s = f32x4.add(g0, g2);
  const minusSixth = f32x4.splat(<f32>(-1.0 / 6.0));
  const t = f32x4.add(f32x4.mul(g0, f32x4.splat(<f32>(1.0 / 24.0))), f32x4.mul(g2, f32x4.splat(<f32>(1.0 / 6.0))));
  const g1Twelfth = f32x4.mul(g1, f32x4.splat(<f32>(1.0 / 12.0)));
  v128.store(dst, f32x4.mul(g0, f32x4.splat(0.25)));
  v128.store(dst + outStride, f32x4.mul(f32x4.add(s, g1), minusSixth));
  v128.store(dst + 2 * outStride, f32x4.mul(f32x4.sub(s, g1), minusSixth));
  v128.store(dst + 3 * outStride, f32x4.add(t, g1Twelfth));
  v128.store(dst + 4 * outStride, f32x4.sub(t, g1Twelfth));
  v128.store(dst + 5 * outStride, g2);
}
