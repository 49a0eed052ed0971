/** Scalar twin of f32_rowsum_accumulate__wasmsimd: sums[r] += Σ_j x[r][j]. */
export function f32_rowsum_accumulate__scalar(x: usize, rows: i32, cols: i32, sums: usize): void {
  let row = x;
  for (let r = 0; r < rows; r++) {
    let acc: f32 = 0;
    for (let j = 0; j < cols; j++) acc += load<f32>(row + (<usize>j << 2));
    const target = sums + (<usize>r << 2);
    store<f32>(target, load<f32>(target) + acc);
    row += <usize>cols << 2;
  }
}
