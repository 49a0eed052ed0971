/** y[r][j] = b[j] for rows×cols row-major y: a Linear layer's bias before the GEMM adds x·Wᵀ. */
export function f32_fill_cols(y: usize, rows: i32, cols: i32, b: usize): void {
  const rowBytes = <usize>cols << 2;
  let row = y;
  for (let r = 0; r < rows; r++) {
    memory.copy(row, b, rowBytes);
    row += rowBytes;
  }
}

/**
 * sums[j] = Σ_r x[r][j], added in row order, for `rows` rows of `cols` floats that start
 * `rowStride` floats apart (a Linear layer's db = column sums of dY; the per-thread partial dW
 * of a split conv pass, each in its own pages).
 */
export function f32_colsum(x: usize, rows: i32, cols: i32, rowStride: i32, sums: usize): void {
  const rowBytes = <usize>cols << 2;
  memory.fill(sums, 0, rowBytes);
  let row = x;
  for (let r = 0; r < rows; r++) {
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      // four sums at a time, each still added in row order: the same result as the scalar loop
      for (; j + 4 <= cols; j += 4) {
        const o = <usize>j << 2;
        v128.store(sums + o, f32x4.add(v128.load(sums + o), v128.load(row + o)));
      }
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(sums + o, load<f32>(sums + o) + load<f32>(row + o));
    }
    row += <usize>rowStride << 2;
  }
}
