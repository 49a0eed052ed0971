/**
 * Scalar twin of f32_subconv_tile_3x8__wasmsimd: the same sums, always to `stage` (the driver
 * interleaves), in 3×2 blocks of scalar accumulators: 6 sums and 5 operands stay in registers,
 * where 3×4 blocks spilled.
 */
@inline
export function f32_subconv_tile_3x8__scalar(
  taps: usize, tapCount: i32, a: usize, outChannels: i32, dyPlaneBytes: usize, dy: usize, stage: usize,
): void {
  const tapsEnd = taps + (<usize>tapCount << 2);
  for (let j: usize = 0; j < 32; j += 8) {
    let c00: f32 = 0, c01: f32 = 0;
    let c10: f32 = 0, c11: f32 = 0;
    let c20: f32 = 0, c21: f32 = 0;
    let pa = a;
    for (let t = taps; t < tapsEnd; t += 4) {
      let pb = dy + <usize>load<i32>(t) + j;
      const paEnd = pa + (<usize>outChannels << 4);
      while (pa < paEnd) {
        const a0 = load<f32>(pa), a1 = load<f32>(pa, 4), a2 = load<f32>(pa, 8);
        const b0 = load<f32>(pb), b1 = load<f32>(pb, 4);
        c00 += a0 * b0; c01 += a0 * b1;
        c10 += a1 * b0; c11 += a1 * b1;
        c20 += a2 * b0; c21 += a2 * b1;
        pa += 16;
        pb += dyPlaneBytes;
      }
    }
    const s = stage + j;
    store<f32>(s, c00); store<f32>(s, c01, 4);
    store<f32>(s, c10, 32); store<f32>(s, c11, 36);
    store<f32>(s, c20, 64); store<f32>(s, c21, 68);
  }
}
