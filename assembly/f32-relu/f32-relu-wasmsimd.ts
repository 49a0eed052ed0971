/** y[i] = max(x[i], 0) for count floats; y may be x. Pointers aligned to 16. */
export function f32_relu__wasmsimd(x: usize, y: usize, count: i32): void {
  const vzero = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= count; i += 8) {
    const o = <usize>i << 2;
    const vx0 = v128.load(x + o);
    const vx1 = v128.load(x + o, 16);
    v128.store(y + o, f32x4.max(vx0, vzero));
    v128.store(y + o, f32x4.max(vx1, vzero), 16);
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, max<f32>(load<f32>(x + o), 0));
  }
}

/** dx[i] = y[i] > 0 ? dy[i] : 0 (y the ReLU's output); dx may be dy. Pointers aligned to 16. */
export function f32_relu_backward__wasmsimd(y: usize, dy: usize, dx: usize, count: i32): void {
  const vzero = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= count; i += 8) {
    const o = <usize>i << 2;
    const vm0 = f32x4.gt(v128.load(y + o), vzero);
    const vm1 = f32x4.gt(v128.load(y + o, 16), vzero);
    v128.store(dx + o, v128.and(v128.load(dy + o), vm0));
    v128.store(dx + o, v128.and(v128.load(dy + o, 16), vm1), 16);
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, load<f32>(y + o) > 0 ? load<f32>(dy + o) : <f32>0);
  }
}
