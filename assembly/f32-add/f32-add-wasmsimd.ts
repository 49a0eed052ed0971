/** y[i] = a[i] + b[i] for count floats (residual sums, summed gradients); y may be a or b. */
export function f32_add__wasmsimd(a: usize, b: usize, y: usize, count: i32): void {
  let i = 0;
  for (; i + 8 <= count; i += 8) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
    v128.store(y + o, f32x4.add(v128.load(a + o, 16), v128.load(b + o, 16)), 16);
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(a + o) + load<f32>(b + o));
  }
}
