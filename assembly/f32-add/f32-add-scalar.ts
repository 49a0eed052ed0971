/** Scalar twin of f32_add__wasmsimd: y[i] = a[i] + b[i]; y may be a or b. */
export function f32_add__scalar(a: usize, b: usize, y: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(a + o) + load<f32>(b + o));
  }
}
