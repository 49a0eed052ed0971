// The element-wise activations four floats at a time: each vector function is its scalar
// twin's operations lane by lane (see f32-activation-scalar.ts), selects with bitselect in
// place of ?:, and the loops finish the last count % 4 floats with the scalar functions.
import {
  EXP_MIN, LOG2E, LN2_HI, LN2_LO, EXP_P0, EXP_P1, EXP_P2, EXP_P3, EXP_P4, EXP_P5,
  TANH_SMALL, TANH_P0, TANH_P1, TANH_P2, TANH_P3, TANH_P4, HARDSWISH_ALPHA, HARDSWISH_BETA,
  hardSigmoidOf, hardSigmoidGradOf, hardSwishOf, hardSwishGradOf, sigmoidOf, sigmoidGradOf, siluOf, siluGradOf, tanhOf, tanhGradOf,
} from "./f32-activation-scalar";

// @ts-ignore: decorator
@inline function vsplat(v: f32): v128 {
  return f32x4.splat(v);
}

/** e^x lane by lane for x ≤ 0 (expNonPositive). */
// @ts-ignore: decorator
@inline function vexpNonPositive(x: v128): v128 {
  x = f32x4.max(x, vsplat(EXP_MIN));
  const n = f32x4.floor(f32x4.add(f32x4.mul(x, vsplat(LOG2E)), vsplat(0.5)));
  let r = f32x4.sub(x, f32x4.mul(n, vsplat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, vsplat(LN2_LO)));
  let p = f32x4.add(f32x4.mul(vsplat(EXP_P0), r), vsplat(EXP_P1));
  p = f32x4.add(f32x4.mul(p, r), vsplat(EXP_P2));
  p = f32x4.add(f32x4.mul(p, r), vsplat(EXP_P3));
  p = f32x4.add(f32x4.mul(p, r), vsplat(EXP_P4));
  p = f32x4.add(f32x4.mul(p, r), vsplat(EXP_P5));
  const e = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), vsplat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(e, scale);
}

/** e^−|x| lane by lane. */
// @ts-ignore: decorator
@inline function vexpNegAbs(x: v128): v128 {
  return vexpNonPositive(f32x4.neg(f32x4.abs(x)));
}

/** sigmoid(|x|) = 1/(1 + e) from e = e^−|x|; 1 − sigmoid(|x|) is then e·that. */
// @ts-ignore: decorator
@inline function vsigmoidOfAbs(e: v128): v128 {
  return f32x4.div(vsplat(1), f32x4.add(vsplat(1), e));
}

/** y[i] = x[i] > 0 ? x[i] : slope·x[i]; y may be x. Pointers aligned to 16. */
export function f32_leaky_relu__wasmsimd(x: usize, y: usize, count: i32, slope: f32): void {
  const vzero = vsplat(0), vslope = vsplat(slope);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(y + o, v128.bitselect(v, f32x4.mul(vslope, v), f32x4.gt(v, vzero)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v > 0 ? v : slope * v);
  }
}

/** dx[i] = x[i] > 0 ? dy[i] : slope·dy[i]; dx may be dy. */
export function f32_leaky_relu_backward__wasmsimd(x: usize, dy: usize, dx: usize, count: i32, slope: f32): void {
  const vzero = vsplat(0), vslope = vsplat(slope);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(dy + o);
    v128.store(dx + o, v128.bitselect(g, f32x4.mul(vslope, g), f32x4.gt(v128.load(x + o), vzero)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(dy + o);
    store<f32>(dx + o, load<f32>(x + o) > 0 ? g : slope * g);
  }
}

/** y[i] = min(max(x[i], lo), hi); y may be x. */
export function f32_clip__wasmsimd(x: usize, y: usize, count: i32, lo: f32, hi: f32): void {
  const vlo = vsplat(lo), vhi = vsplat(hi);
  let i = 0;
  for (; i + 8 <= count; i += 8) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.min(f32x4.max(v128.load(x + o), vlo), vhi));
    v128.store(y + o, f32x4.min(f32x4.max(v128.load(x + o, 16), vlo), vhi), 16);
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, min<f32>(max<f32>(load<f32>(x + o), lo), hi));
  }
}

