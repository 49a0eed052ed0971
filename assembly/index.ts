// The module's exports: the one place that picks a kernel variant per instruction set. Each
// choice is a compile-time constant, so a binary carries only its own variant.
import { f32_gemm_4x8__wasmsimd } from "./f32-gemm/f32-gemm-4x8-wasmsimd";
import { f32_gemm_1x4__scalar } from "./f32-gemm/f32-gemm-1x4-scalar";
import { f32_gemm_nt_2x4__wasmsimd } from "./f32-gemm/f32-gemm-nt-2x4-wasmsimd";
import { f32_gemm_nt_2x4__scalar } from "./f32-gemm/f32-gemm-nt-2x4-scalar";
import { f32_rowsum_accumulate__wasmsimd } from "./f32-rowsum/f32-rowsum-wasmsimd";
import { f32_rowsum_accumulate__scalar } from "./f32-rowsum/f32-rowsum-scalar";
import { DwPlan } from "./f32-dwconv/f32-dwconv-plan";
import { f32_dwconv_fwd__wasmsimd } from "./f32-dwconv/f32-dwconv-fwd-wasmsimd";
import { f32_dwconv_fwd__scalar } from "./f32-dwconv/f32-dwconv-fwd-scalar";
import { f32_dwconv_fwd_3x3__wasmsimd } from "./f32-dwconv/f32-dwconv-3x3-wasmsimd";
import { f32_dwconv_fwd_3x3__scalar } from "./f32-dwconv/f32-dwconv-3x3-scalar";
import { f32_dwconv_dx__wasmsimd } from "./f32-dwconv/f32-dwconv-dx-wasmsimd";
import { f32_dwconv_dx__scalar } from "./f32-dwconv/f32-dwconv-dx-scalar";
import { f32_dwconv_dw__wasmsimd } from "./f32-dwconv/f32-dwconv-dw-wasmsimd";
import { f32_dwconv_dw__scalar } from "./f32-dwconv/f32-dwconv-dw-scalar";

export { f32_col2im } from "./f32-im2col/f32-col2im";
import { f32_subconv_dx as subconvDx } from "./f32-subconv/f32-subconv-dx";
import { SubconvPlan } from "./f32-subconv/f32-subconv-plan";
import { f32_relu__wasmsimd, f32_relu_backward__wasmsimd } from "./f32-relu/f32-relu-wasmsimd";
import { f32_relu__scalar, f32_relu_backward__scalar } from "./f32-relu/f32-relu-scalar";
import {
  f32_leaky_relu__wasmsimd, f32_leaky_relu_backward__wasmsimd, f32_clip__wasmsimd, f32_clip_backward__wasmsimd, f32_hardsigmoid__wasmsimd, f32_hardsigmoid_backward__wasmsimd, f32_hardswish__wasmsimd, f32_hardswish_backward__wasmsimd, f32_sigmoid__wasmsimd, f32_sigmoid_backward__wasmsimd, f32_tanh__wasmsimd, f32_tanh_backward__wasmsimd, f32_silu__wasmsimd, f32_silu_backward__wasmsimd,
} from "./f32-activation/f32-activation-wasmsimd";
import {
  f32_leaky_relu__scalar, f32_leaky_relu_backward__scalar, f32_clip__scalar, f32_clip_backward__scalar, f32_hardsigmoid__scalar, f32_hardsigmoid_backward__scalar, f32_hardswish__scalar, f32_hardswish_backward__scalar, f32_sigmoid__scalar, f32_sigmoid_backward__scalar, f32_tanh__scalar, f32_tanh_backward__scalar, f32_silu__scalar, f32_silu_backward__scalar,
} from "./f32-activation/f32-activation-scalar";
import { f32_maxpool2d__wasmsimd } from "./f32-maxpool/f32-maxpool2d-wasmsimd";
import { f32_maxpool2d__scalar } from "./f32-maxpool/f32-maxpool2d-scalar";
import {
  f32_sgd_momentum__scalar, f32_sgd_nesterov__scalar, f32_adam__scalar, f32_adamw__scalar, f32_sum_squares__scalar, f32_scale__scalar,
} from "./f32-optim/f32-optim-scalar";
import { f32_add__wasmsimd } from "./f32-add/f32-add-wasmsimd";
import { f32_add__scalar } from "./f32-add/f32-add-scalar";
import { f32_dropout__wasmsimd, f32_mul__wasmsimd } from "./f32-dropout/f32-dropout-wasmsimd";
import { f32_dropout__scalar, f32_mul__scalar } from "./f32-dropout/f32-dropout-scalar";
import { f32_global_avgpool__wasmsimd, f32_global_avgpool_backward__wasmsimd } from "./f32-avgpool/f32-global-avgpool-wasmsimd";
import { f32_global_avgpool__scalar, f32_global_avgpool_backward__scalar } from "./f32-avgpool/f32-global-avgpool-scalar";
import { f32_avgpool2d__scalar, f32_avgpool2d_backward__scalar } from "./f32-avgpool/f32-avgpool2d-scalar";
import { f32_avgpool2d__wasmsimd } from "./f32-avgpool/f32-avgpool2d-wasmsimd";
import {
  f32_channel_sums__wasmsimd, f32_channel_sqdev__wasmsimd, f32_channel_dy_sums__wasmsimd,
  f32_channel_normalize__wasmsimd, f32_batchnorm_dx__wasmsimd,
} from "./f32-batchnorm/f32-batchnorm-wasmsimd";
import {
  f32_channel_sums__scalar, f32_channel_sqdev__scalar, f32_channel_dy_sums__scalar,
  f32_channel_normalize__scalar, f32_batchnorm_dx__scalar,
} from "./f32-batchnorm/f32-batchnorm-scalar";

