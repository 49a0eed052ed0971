// Softmax over the rows of a rows×cols matrix and its backward pass. Scalar in every build (as
// f32_softmax_xent): exp has no SIMD instruction, and the sums run in f64.

/** y[r] = exp(x[r] − max x[r]) / Σ exp(x[r] − max x[r]); y may be x. */
export function f32_softmax_rows(x: usize, rows: i32, cols: i32, y: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes, yr = y + <usize>r * rowBytes;
    let xmax = load<f32>(xr);
    for (let j = 1; j < cols; j++) xmax = max<f32>(xmax, load<f32>(xr + (<usize>j << 2)));
    let sum: f64 = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(<f64>(load<f32>(xr + (<usize>j << 2)) - xmax));
    const inv = 1.0 / sum;
    for (let j = 0; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(yr + o, <f32>(Math.exp(<f64>(load<f32>(xr + o) - xmax)) * inv));
    }
  }
}

/** dx[r] = y[r]·(dy[r] − Σ_j dy[r][j]·y[r][j]) (y the softmax's output); dx may be dy. */
export function f32_softmax_rows_backward(y: usize, dy: usize, rows: i32, cols: i32, dx: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const yr = y + <usize>r * rowBytes, dyr = dy + <usize>r * rowBytes, dxr = dx + <usize>r * rowBytes;
    let dot: f64 = 0;
    for (let j = 0; j < cols; j++) dot += <f64>load<f32>(dyr + (<usize>j << 2)) * <f64>load<f32>(yr + (<usize>j << 2));
    for (let j = 0; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(dxr + o, <f32>(<f64>load<f32>(yr + o) * (<f64>load<f32>(dyr + o) - dot)));
    }
  }
}
