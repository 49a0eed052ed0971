/**
 * Scalar twin of f32_relu__wasmsimd: y[i] = max(x[i], 0) (NaN stays NaN, −0 becomes +0, as
 * the SIMD twin's f32x4.max and a fused conv epilogue's clamp to [0, +∞]); y may be x.
 */
export function f32_relu__scalar(x: usize, y: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, max<f32>(load<f32>(x + o), 0));
  }
}

/** Scalar twin of f32_relu_backward__wasmsimd: dx[i] = y[i] > 0 ? dy[i] : 0; dx may be dy. */
export function f32_relu_backward__scalar(y: usize, dy: usize, dx: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, load<f32>(y + o) > 0 ? load<f32>(dy + o) : <f32>0);
  }
}
