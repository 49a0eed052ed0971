import { storeDyPoints } from "./f32-winograd-points-4-3-scalar";

/** Scalar twin of f32_winograd_dy_4x4_3x3__wasmsimd, one channel at a time. `work` is 36 floats of per-thread scratch. */
export function f32_winograd_dy_4x4_3x3__scalar(
  dy: usize, channels: i32, planeBytes: usize, paddedW: i32,
  tilesW: i32, firstTile: i32, count: i32, e: usize, eXiBytes: usize, work: usize,
): void {
  const rowBytes = <usize>paddedW << 2;
  for (let s = 0; s < count; s++) {
    const t = firstTile + s;
    const ty = t / tilesW;
    const tx = t - ty * tilesW;
    const origin = <usize>(ty << 2) * rowBytes + (<usize>tx << 4);
    for (let o = 0; o < channels; o++) {
      const tile = dy + <usize>o * planeBytes + origin;
      // columns of the tile into work (6×4, rows 24 bytes apart), then rows of that into E
      for (let j: usize = 0; j < 4; j++) transform4to6(tile + (j << 2), rowBytes, work + (j << 2), 24);
      const out = e + <usize>(o >> 2) * count * 16 + (<usize>s << 4) + (<usize>(o & 3) << 2);
      for (let a: usize = 0; a < 6; a++) transform4to6(work + a * 24, 4, out + a * 6 * eXiBytes, eXiBytes);
    }
  }
}

/** A·e for four floats (see the SIMD twin), all read before any is written. */
@inline
function transform4to6(src: usize, inStride: usize, dst: usize, outStride: usize): void {
  const e0 = load<f32>(src), e1 = load<f32>(src + inStride), e2 = load<f32>(src + 2 * inStride), e3 = load<f32>(src + 3 * inStride);
  storeDyPoints(e0, e1, e2, e3, dst, outStride);
}