export { f32_fill_rows, f32_zero } from "./f32-fill/f32-fill";
export { f32_clip_rows } from "./f32-activation/f32-clip-rows";
export { f32_pack_a_x4 } from "./f32-pack/f32-pack-a-x4";
export { f32_gemm_packed, f32_gemm_packed_bias, f32_gemm_im2col, f32_gemm_im2row } from "./f32-gemm/f32-gemm-packed";
export { f32_pad_image, f32_conv_tap_offsets } from "./f32-pack/f32-pad-image";
export { f32_flip_weights } from "./f32-pack/f32-flip-weights";
import { GEMM_WORK_BYTES } from "./f32-gemm/f32-gemm-packed";

/** Bytes of work space f32_gemm_packed needs. */
export function f32_gemm_packed_work_bytes(): usize {
  return GEMM_WORK_BYTES;
}
export { f32_fill_cols, f32_colsum } from "./f32-bias/f32-bias";
export { f32_maxpool2d_backward } from "./f32-maxpool/f32-maxpool2d-backward";
export { f32_softmax_xent } from "./f32-xent/f32-softmax-xent";
export { f32_softmax_rows, f32_softmax_rows_backward } from "./f32-xent/f32-softmax";
export { f32_copy_rows } from "./f32-concat/f32-copy-rows";

/** Which build this is: 0 scalar, 1 simd, 2 relaxed-simd (lets the host check a binary a user supplied). */
export function kernel_isa(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 2 : ASC_FEATURE_SIMD ? 1 : 0;
}

/** First byte past the module's static data: the host places tensors from here on. */
export function heap_base(): usize {
  return __heap_base;
}

/** C[m×n] (= or +=) A[m×k]·B[k×n]; strides in bytes (see f32_gemm_4x8__wasmsimd). */
export function f32_gemm(
  m: i32, n: i32, k: i32,
  a: usize, aRowStride: usize, aColStride: usize,
  b: usize, bRowStride: usize,
  c: usize, cRowStride: usize,
  accumulate: bool,
): void {
  if (ASC_FEATURE_SIMD) {
    f32_gemm_4x8__wasmsimd(m, n, k, a, aRowStride, aColStride, b, bRowStride, c, cRowStride, accumulate);
  } else {
    f32_gemm_1x4__scalar(m, n, k, a, aRowStride, aColStride, b, bRowStride, c, cRowStride, accumulate);
  }
}

/** C[m×n] (= or +=) A[m×k]·B[n×k]ᵀ: both k-contiguous, byte row strides (see f32_gemm_nt_2x4__wasmsimd). */
export function f32_gemm_nt(
  m: i32, n: i32, k: i32,
  a: usize, aRowStride: usize,
  b: usize, bRowStride: usize,
  c: usize, cRowStride: usize,
  accumulate: bool,
): void {
  if (ASC_FEATURE_SIMD) f32_gemm_nt_2x4__wasmsimd(m, n, k, a, aRowStride, b, bRowStride, c, cRowStride, accumulate);
  else f32_gemm_nt_2x4__scalar(m, n, k, a, aRowStride, b, bRowStride, c, cRowStride, accumulate);
}

/** sums[r] += Σ_j x[r][j]. */
export function f32_rowsum_accumulate(x: usize, rows: i32, cols: i32, sums: usize): void {
  if (ASC_FEATURE_SIMD) f32_rowsum_accumulate__wasmsimd(x, rows, cols, sums);
  else f32_rowsum_accumulate__scalar(x, rows, cols, sums);
}

/** y = max(x, 0) over count floats (in place allowed). */
export function f32_relu(x: usize, y: usize, count: i32): void {
  if (ASC_FEATURE_SIMD) f32_relu__wasmsimd(x, y, count);
  else f32_relu__scalar(x, y, count);
}

