/**
 * The weight gradient's inverse filter transform for F(4×4, 3×3), four input channels per
 * vector: for each o < rows and c < cols, dw[o][c] (3×3, overwritten) = Gᵀ m G, where
 * m[ξ] = M[ξ][o][c] (rows×cols matrices `mXiBytes` apart, rows `mRowBytes` apart, at least
 * cols rounded up to 4 floats long) sums the transformed products over tiles and images.
 * `work` is 36 vectors of per-thread scratch.
 */
export function f32_winograd_filter_grad_4x4_3x3__wasmsimd(
  m: usize, mXiBytes: usize, mRowBytes: usize, rows: i32, cols: i32, dw: usize, work: usize,
): void {
  for (let o = 0; o < rows; o++) {
    for (let c = 0; c < cols; c += 4) {
      const src = m + <usize>o * mRowBytes + (<usize>c << 2);
      // columns (Gᵀ·m, 3×6), then rows of that (Gᵀ·m·G, 3×3), in place in work
      for (let b: usize = 0; b < 6; b++) transform6to3(src + b * mXiBytes, 6 * mXiBytes, work + (b << 4), 96);
      for (let k: usize = 0; k < 3; k++) transform6to3(work + k * 96, 16, work + k * 96, 16);
      const live = min(4, cols - c);
      let out = dw + (<usize>o * cols + c) * 36;
      for (let lane = 0; lane < live; lane++) {
        for (let k = 0; k < 3; k++) {
          for (let l = 0; l < 3; l++) {
            store<f32>(out + (<usize>(k * 3 + l) << 2), load<f32>(work + <usize>k * 96 + (<usize>l << 4) + (<usize>lane << 2)));
          }
        }
        out += 36;
      }
    }
  }
}

/**
 * Gᵀ·m for six vectors read `inStride` bytes apart, three written `outStride` bytes apart (all
 * read first, so in place is fine):
 *   m0/4 − (m1 + m2)/6 + (m3 + m4)/24,  (m2 − m1)/6 + (m3 − m4)/12,  ((m3 + m4) − (m1 + m2))/6 + m5.
 */
@inline
function transform6to3(src: usize, inStride: usize, dst: usize, outStride: usize): void {
  const m0 = v128.load(src), m1 = v128.load(src + inStride), m2 = v128.load(src + 2 * inStride);
  const m3 = v128.load(src + 3 * inStride), m4 = v128.load(src + 4 * inStride), m5 = v128.load(src + 5 * inStride);
  const p12 = f32x4.add(m1, m2), d12 = f32x4.sub(m2, m1);
  const p34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
  const sixth = f32x4.splat(<f32>(1.0 / 6.0));
  v128.store(dst, f32x4.add(f32x4.sub(f32x4.mul(m0, f32x4.splat(0.25)), f32x4.mul(p12, sixth)), f32x4.mul(p34, f32x4.splat(<f32>(1.0 / 24.0)))));
  v128.store(dst + outStride, f32x4.add(f32x4.mul(d12, sixth), f32x4.mul(d34, f32x4.splat(<f32>(1.0 / 12.0)))));
  v128.store(dst + 2 * outStride, f32x4.add(f32x4.mul(f32x4.sub(p34, p12), sixth), m5));
}
