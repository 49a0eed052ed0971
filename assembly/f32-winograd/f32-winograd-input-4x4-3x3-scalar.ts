import { storeInputPoints } from "./f32-winograd-points-4-3-scalar";

/**
 * Scalar twin of f32_winograd_input_4x4_3x3__wasmsimd, same layout and contract, one tile at a
 * time (and no spare lanes: a panel's slots past `count` are left as they are). `work` is 36
 * floats of per-thread scratch.
 */
export function f32_winograd_input_4x4_3x3__scalar(
  padded: usize, channels: i32, planeBytes: usize, paddedW: i32,
  tilesW: i32, firstTile: i32, count: i32, v: usize, vXiBytes: usize, work: usize,
): void {
  const rowBytes = <usize>paddedW << 2;
  const panelBytes = <usize>channels << 5;
  for (let s = 0; s < count; s++) {
    const t = firstTile + s;
    const ty = t / tilesW;
    const tx = t - ty * tilesW;
    const origin = <usize>(ty << 2) * rowBytes + (<usize>tx << 4);
    let out = v + <usize>(s >> 3) * panelBytes + (<usize>(s & 7) << 2);
    let plane = padded;
    for (let c = 0; c < channels; c++) {
      // columns of the window into work (rows of Bᵀ·d), then rows of that (Bᵀ·d·B) into V
      for (let j: usize = 0; j < 6; j++) transform6(plane + origin + (j << 2), rowBytes, work + (j << 2), 24);
      for (let i: usize = 0; i < 6; i++) transform6(work + i * 24, 4, out + i * 6 * vXiBytes, vXiBytes);
      plane += planeBytes;
      out += 32;
    }
  }
}

/** Scalar twin of f32_winograd_input_by_channel_4x4_3x3__wasmsimd (one channel at a time). */
export function f32_winograd_input_by_channel_4x4_3x3__scalar(
  padded: usize, channels: i32, planeBytes: usize, paddedW: i32,
  tilesW: i32, firstTile: i32, count: i32, v: usize, vXiBytes: usize, work: usize,
): void {
  const rowBytes = <usize>paddedW << 2;
  const panelBytes = <usize>count << 5;
  for (let s = 0; s < count; s++) {
    const t = firstTile + s;
    const ty = t / tilesW;
    const tx = t - ty * tilesW;
    const origin = <usize>(ty << 2) * rowBytes + (<usize>tx << 4);
    for (let c = 0; c < channels; c++) {
      const plane = padded + <usize>c * planeBytes;
      const out = v + <usize>(c >> 3) * panelBytes + (<usize>s << 5) + (<usize>(c & 7) << 2);
      for (let j: usize = 0; j < 6; j++) transform6(plane + origin + (j << 2), rowBytes, work + (j << 2), 24);
      for (let i: usize = 0; i < 6; i++) transform6(work + i * 24, 4, out + i * 6 * vXiBytes, vXiBytes);
    }
  }
}

/** Bᵀ·d for six floats (see the SIMD twin), all read before any is written. */
@inline
function transform6(src: usize, inStride: usize, dst: usize, outStride: usize): void {
  const d0 = load<f32>(src), d1 = load<f32>(src + inStride), d2 = load<f32>(src + 2 * inStride);
  const d3 = load<f32>(src + 3 * inStride), d4 = load<f32>(src + 4 * inStride), d5 = load<f32>(src + 5 * inStride);
  storeInputPoints(d0, d1, d2, d3, d4, d5, dst, outStride);
}
