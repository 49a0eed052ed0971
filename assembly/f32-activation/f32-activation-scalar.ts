// Element-wise activations, one float at a time: the scalar build's kernels and the SIMD
// kernels' tails. Every per-element function here does the same float32 operations in the same
// order as its f32x4 twin in f32-activation-wasmsimd.ts (no fused multiply-add), so both builds
// give the same bits. Backward passes read x (the layer's input), not y: the derivatives of
// sigmoid, tanh and SiLU are then computed from e^−|x| without the cancellation of 1 − y.

// exp(x) for x ≤ 0 (Cephes expf: x = n·ln2 + r, |r| ≤ ln2/2, degree-5 polynomial, ≤ 2 ulp in
// float32), 2ⁿ built from its exponent bits. x is clamped at −88, where n = −127 gives 2ⁿ the
// bits of 0: below about −87.7 the result is 0 (the true value is below 2⁻¹²⁶), so sigmoid(−∞)
// is 0 and tanh(±∞) is ±1; near it the result is subnormal, within 2⁻¹²⁶ of the true one.
export const EXP_MIN: f32 = -88;
export const LOG2E: f32 = 1.44269504;
export const LN2_HI: f32 = 0.693359375;
export const LN2_LO: f32 = -2.12194440e-4;
export const EXP_P0: f32 = 1.9875691500e-4;
export const EXP_P1: f32 = 1.3981999507e-3;
export const EXP_P2: f32 = 8.3334519073e-3;
export const EXP_P3: f32 = 4.1665795894e-2;
export const EXP_P4: f32 = 1.6666665459e-1;
export const EXP_P5: f32 = 5.0000001201e-1;

// tanh(x) for |x| < 0.625 (Cephes tanhf): x + x·z·P(z), z = x²; above it from e^−2|x|.
export const TANH_SMALL: f32 = 0.625;
export const TANH_P0: f32 = -5.70498872745e-3;
export const TANH_P1: f32 = 2.06390887954e-2;
export const TANH_P2: f32 = -5.37397155531e-2;
export const TANH_P3: f32 = 1.33314422036e-1;
export const TANH_P4: f32 = -3.33332819422e-1;

// HardSwish's fixed slope and offset (ONNX HardSwish, PyTorch Hardswish): x·clamp(x/6 + 1/2, 0, 1)
export const HARDSWISH_ALPHA: f32 = <f32>1 / <f32>6;
export const HARDSWISH_BETA: f32 = 0.5;

/** e^x for x ≤ 0 (see EXP_MIN). */
// @ts-ignore: decorator
@inline export function expNonPositive(x: f32): f32 {
  x = max<f32>(x, EXP_MIN);
  const n = Mathf.floor(x * LOG2E + <f32>0.5);
  let r = x - n * LN2_HI;
  r = r - n * LN2_LO;
  let p = EXP_P0 * r + EXP_P1;
  p = p * r + EXP_P2;
  p = p * r + EXP_P3;
  p = p * r + EXP_P4;
  p = p * r + EXP_P5;
  const e = p * (r * r) + r + <f32>1;
  return e * reinterpret<f32>((<i32>n + 127) << 23);
}

/** 1/(1 + e^−|x|): sigmoid(|x|), the larger of sigmoid(x) and 1 − sigmoid(x). */
// @ts-ignore: decorator
@inline function sigmoidOfAbs(e: f32): f32 {
  return <f32>1 / (<f32>1 + e);
}

// @ts-ignore: decorator
@inline export function sigmoidOf(x: f32): f32 {
  const e = expNonPositive(-abs<f32>(x));
  const p = sigmoidOfAbs(e), q = e * p; // sigmoid(|x|) and 1 − sigmoid(|x|)
  return x >= 0 ? p : q;
}

// @ts-ignore: decorator
@inline export function sigmoidGradOf(x: f32, dy: f32): f32 {
  const e = expNonPositive(-abs<f32>(x));
  const p = sigmoidOfAbs(e), q = e * p;
  return dy * (p * q);
}

// @ts-ignore: decorator
@inline export function siluOf(x: f32): f32 {
  return x * sigmoidOf(x);
}

/** d/dx x·s(x) = s·(1 + x·(1 − s)), with s and 1 − s both from e^−|x| (no cancellation). */
// @ts-ignore: decorator
@inline export function siluGradOf(x: f32, dy: f32): f32 {
  const e = expNonPositive(-abs<f32>(x));
  const p = sigmoidOfAbs(e), q = e * p;
  const s = x >= 0 ? p : q, rest = x >= 0 ? q : p;
  return dy * (s * (<f32>1 + x * rest));
}

/** tanh(|x|) by one of the two formulas, given x's sign (so tanh(−0) is −0). */
// @ts-ignore: decorator
@inline export function tanhOf(x: f32): f32 {
  const a = abs<f32>(x);
  const z = a * a;
  let p = TANH_P0 * z + TANH_P1;
  p = p * z + TANH_P2;
  p = p * z + TANH_P3;
  p = p * z + TANH_P4;
  const small = p * z * a + a;
  const e = expNonPositive(<f32>-2 * a);
  const large = (<f32>1 - e) / (<f32>1 + e);
  return copysign<f32>(a < TANH_SMALL ? small : large, x);
}

