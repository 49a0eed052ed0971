/** c[r][j] = values[r] for rows×cols row-major c: broadcasts the bias before a GEMM adds onto it. */
export function f32_fill_rows(c: usize, rows: i32, cols: i32, values: usize): void {
  let row = c;
  for (let r = 0; r < rows; r++) {
    const value = load<f32>(values + (<usize>r << 2));
    for (let j = 0; j < cols; j++) store<f32>(row + (<usize>j << 2), value);
    row += <usize>cols << 2;
  }
}

/** Zero `count` floats starting at x (fresh dX, dW and db before accumulation). */
export function f32_zero(x: usize, count: i32): void {
  memory.fill(x, 0, <usize>count << 2);
}