/** dx[i] = lo < x[i] < hi ? dy[i] : 0; dx may be dy. */
export function f32_clip_backward__wasmsimd(x: usize, dy: usize, dx: usize, count: i32, lo: f32, hi: f32): void {
  const vlo = vsplat(lo), vhi = vsplat(hi);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(dx + o, v128.and(v128.load(dy + o), v128.and(f32x4.gt(v, vlo), f32x4.lt(v, vhi))));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(dx + o, v > lo && v < hi ? load<f32>(dy + o) : <f32>0);
  }
}

/** y[i] = min(max(alpha·x[i] + beta, 0), 1); y may be x. */
export function f32_hardsigmoid__wasmsimd(x: usize, y: usize, count: i32, alpha: f32, beta: f32): void {
  const valpha = vsplat(alpha), vbeta = vsplat(beta), vzero = vsplat(0), vone = vsplat(1);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const v = f32x4.add(f32x4.mul(valpha, v128.load(x + o)), vbeta);
    v128.store(y + o, f32x4.min(f32x4.max(v, vzero), vone));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, hardSigmoidOf(load<f32>(x + o), alpha, beta));
  }
}

/** dx[i] = 0 < alpha·x[i] + beta < 1 ? alpha·dy[i] : 0; dx may be dy. */
export function f32_hardsigmoid_backward__wasmsimd(x: usize, dy: usize, dx: usize, count: i32, alpha: f32, beta: f32): void {
  const valpha = vsplat(alpha), vbeta = vsplat(beta), vzero = vsplat(0), vone = vsplat(1);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const v = f32x4.add(f32x4.mul(valpha, v128.load(x + o)), vbeta);
    const inside = v128.and(f32x4.gt(v, vzero), f32x4.lt(v, vone));
    v128.store(dx + o, v128.and(f32x4.mul(v128.load(dy + o), valpha), inside));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, hardSigmoidGradOf(load<f32>(x + o), load<f32>(dy + o), alpha, beta));
  }
}

/** y[i] = x[i]·min(max(x[i]/6 + 1/2, 0), 1); y may be x. */
export function f32_hardswish__wasmsimd(x: usize, y: usize, count: i32): void {
  const valpha = vsplat(HARDSWISH_ALPHA), vbeta = vsplat(HARDSWISH_BETA), vzero = vsplat(0), vone = vsplat(1);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    const gate = f32x4.min(f32x4.max(f32x4.add(f32x4.mul(valpha, v), vbeta), vzero), vone);
    v128.store(y + o, f32x4.mul(v, gate));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, hardSwishOf(load<f32>(x + o)));
  }
}

/** dx[i] = dy[i]·(0, x/3 + 1/2 or 1 as x/6 + 1/2 is ≤ 0, between, or ≥ 1); dx may be dy. */
export function f32_hardswish_backward__wasmsimd(x: usize, dy: usize, dx: usize, count: i32): void {
  const valpha = vsplat(HARDSWISH_ALPHA), valpha2 = vsplat(<f32>2 * HARDSWISH_ALPHA), vbeta = vsplat(HARDSWISH_BETA);
  const vzero = vsplat(0), vone = vsplat(1);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    const gate = f32x4.add(f32x4.mul(valpha, v), vbeta);
    const middle = f32x4.add(f32x4.mul(valpha2, v), vbeta);
    const slope = v128.bitselect(vone, middle, f32x4.ge(gate, vone));
    v128.store(dx + o, v128.and(f32x4.mul(v128.load(dy + o), slope), f32x4.gt(gate, vzero)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, hardSwishGradOf(load<f32>(x + o), load<f32>(dy + o)));
  }
}