/** 1 − tanh²(x) = 4e/(1 + e)², e = e^−2|x|. */
// @ts-ignore: decorator
@inline export function tanhGradOf(x: f32, dy: f32): f32 {
  const e = expNonPositive(<f32>-2 * abs<f32>(x));
  const d = <f32>1 + e;
  return dy * ((<f32>4 * e) / (d * d));
}

// @ts-ignore: decorator
@inline export function hardSigmoidOf(x: f32, alpha: f32, beta: f32): f32 {
  return min<f32>(max<f32>(alpha * x + beta, 0), 1);
}

// @ts-ignore: decorator
@inline export function hardSigmoidGradOf(x: f32, dy: f32, alpha: f32, beta: f32): f32 {
  const v = alpha * x + beta;
  return v > 0 && v < 1 ? dy * alpha : 0;
}

// @ts-ignore: decorator
@inline export function hardSwishOf(x: f32): f32 {
  return x * min<f32>(max<f32>(HARDSWISH_ALPHA * x + HARDSWISH_BETA, 0), 1);
}

/** dy times 0 where x/6 + 1/2 ≤ 0 (or NaN), 1 where it is ≥ 1, x/3 + 1/2 between. */
// @ts-ignore: decorator
@inline export function hardSwishGradOf(x: f32, dy: f32): f32 {
  const v = HARDSWISH_ALPHA * x + HARDSWISH_BETA;
  const slope: f32 = v >= 1 ? 1 : (<f32>2 * HARDSWISH_ALPHA) * x + HARDSWISH_BETA;
  return v > 0 ? dy * slope : 0;
}

/** y[i] = x[i] > 0 ? x[i] : slope·x[i]; y may be x. */
export function f32_leaky_relu__scalar(x: usize, y: usize, count: i32, slope: f32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v > 0 ? v : slope * v);
  }
}

/** dx[i] = x[i] > 0 ? dy[i] : slope·dy[i]; dx may be dy. */
export function f32_leaky_relu_backward__scalar(x: usize, dy: usize, dx: usize, count: i32, slope: f32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(dy + o);
    store<f32>(dx + o, load<f32>(x + o) > 0 ? g : slope * g);
  }
}

/** y[i] = min(max(x[i], lo), hi) (NaN stays NaN); y may be x. */
export function f32_clip__scalar(x: usize, y: usize, count: i32, lo: f32, hi: f32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, min<f32>(max<f32>(load<f32>(x + o), lo), hi));
  }
}

/** dx[i] = lo < x[i] < hi ? dy[i] : 0 (PyTorch's hardtanh/ReLU6 rule); dx may be dy. */
export function f32_clip_backward__scalar(x: usize, dy: usize, dx: usize, count: i32, lo: f32, hi: f32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(dx + o, v > lo && v < hi ? load<f32>(dy + o) : <f32>0);
  }
}

/** y[i] = min(max(alpha·x[i] + beta, 0), 1); y may be x. */
export function f32_hardsigmoid__scalar(x: usize, y: usize, count: i32, alpha: f32, beta: f32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, hardSigmoidOf(load<f32>(x + o), alpha, beta));
  }
}

/** dx[i] = 0 < alpha·x[i] + beta < 1 ? alpha·dy[i] : 0; dx may be dy. */
export function f32_hardsigmoid_backward__scalar(x: usize, dy: usize, dx: usize, count: i32, alpha: f32, beta: f32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, hardSigmoidGradOf(load<f32>(x + o), load<f32>(dy + o), alpha, beta));
  }
}

/** y[i] = x[i]·min(max(x[i]/6 + 1/2, 0), 1); y may be x. */
export function f32_hardswish__scalar(x: usize, y: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, hardSwishOf(load<f32>(x + o)));
  }
}

export function f32_hardswish_backward__scalar(x: usize, dy: usize, dx: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, hardSwishGradOf(load<f32>(x + o), load<f32>(dy + o)));
  }
}

/** y[i] = 1/(1 + e^−x[i]); y may be x. */
export function f32_sigmoid__scalar(x: usize, y: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, sigmoidOf(load<f32>(x + o)));
  }
}

/** dx[i] = dy[i]·s(1 − s), s = sigmoid(x[i]); dx may be dy. */
export function f32_sigmoid_backward__scalar(x: usize, dy: usize, dx: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, sigmoidGradOf(load<f32>(x + o), load<f32>(dy + o)));
  }
}

/** y[i] = tanh(x[i]); y may be x. */
export function f32_tanh__scalar(x: usize, y: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, tanhOf(load<f32>(x + o)));
  }
}

/** dx[i] = dy[i]·(1 − tanh²(x[i])); dx may be dy. */
export function f32_tanh_backward__scalar(x: usize, dy: usize, dx: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, tanhGradOf(load<f32>(x + o), load<f32>(dy + o)));
  }
}

/** y[i] = x[i]·sigmoid(x[i]); y may be x. */
export function f32_silu__scalar(x: usize, y: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, siluOf(load<f32>(x + o)));
  }
}

/** dx[i] = dy[i]·s(1 + x(1 − s)), s = sigmoid(x[i]); dx may be dy. */
export function f32_silu_backward__scalar(x: usize, dy: usize, dx: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, siluGradOf(load<f32>(x + o), load<f32>(dy + o)));
  }
}