/** dx = y > 0 ? dy : 0 over count floats (in place allowed). */
export function f32_relu_backward(y: usize, dy: usize, dx: usize, count: i32): void {
  if (ASC_FEATURE_SIMD) f32_relu_backward__wasmsimd(y, dy, dx, count);
  else f32_relu_backward__scalar(y, dy, dx, count);
}

/** y = x > 0 ? x : slope·x over count floats (in place allowed). */
export function f32_leaky_relu(x: usize, y: usize, count: i32, slope: f32): void {
  if (ASC_FEATURE_SIMD) f32_leaky_relu__wasmsimd(x, y, count, slope);
  else f32_leaky_relu__scalar(x, y, count, slope);
}

/** dx = x > 0 ? dy : slope·dy (x the input) over count floats (in place allowed). */
export function f32_leaky_relu_backward(x: usize, dy: usize, dx: usize, count: i32, slope: f32): void {
  if (ASC_FEATURE_SIMD) f32_leaky_relu_backward__wasmsimd(x, dy, dx, count, slope);
  else f32_leaky_relu_backward__scalar(x, dy, dx, count, slope);
}

/** y = min(max(x, lo), hi) over count floats (in place allowed). */
export function f32_clip(x: usize, y: usize, count: i32, lo: f32, hi: f32): void {
  if (ASC_FEATURE_SIMD) f32_clip__wasmsimd(x, y, count, lo, hi);
  else f32_clip__scalar(x, y, count, lo, hi);
}

/** dx = lo < x < hi ? dy : 0 over count floats (in place allowed). */
export function f32_clip_backward(x: usize, dy: usize, dx: usize, count: i32, lo: f32, hi: f32): void {
  if (ASC_FEATURE_SIMD) f32_clip_backward__wasmsimd(x, dy, dx, count, lo, hi);
  else f32_clip_backward__scalar(x, dy, dx, count, lo, hi);
}

/** y = min(max(alpha·x + beta, 0), 1) over count floats (in place allowed). */
export function f32_hardsigmoid(x: usize, y: usize, count: i32, alpha: f32, beta: f32): void {
  if (ASC_FEATURE_SIMD) f32_hardsigmoid__wasmsimd(x, y, count, alpha, beta);
  else f32_hardsigmoid__scalar(x, y, count, alpha, beta);
}

/** dx = 0 < alpha·x + beta < 1 ? alpha·dy : 0 over count floats (in place allowed). */
export function f32_hardsigmoid_backward(x: usize, dy: usize, dx: usize, count: i32, alpha: f32, beta: f32): void {
  if (ASC_FEATURE_SIMD) f32_hardsigmoid_backward__wasmsimd(x, dy, dx, count, alpha, beta);
  else f32_hardsigmoid_backward__scalar(x, dy, dx, count, alpha, beta);
}

/** y = x·min(max(x/6 + 1/2, 0), 1) over count floats (in place allowed). */
export function f32_hardswish(x: usize, y: usize, count: i32): void {
  if (ASC_FEATURE_SIMD) f32_hardswish__wasmsimd(x, y, count);
  else f32_hardswish__scalar(x, y, count);
}

/** dx = dy·hardswish'(x) over count floats (in place allowed). */
export function f32_hardswish_backward(x: usize, dy: usize, dx: usize, count: i32): void {
  if (ASC_FEATURE_SIMD) f32_hardswish_backward__wasmsimd(x, dy, dx, count);
  else f32_hardswish_backward__scalar(x, dy, dx, count);
}

/** y = 1/(1 + e^−x) over count floats (in place allowed). */
export function f32_sigmoid(x: usize, y: usize, count: i32): void {
  if (ASC_FEATURE_SIMD) f32_sigmoid__wasmsimd(x, y, count);
  else f32_sigmoid__scalar(x, y, count);
}

/** dx = dy·s(1 − s), s = sigmoid(x) over count floats (in place allowed). */
export function f32_sigmoid_backward(x: usize, dy: usize, dx: usize, count: i32): void {
  if (ASC_FEATURE_SIMD) f32_sigmoid_backward__wasmsimd(x, dy, dx, count);
  else f32_sigmoid_backward__scalar(x, dy, dx, count);
}

/** y = tanh(x) over count floats (in place allowed). */
export function f32_tanh(x: usize, y: usize, count: i32): void {
  if (ASC_FEATURE_SIMD) f32_tanh__wasmsimd(x, y, count);
  else f32_tanh__scalar(x, y, count);
}

