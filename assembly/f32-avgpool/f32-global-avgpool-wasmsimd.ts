/** y[p] = (Σ_j x[p][j]) / plane for `planes` consecutive planes of `plane` floats (eight lanes of partial sums). */
export function f32_global_avgpool__wasmsimd(x: usize, planes: i32, plane: i32, y: usize): void {
  const scale = <f32>1 / <f32>plane;
  let row = x;
  for (let p = 0; p < planes; p++) {
    let v0 = f32x4.splat(0), v1 = f32x4.splat(0);
    let j = 0;
    for (; j + 8 <= plane; j += 8) {
      v0 = f32x4.add(v0, v128.load(row + (<usize>j << 2)));
      v1 = f32x4.add(v1, v128.load(row + (<usize>j << 2), 16));
    }
    const v = f32x4.add(v0, v1);
    let acc = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
    for (; j < plane; j++) acc += load<f32>(row + (<usize>j << 2));
    store<f32>(y + (<usize>p << 2), acc * scale);
    row += <usize>plane << 2;
  }
}

/** dx[p][j] = dy[p] / plane: each output's gradient spread evenly over its plane. */
export function f32_global_avgpool_backward__wasmsimd(dy: usize, planes: i32, plane: i32, dx: usize): void {
  const scale = <f32>1 / <f32>plane;
  let row = dx;
  for (let p = 0; p < planes; p++) {
    const g = load<f32>(dy + (<usize>p << 2)) * scale;
    const vg = f32x4.splat(g);
    let j = 0;
    for (; j + 4 <= plane; j += 4) v128.store(row + (<usize>j << 2), vg);
    for (; j < plane; j++) store<f32>(row + (<usize>j << 2), g);
    row += <usize>plane << 2;
  }
}
