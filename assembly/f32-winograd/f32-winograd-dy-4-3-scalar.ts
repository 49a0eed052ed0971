import { storeDyPoints } from "./f32-winograd-points-4-3-scalar";

/** Scalar twin of f32_winograd_dy_4_3__wasmsimd, one channel at a time (rows past `channels` are left as they are). */
export function f32_winograd_dy_4_3__scalar(
  dy: usize, channels: i32, planeBytes: usize, firstTile: i32, count: i32, e: usize, eXiBytes: usize,
): void {
  for (let s = 0; s < count; s++) {
    const origin = dy + (<usize>(firstTile + s) << 4);
    for (let o = 0; o < channels; o++) {
      const src = origin + <usize>o * planeBytes;
      const e0 = load<f32>(src), e1 = load<f32>(src, 4), e2 = load<f32>(src, 8), e3 = load<f32>(src, 12);
      const out = e + <usize>(o >> 2) * count * 16 + (<usize>s << 4) + (<usize>(o & 3) << 2);
      storeDyPoints(e0, e1, e2, e3, out, eXiBytes); // A·e
    }
  }
}