/** y[i] = sigmoid(x[i]); y may be x. */
export function f32_sigmoid__wasmsimd(x: usize, y: usize, count: i32): void {
  const vzero = vsplat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    const e = vexpNegAbs(v);
    const p = vsigmoidOfAbs(e), q = f32x4.mul(e, p);
    v128.store(y + o, v128.bitselect(p, q, f32x4.ge(v, vzero)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, sigmoidOf(load<f32>(x + o)));
  }
}

/** dx[i] = dy[i]·s(1 − s); dx may be dy. */
export function f32_sigmoid_backward__wasmsimd(x: usize, dy: usize, dx: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const e = vexpNegAbs(v128.load(x + o));
    const p = vsigmoidOfAbs(e), q = f32x4.mul(e, p);
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), f32x4.mul(p, q)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, sigmoidGradOf(load<f32>(x + o), load<f32>(dy + o)));
  }
}

/** y[i] = tanh(x[i]); y may be x. */
export function f32_tanh__wasmsimd(x: usize, y: usize, count: i32): void {
  const vone = vsplat(1), vsmall = vsplat(TANH_SMALL), vsign = i32x4.splat(0x80000000);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    const a = f32x4.abs(v);
    const z = f32x4.mul(a, a);
    let p = f32x4.add(f32x4.mul(vsplat(TANH_P0), z), vsplat(TANH_P1));
    p = f32x4.add(f32x4.mul(p, z), vsplat(TANH_P2));
    p = f32x4.add(f32x4.mul(p, z), vsplat(TANH_P3));
    p = f32x4.add(f32x4.mul(p, z), vsplat(TANH_P4));
    const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), a), a);
    const e = vexpNonPositive(f32x4.mul(vsplat(-2), a));
    const large = f32x4.div(f32x4.sub(vone, e), f32x4.add(vone, e));
    const magnitude = v128.bitselect(small, large, f32x4.lt(a, vsmall));
    v128.store(y + o, v128.bitselect(v, magnitude, vsign)); // copysign(magnitude, x)
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, tanhOf(load<f32>(x + o)));
  }
}

/** dx[i] = dy[i]·4e/(1 + e)², e = e^−2|x[i]|; dx may be dy. */
export function f32_tanh_backward__wasmsimd(x: usize, dy: usize, dx: usize, count: i32): void {
  const vone = vsplat(1);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const e = vexpNonPositive(f32x4.mul(vsplat(-2), f32x4.abs(v128.load(x + o))));
    const d = f32x4.add(vone, e);
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), f32x4.div(f32x4.mul(vsplat(4), e), f32x4.mul(d, d))));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, tanhGradOf(load<f32>(x + o), load<f32>(dy + o)));
  }
}

/** y[i] = x[i]·sigmoid(x[i]); y may be x. */
export function f32_silu__wasmsimd(x: usize, y: usize, count: i32): void {
  const vzero = vsplat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    const e = vexpNegAbs(v);
    const p = vsigmoidOfAbs(e), q = f32x4.mul(e, p);
    v128.store(y + o, f32x4.mul(v, v128.bitselect(p, q, f32x4.ge(v, vzero))));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, siluOf(load<f32>(x + o)));
  }
}

/** dx[i] = dy[i]·s(1 + x(1 − s)); dx may be dy. */
export function f32_silu_backward__wasmsimd(x: usize, dy: usize, dx: usize, count: i32): void {
  const vzero = vsplat(0), vone = vsplat(1);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    const e = vexpNegAbs(v);
    const p = vsigmoidOfAbs(e), q = f32x4.mul(e, p);
    const positive = f32x4.ge(v, vzero);
    const s = v128.bitselect(p, q, positive), rest = v128.bitselect(q, p, positive);
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), f32x4.mul(s, f32x4.add(vone, f32x4.mul(v, rest)))));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, siluGradOf(load<f32>(x + o), load<f32>(dy + o)));
  }
}