/** dx = dy·(1 − tanh²x) over count floats (in place allowed). */
export function f32_tanh_backward(x: usize, dy: usize, dx: usize, count: i32): void {
  if (ASC_FEATURE_SIMD) f32_tanh_backward__wasmsimd(x, dy, dx, count);
  else f32_tanh_backward__scalar(x, dy, dx, count);
}

/** y = x·sigmoid(x) over count floats (in place allowed). */
export function f32_silu(x: usize, y: usize, count: i32): void {
  if (ASC_FEATURE_SIMD) f32_silu__wasmsimd(x, y, count);
  else f32_silu__scalar(x, y, count);
}

/** dx = dy·s(1 + x(1 − s)) over count floats (in place allowed). */
export function f32_silu_backward(x: usize, dy: usize, dx: usize, count: i32): void {
  if (ASC_FEATURE_SIMD) f32_silu_backward__wasmsimd(x, dy, dx, count);
  else f32_silu_backward__scalar(x, dy, dx, count);
}

/** Max pooling with padding (never winning); idx keeps each output's argmax (see f32_maxpool2d__scalar). */
export function f32_maxpool2d(
  x: usize, planes: i32, inH: i32, inW: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, padT: i32, padL: i32, outH: i32, outW: i32, y: usize, idx: usize,
): void {
  if (ASC_FEATURE_SIMD) f32_maxpool2d__wasmsimd(x, planes, inH, inW, kernelH, kernelW, strideH, strideW, padT, padL, outH, outW, y, idx);
  else f32_maxpool2d__scalar(x, planes, inH, inW, kernelH, kernelW, strideH, strideW, padT, padL, outH, outW, y, idx);
}

/** y = a + b over count floats (y may be a or b). */
export function f32_add(a: usize, b: usize, y: usize, count: i32): void {
  if (ASC_FEATURE_SIMD) f32_add__wasmsimd(a, b, y, count);
  else f32_add__scalar(a, b, y, count);
}

/** y = a·b over count floats. */
export function f32_mul(a: usize, b: usize, y: usize, count: i32): void {
  if (ASC_FEATURE_SIMD) f32_mul__wasmsimd(a, b, y, count);
  else f32_mul__scalar(a, b, y, count);
}

/** Inverted dropout of elements first … first+count−1 (see f32-dropout/). */
export function f32_dropout(x: usize, y: usize, mask: usize, count: i32, first: u32, key: u32, threshold: u32, scale: f32): void {
  if (ASC_FEATURE_SIMD) f32_dropout__wasmsimd(x, y, mask, count, first, key, threshold, scale);
  else f32_dropout__scalar(x, y, mask, count, first, key, threshold, scale);
}

/** y[p] = mean of plane p, for `planes` consecutive planes of `plane` floats. */
export function f32_global_avgpool(x: usize, planes: i32, plane: i32, y: usize): void {
  if (ASC_FEATURE_SIMD) f32_global_avgpool__wasmsimd(x, planes, plane, y);
  else f32_global_avgpool__scalar(x, planes, plane, y);
}

/** dx[p][j] = dy[p] / plane. */
export function f32_global_avgpool_backward(dy: usize, planes: i32, plane: i32, dx: usize): void {
  if (ASC_FEATURE_SIMD) f32_global_avgpool_backward__wasmsimd(dy, planes, plane, dx);
  else f32_global_avgpool_backward__scalar(dy, planes, plane, dx);
}

/** Average pooling, PyTorch's rules (see f32-avgpool/f32-avgpool2d-scalar.ts). */
export function f32_avgpool2d(
  x: usize, planes: i32, inH: i32, inW: i32, kH: i32, kW: i32, sH: i32, sW: i32, padT: i32, padL: i32,
  outH: i32, outW: i32, countIncludePad: bool, y: usize,
): void {
  if (ASC_FEATURE_SIMD) f32_avgpool2d__wasmsimd(x, planes, inH, inW, kH, kW, sH, sW, padT, padL, outH, outW, countIncludePad, y);
  else f32_avgpool2d__scalar(x, planes, inH, inW, kH, kW, sH, sW, padT, padL, outH, outW, countIncludePad, y);
}

/** dx of average pooling (overwritten; scalar in every build, as max pooling's backward). */
export function f32_avgpool2d_backward(
  dy: usize, planes: i32, inH: i32, inW: i32, kH: i32, kW: i32, sH: i32, sW: i32, padT: i32, padL: i32,
  outH: i32, outW: i32, countIncludePad: bool, dx: usize,
): void {
  f32_avgpool2d_backward__scalar(dy, planes, inH, inW, kH, kW, sH, sW, padT, padL, outH, outW, countIncludePad, dx);
}

// Batch normalisation, per channel block of x [images][channels][plane] (see f32-batchnorm/).

