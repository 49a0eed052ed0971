/** Scalar twin of f32_winograd_output_4_3__wasmsimd, same layout and contract, one tile at a time. */
export function f32_winograd_output_4_3__scalar(
  m: usize, mXiBytes: usize, mRowBytes: usize, outChannels: i32,
  firstTile: i32, count: i32, bias: usize, lo: f32, hi: f32, y: usize, outL: i32,
): void {
  const clamping = lo > -Infinity || hi < Infinity; // as the SIMD twin: no min/max without an activation
  for (let o = 0; o < outChannels; o++) {
    const b: f32 = bias ? load<f32>(bias + (<usize>o << 2)) : 0;
    const row = m + <usize>o * mRowBytes;
    const plane = y + (<usize>o * outL << 2);
    for (let s = 0; s < count; s++) {
      const src = row + (<usize>s << 2);
      const m0 = load<f32>(src), m1 = load<f32>(src + mXiBytes), m2 = load<f32>(src + 2 * mXiBytes);
      const m3 = load<f32>(src + 3 * mXiBytes), m4 = load<f32>(src + 4 * mXiBytes), m5 = load<f32>(src + 5 * mXiBytes);
      const p12 = m1 + m2, d12 = m1 - m2;
      const p34 = m3 + m4, d34 = m3 - m4;
      const x = (firstTile + s) << 2;
      const left = min(4, outL - x);
      for (let k = 0; k < left; k++) {
        const r: f32 = k === 0 ? (m0 + p12) + p34 : k === 1 ? d12 + 2 * d34 : k === 2 ? p12 + 4 * p34 : (d12 + m5) + 8 * d34;
        const v = r + b;
        store<f32>(plane + (<usize>(x + k) << 2), clamping ? min<f32>(max<f32>(v, lo), hi) : v);
      }
    }
  }
}
