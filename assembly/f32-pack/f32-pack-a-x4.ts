import { storeTransposed4x4 } from "./transpose-4x4";

/**
 * Pack A[m×k] (read through two byte strides, so Wᵀ costs no copy) into blocks of 4 rows:
 * out[i/4][p][i%4] = A[i][p], rows past m zero. The micro-kernel then reads one contiguous
 * 16-byte group per step of the reduction.
 */
export function f32_pack_a_x4(m: i32, k: i32, a: usize, aRowStride: usize, aColStride: usize, out: usize): void {
  for (let i = 0; i < m; i += 4) {
    const rows = min(4, m - i);
    const a0 = a + <usize>i * aRowStride;
    if (rows == 4 && aRowStride == 4) {
      out = packAdjacentRows(k, a0, aColStride, out);
    } else if (rows == 4 && aColStride == 4) {
      out = packContiguousRows(k, a0, aRowStride, out);
    } else {
      for (let p = 0; p < k; p++) {
        const pa = a0 + <usize>p * aColStride;
        for (let r = 0; r < 4; r++) {
          store<f32>(out + (<usize>r << 2), r < rows ? load<f32>(pa + <usize>r * aRowStride) : 0);
        }
        out += 16;
      }
    }
  }
}

/** The 4 rows' values at each p are adjacent (A is a transposed row-major matrix): a straight copy. */
@inline
function packAdjacentRows(k: i32, a0: usize, aColStride: usize, out: usize): usize {
  for (let p = 0; p < k; p++) {
    if (ASC_FEATURE_SIMD) {
      v128.store(out, v128.load(a0));
    } else {
      store<f32>(out, load<f32>(a0)); store<f32>(out, load<f32>(a0, 4), 4);
      store<f32>(out, load<f32>(a0, 8), 8); store<f32>(out, load<f32>(a0, 12), 12);
    }
    a0 += aColStride;
    out += 16;
  }
  return out;
}

/** Each row is contiguous along p: transpose 4×4 blocks (four loads, eight shuffles, four stores). */
@inline
function packContiguousRows(k: i32, a0: usize, aRowStride: usize, out: usize): usize {
  const a1 = a0 + aRowStride;
  const a2 = a1 + aRowStride;
  const a3 = a2 + aRowStride;
  let p = 0;
  if (ASC_FEATURE_SIMD) {
    for (; p + 4 <= k; p += 4) {
      const pb = <usize>p << 2;
      storeTransposed4x4(out, 16, v128.load(a0 + pb), v128.load(a1 + pb), v128.load(a2 + pb), v128.load(a3 + pb));
      out += 64;
    }
  }
  for (; p < k; p++) {
    const pb = <usize>p << 2;
    store<f32>(out, load<f32>(a0 + pb)); store<f32>(out, load<f32>(a1 + pb), 4);
    store<f32>(out, load<f32>(a2 + pb), 8); store<f32>(out, load<f32>(a3 + pb), 12);
    out += 16;
  }
  return out;
}