/** sums[c] = Σ x over the images and the plane. */
export function f32_channel_sums(x: usize, images: i32, channels: i32, plane: i32, imageStride: i32, sums: usize): void {
  if (ASC_FEATURE_SIMD) f32_channel_sums__wasmsimd(x, images, channels, plane, imageStride, sums);
  else f32_channel_sums__scalar(x, images, channels, plane, imageStride, sums);
}

/** out[c] = Σ (x − center[c])². */
export function f32_channel_sqdev(x: usize, images: i32, channels: i32, plane: i32, imageStride: i32, center: usize, out: usize): void {
  if (ASC_FEATURE_SIMD) f32_channel_sqdev__wasmsimd(x, images, channels, plane, imageStride, center, out);
  else f32_channel_sqdev__scalar(x, images, channels, plane, imageStride, center, out);
}

/** sumDy[c] = Σ dy, sumDyXc[c] = Σ dy·(x − center[c]). */
export function f32_channel_dy_sums(
  dy: usize, x: usize, images: i32, channels: i32, plane: i32, imageStride: i32, center: usize, sumDy: usize, sumDyXc: usize,
): void {
  if (ASC_FEATURE_SIMD) f32_channel_dy_sums__wasmsimd(dy, x, images, channels, plane, imageStride, center, sumDy, sumDyXc);
  else f32_channel_dy_sums__scalar(dy, x, images, channels, plane, imageStride, center, sumDy, sumDyXc);
}

/** y = (x − center[c])·scale[c] + shift[c]. */
export function f32_channel_normalize(
  x: usize, images: i32, channels: i32, plane: i32, imageStride: i32, center: usize, scale: usize, shift: usize, y: usize,
): void {
  if (ASC_FEATURE_SIMD) f32_channel_normalize__wasmsimd(x, images, channels, plane, imageStride, center, scale, shift, y);
  else f32_channel_normalize__scalar(x, images, channels, plane, imageStride, center, scale, shift, y);
}

/** dx = a[c]·dy + b[c]·(x − center[c]) + k[c]. */
export function f32_batchnorm_dx(
  dy: usize, x: usize, images: i32, channels: i32, plane: i32, imageStride: i32,
  center: usize, a: usize, b: usize, k: usize, dx: usize,
): void {
  if (ASC_FEATURE_SIMD) f32_batchnorm_dx__wasmsimd(dy, x, images, channels, plane, imageStride, center, a, b, k, dx);
  else f32_batchnorm_dx__scalar(dy, x, images, channels, plane, imageStride, center, a, b, k, dx);
}

/** SGD with momentum and weight decay (see f32_sgd_momentum__scalar). */
export function f32_sgd_momentum(w: usize, g: usize, v: usize, count: i32, lr: f32, momentum: f32, weightDecay: f32, scale: f32): void {
  f32_sgd_momentum__scalar(w, g, v, count, lr, momentum, weightDecay, scale);
}

/** Adam with weight decay (see f32_adam__scalar). */
export function f32_adam(
  w: usize, g: usize, m: usize, v: usize, count: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, weightDecay: f32, scale: f32, bc1: f32, bc2: f32,
): void {
  f32_adam__scalar(w, g, m, v, count, lr, beta1, beta2, eps, weightDecay, scale, bc1, bc2);
}

/** SGD with Nesterov momentum and weight decay (see f32_sgd_nesterov__scalar). */
export function f32_sgd_nesterov(w: usize, g: usize, v: usize, count: i32, lr: f32, momentum: f32, weightDecay: f32, scale: f32): void {
  f32_sgd_nesterov__scalar(w, g, v, count, lr, momentum, weightDecay, scale);
}

/** AdamW: Adam with decoupled weight decay (see f32_adamw__scalar). */
export function f32_adamw(
  w: usize, g: usize, m: usize, v: usize, count: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, weightDecay: f32, scale: f32, bc1: f32, bc2: f32,
): void {
  f32_adamw__scalar(w, g, m, v, count, lr, beta1, beta2, eps, weightDecay, scale, bc1, bc2);
}

/** Σ x² in f64 (see f32_sum_squares__scalar). */
export function f32_sum_squares(x: usize, count: i32): f64 {
  return f32_sum_squares__scalar(x, count);
}

/** x ← x·scale (see f32_scale__scalar). */
export function f32_scale(x: usize, count: i32, scale: f32): void {
  f32_scale__scalar(x, count, scale);
}

/** Stride-(sh, 2) dX of one image and group with at most 3 input channels, by stride phase (see f32-subconv/). */
export function f32_subconv_dx(plan: usize, dy: usize, packedW: usize, dx: usize, work: usize): void {
  subconvDx(changetype<SubconvPlan>(plan), dy, packedW, dx, work);
}

