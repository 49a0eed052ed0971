/**
 * Store the 4×4 transpose of rows r0..r3: lane j of every row goes to output row j, output
 * rows `rowStride` bytes apart (16 for a packed A block, 32 for a B panel).
 */
@inline
export function storeTransposed4x4(out: usize, rowStride: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const r01lo = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), r23lo = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const r01hi = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), r23hi = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(out, v128.shuffle<f32>(r01lo, r23lo, 0, 1, 4, 5));
  v128.store(out + rowStride, v128.shuffle<f32>(r01lo, r23lo, 2, 3, 6, 7));
  v128.store(out + 2 * rowStride, v128.shuffle<f32>(r01hi, r23hi, 0, 1, 4, 5));
  v128.store(out + 3 * rowStride, v128.shuffle<f32>(r01hi, r23hi, 2, 3, 6, 7));
}
