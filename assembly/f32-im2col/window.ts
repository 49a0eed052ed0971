/**
 * The output columns ow whose input column iw = ow·stride + offset lies inside [0, width):
 * returned as [lo, hi) packed into one u64 (lo in the low half). i32 throughout because
 * offset goes negative under padding (an unsigned type would wrap).
 */
@inline
export function validOutputRange(offset: i32, stride: i32, width: i32, outWidth: i32): u64 {
  let lo = offset >= 0 ? 0 : (stride - 1 - offset) / stride;
  let hi = width - 1 - offset;
  hi = hi < 0 ? 0 : hi / stride + 1;
  if (hi > outWidth) hi = outWidth;
  if (lo > hi) lo = hi;
  return (<u64>(<u32>hi) << 32) | <u64>(<u32>lo);
}