// Depthwise convolution, one image per call, driven by a plan (see f32-dwconv/f32-dwconv-plan.ts)
// that src/ops/passes/depthwise.ts writes into scratch; `padded` is the scratch after it.

/** y = depthwise conv of x (+ bias; 0 = none). */
export function f32_dwconv_fwd(plan: usize, x: usize, w: usize, bias: usize, y: usize, padded: usize): void {
  if (ASC_FEATURE_SIMD) f32_dwconv_fwd__wasmsimd(changetype<DwPlan>(plan), x, w, bias, y, padded);
  else f32_dwconv_fwd__scalar(changetype<DwPlan>(plan), x, w, bias, y, padded);
}

/** f32_dwconv_fwd for a 3×3 kernel at stride `stride` (1 or 2) in both axes and dilation 1 (the host checks). */
export function f32_dwconv_fwd_3x3(plan: usize, x: usize, w: usize, bias: usize, y: usize, padded: usize, stride: i32, lo: f32, hi: f32): void {
  if (ASC_FEATURE_SIMD) f32_dwconv_fwd_3x3__wasmsimd(changetype<DwPlan>(plan), x, w, bias, y, padded, stride, lo, hi);
  else f32_dwconv_fwd_3x3__scalar(changetype<DwPlan>(plan), x, w, bias, y, padded, stride, lo, hi);
}

/** dx = input gradient (overwritten). */
export function f32_dwconv_dx(plan: usize, dy: usize, w: usize, dx: usize, padded: usize): void {
  if (ASC_FEATURE_SIMD) f32_dwconv_dx__wasmsimd(changetype<DwPlan>(plan), dy, w, dx, padded);
  else f32_dwconv_dx__scalar(changetype<DwPlan>(plan), dy, w, dx, padded);
}

/** dw += filter gradient, db += bias gradient of one image. */
export function f32_dwconv_dw(plan: usize, dy: usize, x: usize, dw: usize, db: usize, padded: usize): void {
  if (ASC_FEATURE_SIMD) f32_dwconv_dw__wasmsimd(changetype<DwPlan>(plan), dy, x, dw, db, padded);
  else f32_dwconv_dw__scalar(changetype<DwPlan>(plan), dy, x, dw, db, padded);
}

// Winograd F(4×4, 3×3) (see f32-winograd/ and src/ops/passes/winograd.ts); `work` is 36
// vectors (576 bytes) of per-thread scratch.
export { f32_winograd_gemm } from "./f32-winograd/f32-winograd-gemm";
import { f32_winograd_filter_4x4_3x3__wasmsimd } from "./f32-winograd/f32-winograd-filter-4x4-3x3-wasmsimd";
import { f32_winograd_filter_4x4_3x3__scalar } from "./f32-winograd/f32-winograd-filter-4x4-3x3-scalar";
import { f32_winograd_input_4x4_3x3__wasmsimd, f32_winograd_input_by_channel_4x4_3x3__wasmsimd } from "./f32-winograd/f32-winograd-input-4x4-3x3-wasmsimd";
import { f32_winograd_input_4x4_3x3__scalar, f32_winograd_input_by_channel_4x4_3x3__scalar } from "./f32-winograd/f32-winograd-input-4x4-3x3-scalar";
import { f32_winograd_dy_4x4_3x3__wasmsimd } from "./f32-winograd/f32-winograd-dy-4x4-3x3-wasmsimd";
import { f32_winograd_dy_4x4_3x3__scalar } from "./f32-winograd/f32-winograd-dy-4x4-3x3-scalar";
import { f32_winograd_filter_grad_4x4_3x3__wasmsimd } from "./f32-winograd/f32-winograd-filter-grad-4x4-3x3-wasmsimd";
import { f32_winograd_filter_grad_4x4_3x3__scalar } from "./f32-winograd/f32-winograd-filter-grad-4x4-3x3-scalar";
import { f32_winograd_output_4x4_3x3__wasmsimd } from "./f32-winograd/f32-winograd-output-4x4-3x3-wasmsimd";
import { f32_winograd_output_4x4_3x3__scalar } from "./f32-winograd/f32-winograd-output-4x4-3x3-scalar";

/** U[ξ] = G·g·Gᵀ for the filters g of a rows×cols grid (strided, optionally flipped), packed as the GEMM's A operand (see the SIMD kernel). */
export function f32_winograd_filter_4x4_3x3(
  w: usize, rows: i32, cols: i32, rowStride: usize, colStride: usize, flip: bool, u: usize, uXiBytes: usize, work: usize,
): void {
  if (ASC_FEATURE_SIMD) f32_winograd_filter_4x4_3x3__wasmsimd(w, rows, cols, rowStride, colStride, flip, u, uXiBytes, work);
  else f32_winograd_filter_4x4_3x3__scalar(w, rows, cols, rowStride, colStride, flip, u, uXiBytes, work);
}

