import { storeInputPoints } from "./f32-winograd-points-4-3-scalar";

/** Scalar twin of f32_winograd_input_4_3__wasmsimd (one tile at a time; the spare slots are left as they are). */
export function f32_winograd_input_4_3__scalar(
  padded: usize, channels: i32, planeBytes: usize, firstTile: i32, count: i32, v: usize, vXiBytes: usize,
): void {
  const panelBytes = <usize>channels << 5;
  for (let s = 0; s < count; s++) {
    let src = padded + (<usize>(firstTile + s) << 4);
    let out = v + <usize>(s >> 3) * panelBytes + (<usize>(s & 7) << 2);
    for (let c = 0; c < channels; c++) {
      transform6(src, out, vXiBytes);
      src += planeBytes;
      out += 32;
    }
  }
}

/** Scalar twin of f32_winograd_input_by_channel_4_3__wasmsimd (one channel at a time). */
export function f32_winograd_input_by_channel_4_3__scalar(
  padded: usize, channels: i32, planeBytes: usize, firstTile: i32, count: i32, v: usize, vXiBytes: usize,
): void {
  const panelBytes = <usize>count << 5;
  for (let s = 0; s < count; s++) {
    const origin = padded + (<usize>(firstTile + s) << 4);
    for (let c = 0; c < channels; c++) {
      transform6(origin + <usize>c * planeBytes, v + <usize>(c >> 3) * panelBytes + (<usize>s << 5) + (<usize>(c & 7) << 2), vXiBytes);
    }
  }
}

/** Bᵀ·d for the six floats at src (see the SIMD twin). */
@inline
function transform6(src: usize, dst: usize, outStride: usize): void {
  const d0 = load<f32>(src), d1 = load<f32>(src, 4), d2 = load<f32>(src, 8);
  const d3 = load<f32>(src, 12), d4 = load<f32>(src, 16), d5 = load<f32>(src, 20);
  storeInputPoints(d0, d1, d2, d3, d4, d5, dst, outStride);
}
