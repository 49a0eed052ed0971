/** sums[r] += Σ_j x[r][j] for rows×cols row-major x (db = row sums of dY). */
export function f32_rowsum_accumulate__wasmsimd(x: usize, rows: i32, cols: i32, sums: usize): void {
  let row = x;
  for (let r = 0; r < rows; r++) {
    let vacc0 = f32x4.splat(0), vacc1 = f32x4.splat(0);
    let j = 0;
    for (; j + 8 <= cols; j += 8) {
      vacc0 = f32x4.add(vacc0, v128.load(row + (<usize>j << 2)));
      vacc1 = f32x4.add(vacc1, v128.load(row + (<usize>j << 2), 16));
    }
    if (j + 4 <= cols) {
      vacc0 = f32x4.add(vacc0, v128.load(row + (<usize>j << 2)));
      j += 4;
    }
    const vacc = f32x4.add(vacc0, vacc1);
    let acc = f32x4.extract_lane(vacc, 0) + f32x4.extract_lane(vacc, 1)
      + f32x4.extract_lane(vacc, 2) + f32x4.extract_lane(vacc, 3);
    for (; j < cols; j++) acc += load<f32>(row + (<usize>j << 2));
    const target = sums + (<usize>r << 2);
    store<f32>(target, load<f32>(target) + acc);
    row += <usize>cols << 2;
  }
}
