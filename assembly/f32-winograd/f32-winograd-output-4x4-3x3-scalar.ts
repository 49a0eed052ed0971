/**
 * Scalar twin of f32_winograd_output_4x4_3x3__wasmsimd, same layout and contract, one tile at
 * a time. `work` is 24 floats of per-thread scratch.
 */
export function f32_winograd_output_4x4_3x3__scalar(
  m: usize, mXiBytes: usize, mRowBytes: usize, outChannels: i32,
  tilesW: i32, firstTile: i32, count: i32, bias: usize, lo: f32, hi: f32, y: usize, outH: i32, outW: i32, work: usize,
): void {
  const planeBytes = <usize>outH * outW << 2;
  const clamping = lo > -Infinity || hi < Infinity; // as the SIMD twin: no min/max without an activation
  for (let s = 0; s < count; s++) {
    const t = firstTile + s;
    const ty = t / tilesW;
    const tx = t - ty * tilesW;
    const rows = min(4, outH - (ty << 2)), cols = min(4, outW - (tx << 2));
    let src = m + (<usize>s << 2);
    let at = y + ((<usize>(ty << 2) * outW + (tx << 2)) << 2);
    for (let o = 0; o < outChannels; o++) {
      for (let j: usize = 0; j < 6; j++) transform6to4(src + j * mXiBytes, 6 * mXiBytes, work + (j << 2), 24);
      for (let i: usize = 0; i < 4; i++) transform6to4(work + i * 24, 4, work + i * 24, 4);
      const b: f32 = bias ? load<f32>(bias + (<usize>o << 2)) : 0;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const v = load<f32>(work + ((<usize>i * 6 + j) << 2)) + b;
          store<f32>(at + ((<usize>i * outW + j) << 2), clamping ? min<f32>(max<f32>(v, lo), hi) : v);
        }
      }
      src += mRowBytes;
      at += planeBytes;
    }
  }
}

/** Aᵀ·m for six floats (see the SIMD twin). */
@inline
function transform6to4(src: usize, inStride: usize, dst: usize, outStride: usize): void {
  const m0 = load<f32>(src), m1 = load<f32>(src + inStride), m2 = load<f32>(src + 2 * inStride);
  const m3 = load<f32>(src + 3 * inStride), m4 = load<f32>(src + 4 * inStride), m5 = load<f32>(src + 5 * inStride);
  const p12 = m1 + m2, d12 = m1 - m2;
  const p34 = m3 + m4, d34 = m3 - m4;
  store<f32>(dst, (m0 + p12) + p34);
  store<f32>(dst + outStride, d12 + 2 * d34);
  store<f32>(dst + 2 * outStride, p12 + 4 * p34);
  store<f32>(dst + 3 * outStride, (d12 + m5) + 8 * d34);
}
