import { storeFilterPoints } from "./f32-winograd-points-4-3-wasmsimd";

/**
 * Winograd F(4×4, 3×3) filter transform, four rows per vector: each 3×3 filter g (9 contiguous
 * floats at w + r·rowStride + p·colStride; rotated by 180° when `flip`) of rows r < rows and
 * columns p < cols goes to U[ξ][r][p] = (G g Gᵀ)[ξ], ξ = 6·row + column, each U[ξ] a rows×cols
 * matrix packed as f32_pack_a_x4 packs it (blocks of 4 rows, the 4 rows' values side by side,
 * rows past `rows` zero), `uXiBytes` apart: the GEMM micro-kernel's A operand. The forward
 * pass reads w[O][C][3][3] as it is (rows O); dX reads it as the transposed conv's flipped,
 * channel-transposed filter (rows C, columns O, flipped), so it needs no copy of it.
 * `work` (36 vectors of per-thread scratch) is the scalar twin's; here the taps and G·g stay
 * in registers: against a version that went through `work`, bit-identical and 5–9% faster
 * on ResNet-18's 7×7 stage at batch 1, where the pass makes U per call (fusesFilterTransform).
 */
export function f32_winograd_filter_4x4_3x3__wasmsimd(
  w: usize, rows: i32, cols: i32, rowStride: usize, colStride: usize, flip: bool, u: usize, uXiBytes: usize, work: usize,
): void {
  const rowBytes: usize = uXiBytes * 6;
  for (let r = 0; r < rows; r += 4) {
    const live = min(4, rows - r);
    const w0 = w + <usize>r * rowStride;
    let out = u + <usize>r * cols * 4;
    for (let c = 0; c < cols; c++) {
      const p = w0 + <usize>c * colStride;
      // taps 0–3 and 4–7 of the 4 rows, transposed: g_t holds tap t, one row per lane
      const r0 = v128.load(p);
      const r1 = live > 1 ? v128.load(p + rowStride) : f32x4.splat(0);
      const r2 = live > 2 ? v128.load(p + 2 * rowStride) : f32x4.splat(0);
      const r3 = live > 3 ? v128.load(p + 3 * rowStride) : f32x4.splat(0);
      const a01lo = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), a23lo = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const a01hi = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), a23hi = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      let g0 = v128.shuffle<f32>(a01lo, a23lo, 0, 1, 4, 5), g1 = v128.shuffle<f32>(a01lo, a23lo, 2, 3, 6, 7);
      let g2 = v128.shuffle<f32>(a01hi, a23hi, 0, 1, 4, 5), g3 = v128.shuffle<f32>(a01hi, a23hi, 2, 3, 6, 7);
      const s0 = v128.load(p, 16);
      const s1 = live > 1 ? v128.load(p + rowStride, 16) : f32x4.splat(0);
      const s2 = live > 2 ? v128.load(p + 2 * rowStride, 16) : f32x4.splat(0);
      const s3 = live > 3 ? v128.load(p + 3 * rowStride, 16) : f32x4.splat(0);
      const b01lo = v128.shuffle<f32>(s0, s1, 0, 4, 1, 5), b23lo = v128.shuffle<f32>(s2, s3, 0, 4, 1, 5);
      const b01hi = v128.shuffle<f32>(s0, s1, 2, 6, 3, 7), b23hi = v128.shuffle<f32>(s2, s3, 2, 6, 3, 7);
      let g4 = v128.shuffle<f32>(b01lo, b23lo, 0, 1, 4, 5), g5 = v128.shuffle<f32>(b01lo, b23lo, 2, 3, 6, 7);
      let g6 = v128.shuffle<f32>(b01hi, b23hi, 0, 1, 4, 5), g7 = v128.shuffle<f32>(b01hi, b23hi, 2, 3, 6, 7);
      let g8 = f32x4.splat(load<f32>(p, 32));
      g8 = f32x4.replace_lane(g8, 1, live > 1 ? load<f32>(p + rowStride, 32) : 0);
      g8 = f32x4.replace_lane(g8, 2, live > 2 ? load<f32>(p + 2 * rowStride, 32) : 0);
      g8 = f32x4.replace_lane(g8, 3, live > 3 ? load<f32>(p + 3 * rowStride, 32) : 0);
      if (flip) {
        // tap t ↔ tap 8 − t
        let t = g0; g0 = g8; g8 = t;
        t = g1; g1 = g7; g7 = t;
        t = g2; g2 = g6; g6 = t;
        t = g3; g3 = g5; g5 = t;
      }
      // G·g's rows (row i of G applied to each of g's columns k: taps k, 3 + k, 6 + k), each
      // row then through G again (G·g·Gᵀ's row i): the same operations as storeFilterPoints in the
      // same order, so the same values as computing all of G·g first
      const minusSixth = f32x4.splat(<f32>(-1.0 / 6.0));
      const quarter = f32x4.splat(0.25);
      // row 0 of G: g0/4
      storeFilterPoints(f32x4.mul(g0, quarter), f32x4.mul(g1, quarter), f32x4.mul(g2, quarter), out, uXiBytes);
      // rows 1 and 2: −(a + b + c)/6, −(a − b + c)/6 with s = a + c
      const sum0 = f32x4.add(g0, g6), sum1 = f32x4.add(g1, g7), sum2 = f32x4.add(g2, g8);
      storeFilterPoints(f32x4.mul(f32x4.add(sum0, g3), minusSixth), f32x4.mul(f32x4.add(sum1, g4), minusSixth),
        f32x4.mul(f32x4.add(sum2, g5), minusSixth), out + rowBytes, uXiBytes);
      storeFilterPoints(f32x4.mul(f32x4.sub(sum0, g3), minusSixth), f32x4.mul(f32x4.sub(sum1, g4), minusSixth),
        f32x4.mul(f32x4.sub(sum2, g5), minusSixth), out + 2 * rowBytes, uXiBytes);
      // rows 3 and 4: a/24 + b/12 + c/6, a/24 − b/12 + c/6 with t = a/24 + c/6
      const t0 = outerTerms(g0, g6), t1 = outerTerms(g1, g7), t2 = outerTerms(g2, g8);
      const twelfth = f32x4.splat(<f32>(1.0 / 12.0));
      const m0 = f32x4.mul(g3, twelfth), m1 = f32x4.mul(g4, twelfth), m2 = f32x4.mul(g5, twelfth);
      storeFilterPoints(f32x4.add(t0, m0), f32x4.add(t1, m1), f32x4.add(t2, m2), out + 3 * rowBytes, uXiBytes);
      storeFilterPoints(f32x4.sub(t0, m0), f32x4.sub(t1, m1), f32x4.sub(t2, m2), out + 4 * rowBytes, uXiBytes);
      // row 5: c
      storeFilterPoints(g6, g7, g8, out + 5 * rowBytes, uXiBytes);
      out += 16;
    }
  }
}

/** a/24 + c/6, as storeFilterPoints computes it. */
@inline
function outerTerms(a: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, f32x4.splat(<f32>(1.0 / 24.0))), f32x4.mul(c, f32x4.splat(<f32>(1.0 / 6.0))));
}

