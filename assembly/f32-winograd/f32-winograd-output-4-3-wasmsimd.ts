import { vmadd } from "../simd-madd";

/**
 * Winograd F(4, 3) output transform (1-D) with bias and clamp, four tiles per vector: for each
 * output channel o and tile slot s in [0, count), the tile's 6 products m[ξ] = M[ξ][o][s]
 * (O×tiles matrices `mXiBytes` apart, rows `mRowBytes` apart, as the GEMM left them) become
 * the 4 outputs min(max(Aᵀ m + bias[o], lo), hi) (bias 0: none; lo = −∞, hi = +∞: no clamp),
 * written into y[O][outL] where they lie inside outL. Slot s is tile firstTile + s, covering
 * outputs 4·(firstTile + s)... Four tiles are 16 consecutive outputs: a 4×4 transpose.
 */
export function f32_winograd_output_4_3__wasmsimd(
  m: usize, mXiBytes: usize, mRowBytes: usize, outChannels: i32,
  firstTile: i32, count: i32, bias: usize, lo: f32, hi: f32, y: usize, outL: i32,
): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  // no NaN-exact min/max without an activation (as the 2-D output transform)
  const clamping = lo > -Infinity || hi < Infinity;
  let row = m;
  let plane = y;
  for (let o = 0; o < outChannels; o++) {
    const b = bias ? f32x4.splat(load<f32>(bias + (<usize>o << 2))) : f32x4.splat(0);
    for (let s = 0; s < count; s += 4) {
      const src = row + (<usize>s << 2);
      const m0 = v128.load(src), m1 = v128.load(src + mXiBytes), m2 = v128.load(src + 2 * mXiBytes);
      const m3 = v128.load(src + 3 * mXiBytes), m4 = v128.load(src + 4 * mXiBytes), m5 = v128.load(src + 5 * mXiBytes);
      // Aᵀ·m: lane j of rk is output k of tile s + j
      const p12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2);
      const p34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
      let r0 = f32x4.add(f32x4.add(f32x4.add(m0, p12), p34), b);
      let r1 = f32x4.add(vmadd(f32x4.splat(2), d34, d12), b);
      let r2 = f32x4.add(vmadd(f32x4.splat(4), p34, p12), b);
      let r3 = f32x4.add(vmadd(f32x4.splat(8), d34, f32x4.add(d12, m5)), b);
      if (clamping) {
        r0 = clamp(r0, vlo, vhi); r1 = clamp(r1, vlo, vhi);
        r2 = clamp(r2, vlo, vhi); r3 = clamp(r3, vlo, vhi);
      }
      // transpose: vector j holds tile s + j's 4 outputs
      const r01lo = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), r23lo = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const r01hi = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), r23hi = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const t0 = v128.shuffle<f32>(r01lo, r23lo, 0, 1, 4, 5), t1 = v128.shuffle<f32>(r01lo, r23lo, 2, 3, 6, 7);
      const t2 = v128.shuffle<f32>(r01hi, r23hi, 0, 1, 4, 5), t3 = v128.shuffle<f32>(r01hi, r23hi, 2, 3, 6, 7);
      const x = (firstTile + s) << 2;
      const at = plane + (<usize>x << 2);
      const live = min(4, count - s);
      if (live === 4 && x + 16 <= outL) {
        v128.store(at, t0);
        v128.store(at, t1, 16);
        v128.store(at, t2, 32);
        v128.store(at, t3, 48);
      } else {
        storeTile(at, outL - x, t0);
        if (live > 1) storeTile(at + 16, outL - x - 4, t1);
        if (live > 2) storeTile(at + 32, outL - x - 8, t2);
        if (live > 3) storeTile(at + 48, outL - x - 12, t3);
      }
    }
    row += mRowBytes;
    plane += <usize>outL << 2;
  }
}

/** min(max(v, lo), hi) lane by lane, as f32_clip (NaN stays NaN). */
@inline
function clamp(v: v128, lo: v128, hi: v128): v128 {
  return f32x4.min(f32x4.max(v, lo), hi);
}

/** A tile's 4 outputs at `at`, of which `left` (possibly ≤ 0) lie inside the output. */
@inline
function storeTile(at: usize, left: i32, tile: v128): void {
  if (left >= 4) {
    v128.store(at, tile);
    return;
  }
  if (left > 0) store<f32>(at, f32x4.extract_lane(tile, 0));
  if (left > 1) store<f32>(at, f32x4.extract_lane(tile, 1), 4);
  if (left > 2) store<f32>(at, f32x4.extract_lane(tile, 2), 8);
}
