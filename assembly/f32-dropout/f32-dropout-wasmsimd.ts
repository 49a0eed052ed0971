import { dropoutHash } from "./f32-dropout-scalar";

/** SIMD twin of f32_dropout__scalar, bit for bit: the hash on four lanes of u32 counters at a time. */
export function f32_dropout__wasmsimd(x: usize, y: usize, mask: usize, count: i32, first: u32, key: u32, threshold: u32, scale: f32): void {
  const vphi = i32x4.splat(<i32>0x9e3779b9), vkey = i32x4.splat(<i32>key);
  const vm1 = i32x4.splat(0x7feb352d), vm2 = i32x4.splat(<i32>0x846ca68b);
  const vthreshold = i32x4.splat(<i32>threshold), vscale = f32x4.splat(scale);
  let vi = i32x4.add(i32x4.splat(<i32>first), i32x4(0, 1, 2, 3));
  const vfour = i32x4.splat(4);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    let h = i32x4.add(i32x4.mul(vi, vphi), vkey);
    h = v128.xor(h, i32x4.shr_u(h, 16));
    h = i32x4.mul(h, vm1);
    h = v128.xor(h, i32x4.shr_u(h, 15));
    h = i32x4.mul(h, vm2);
    h = v128.xor(h, i32x4.shr_u(h, 16));
    const m = v128.and(i32x4.ge_u(h, vthreshold), vscale);
    const o = <usize>i << 2;
    v128.store(mask + o, m);
    v128.store(y + o, f32x4.mul(v128.load(x + o), m));
    vi = i32x4.add(vi, vfour);
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const m: f32 = dropoutHash(first + <u32>i, key) >= threshold ? scale : 0;
    store<f32>(mask + o, m);
    store<f32>(y + o, load<f32>(x + o) * m);
  }
}

/** y[i] = a[i]·b[i] for count floats (dropout's backward: dy times the mask). */
export function f32_mul__wasmsimd(a: usize, b: usize, y: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(a + o) * load<f32>(b + o));
  }
}