/** V[ξ] = Bᵀ·d·B for tiles [firstTile, firstTile + count) of a padded image, as the GEMM's B panels. */
export function f32_winograd_input_4x4_3x3(
  padded: usize, channels: i32, planeBytes: usize, paddedW: i32,
  tilesW: i32, firstTile: i32, count: i32, v: usize, vXiBytes: usize, work: usize,
): void {
  if (ASC_FEATURE_SIMD) f32_winograd_input_4x4_3x3__wasmsimd(padded, channels, planeBytes, paddedW, tilesW, firstTile, count, v, vXiBytes, work);
  else f32_winograd_input_4x4_3x3__scalar(padded, channels, planeBytes, paddedW, tilesW, firstTile, count, v, vXiBytes, work);
}

/** y tiles [firstTile, firstTile + count) = min(max(Aᵀ·M·A (+ bias; 0 = none), lo), hi), clipped to outH×outW. */
export function f32_winograd_output_4x4_3x3(
  m: usize, mXiBytes: usize, mRowBytes: usize, outChannels: i32,
  tilesW: i32, firstTile: i32, count: i32, bias: usize, lo: f32, hi: f32, y: usize, outH: i32, outW: i32, work: usize,
): void {
  if (ASC_FEATURE_SIMD) f32_winograd_output_4x4_3x3__wasmsimd(m, mXiBytes, mRowBytes, outChannels, tilesW, firstTile, count, bias, lo, hi, y, outH, outW, work);
  else f32_winograd_output_4x4_3x3__scalar(m, mXiBytes, mRowBytes, outChannels, tilesW, firstTile, count, bias, lo, hi, y, outH, outW, work);
}

/** V[ξ] = Bᵀ·d·B laid out for the weight gradient: B panels of 8 channels over the block's tiles. */
export function f32_winograd_input_by_channel_4x4_3x3(
  padded: usize, channels: i32, planeBytes: usize, paddedW: i32,
  tilesW: i32, firstTile: i32, count: i32, v: usize, vXiBytes: usize, work: usize,
): void {
  if (ASC_FEATURE_SIMD) f32_winograd_input_by_channel_4x4_3x3__wasmsimd(padded, channels, planeBytes, paddedW, tilesW, firstTile, count, v, vXiBytes, work);
  else f32_winograd_input_by_channel_4x4_3x3__scalar(padded, channels, planeBytes, paddedW, tilesW, firstTile, count, v, vXiBytes, work);
}

/** E[ξ] = A·e·Aᵀ for dY's 4×4 tiles, packed as the weight gradient GEMMs' A operand. */
export function f32_winograd_dy_4x4_3x3(
  dy: usize, channels: i32, planeBytes: usize, paddedW: i32,
  tilesW: i32, firstTile: i32, count: i32, e: usize, eXiBytes: usize, work: usize,
): void {
  if (ASC_FEATURE_SIMD) f32_winograd_dy_4x4_3x3__wasmsimd(dy, channels, planeBytes, paddedW, tilesW, firstTile, count, e, eXiBytes, work);
  else f32_winograd_dy_4x4_3x3__scalar(dy, channels, planeBytes, paddedW, tilesW, firstTile, count, e, eXiBytes, work);
}

/** dw[o][c] = Gᵀ·M[·][o][c]·G (overwritten). */
export function f32_winograd_filter_grad_4x4_3x3(m: usize, mXiBytes: usize, mRowBytes: usize, rows: i32, cols: i32, dw: usize, work: usize): void {
  if (ASC_FEATURE_SIMD) f32_winograd_filter_grad_4x4_3x3__wasmsimd(m, mXiBytes, mRowBytes, rows, cols, dw, work);
  else f32_winograd_filter_grad_4x4_3x3__scalar(m, mXiBytes, mRowBytes, rows, cols, dw, work);
}

