/** Scalar twin of f32_global_avgpool__wasmsimd: y[p] = (Σ_j x[p][j]) / plane for `planes` planes. */
export function f32_global_avgpool__scalar(x: usize, planes: i32, plane: i32, y: usize): void {
  const scale = <f32>1 / <f32>plane;
  let row = x;
  for (let p = 0; p < planes; p++) {
    let acc: f32 = 0;
    for (let j = 0; j < plane; j++) acc += load<f32>(row + (<usize>j << 2));
    store<f32>(y + (<usize>p << 2), acc * scale);
    row += <usize>plane << 2;
  }
}

/** Scalar twin of f32_global_avgpool_backward__wasmsimd: dx[p][j] = dy[p] / plane. */
export function f32_global_avgpool_backward__scalar(dy: usize, planes: i32, plane: i32, dx: usize): void {
  const scale = <f32>1 / <f32>plane;
  let row = dx;
  for (let p = 0; p < planes; p++) {
    const g = load<f32>(dy + (<usize>p << 2)) * scale;
    for (let j = 0; j < plane; j++) store<f32>(row + (<usize>j << 2), g);
    row += <usize>plane << 2;
  }
}
