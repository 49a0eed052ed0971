/**
 * dst[r][0 … cols) = src[r][0 … cols) for `rows` rows, row starts `srcStride` and `dstStride`
 * floats apart: concatenation along channels (each image's block of one input into the
 * output) and its backward (the block back out of dy). memory.copy is the engine's bulk copy.
 */
export function f32_copy_rows(src: usize, rows: i32, cols: i32, srcStride: i32, dst: usize, dstStride: i32): void {
  const bytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) memory.copy(dst + ((<usize>r * dstStride) << 2), src + ((<usize>r * srcStride) << 2), bytes);
}