// Winograd F(4, 3) for conv1d (see f32-winograd/ and src/ops/passes/winograd1d.ts): the 1-D
// factors of the transforms above, on the same GEMMs (f32_winograd_gemm with 6 points).
import { f32_winograd_filter_4_3__wasmsimd } from "./f32-winograd/f32-winograd-filter-4-3-wasmsimd";
import { f32_winograd_filter_4_3__scalar } from "./f32-winograd/f32-winograd-filter-4-3-scalar";
import { f32_winograd_input_4_3__wasmsimd, f32_winograd_input_by_channel_4_3__wasmsimd } from "./f32-winograd/f32-winograd-input-4-3-wasmsimd";
import { f32_winograd_input_4_3__scalar, f32_winograd_input_by_channel_4_3__scalar } from "./f32-winograd/f32-winograd-input-4-3-scalar";
import { f32_winograd_output_4_3__wasmsimd } from "./f32-winograd/f32-winograd-output-4-3-wasmsimd";
import { f32_winograd_output_4_3__scalar } from "./f32-winograd/f32-winograd-output-4-3-scalar";
import { f32_winograd_dy_4_3__wasmsimd } from "./f32-winograd/f32-winograd-dy-4-3-wasmsimd";
import { f32_winograd_dy_4_3__scalar } from "./f32-winograd/f32-winograd-dy-4-3-scalar";
import { f32_winograd_filter_grad_4_3__wasmsimd } from "./f32-winograd/f32-winograd-filter-grad-4-3-wasmsimd";
import { f32_winograd_filter_grad_4_3__scalar } from "./f32-winograd/f32-winograd-filter-grad-4-3-scalar";

/** U[ξ] = G·g for the 3-tap filters of a rows×cols grid (strided, optionally reversed), packed as the GEMM's A operand. */
export function f32_winograd_filter_4_3(
  w: usize, rows: i32, cols: i32, rowStride: usize, colStride: usize, flip: bool, u: usize, uXiBytes: usize,
): void {
  if (ASC_FEATURE_SIMD) f32_winograd_filter_4_3__wasmsimd(w, rows, cols, rowStride, colStride, flip, u, uXiBytes);
  else f32_winograd_filter_4_3__scalar(w, rows, cols, rowStride, colStride, flip, u, uXiBytes);
}

/** V[ξ] = Bᵀ·d for tiles [firstTile, firstTile + count) of a padded row per channel, as the GEMM's B panels. */
export function f32_winograd_input_4_3(
  padded: usize, channels: i32, planeBytes: usize, firstTile: i32, count: i32, v: usize, vXiBytes: usize,
): void {
  if (ASC_FEATURE_SIMD) f32_winograd_input_4_3__wasmsimd(padded, channels, planeBytes, firstTile, count, v, vXiBytes);
  else f32_winograd_input_4_3__scalar(padded, channels, planeBytes, firstTile, count, v, vXiBytes);
}

/** y tiles [firstTile, firstTile + count) = min(max(Aᵀ·M (+ bias; 0 = none), lo), hi), clipped to outL. */
export function f32_winograd_output_4_3(
  m: usize, mXiBytes: usize, mRowBytes: usize, outChannels: i32,
  firstTile: i32, count: i32, bias: usize, lo: f32, hi: f32, y: usize, outL: i32,
): void {
  if (ASC_FEATURE_SIMD) f32_winograd_output_4_3__wasmsimd(m, mXiBytes, mRowBytes, outChannels, firstTile, count, bias, lo, hi, y, outL);
  else f32_winograd_output_4_3__scalar(m, mXiBytes, mRowBytes, outChannels, firstTile, count, bias, lo, hi, y, outL);
}

/** V[ξ] = Bᵀ·d laid out for the weight gradient: B panels of 8 channels over the block's tiles. */
export function f32_winograd_input_by_channel_4_3(
  padded: usize, channels: i32, planeBytes: usize, firstTile: i32, count: i32, v: usize, vXiBytes: usize,
): void {
  if (ASC_FEATURE_SIMD) f32_winograd_input_by_channel_4_3__wasmsimd(padded, channels, planeBytes, firstTile, count, v, vXiBytes);
  else f32_winograd_input_by_channel_4_3__scalar(padded, channels, planeBytes, firstTile, count, v, vXiBytes);
}

/** E[ξ] = A·e for dY's tiles of 4 outputs, packed as the weight gradient GEMMs' A operand. */
export function f32_winograd_dy_4_3(
  dy: usize, channels: i32, planeBytes: usize, firstTile: i32, count: i32, e: usize, eXiBytes: usize,
): void {
  if (ASC_FEATURE_SIMD) f32_winograd_dy_4_3__wasmsimd(dy, channels, planeBytes, firstTile, count, e, eXiBytes);
  else f32_winograd_dy_4_3__scalar(dy, channels, planeBytes, firstTile, count, e, eXiBytes);
}

/** dw[o][c] = Gᵀ·M[·][o][c] (3 taps, overwritten). */
export function f32_winograd_filter_grad_4_3(m: usize, mXiBytes: usize, mRowBytes: usize, rows: i32, cols: i32, dw: usize): void {
  if (ASC_FEATURE_SIMD) f32_winograd_filter_grad_4_3__wasmsimd(m, mXiBytes, mRowBytes, rows, cols, dw);
  else f32_winograd_filter_grad_4_3__scalar(m, mXiBytes, mRowBytes, rows, cols, dw);
}
