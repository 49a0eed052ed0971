import { f32_dwconv_pad__scalar } from "./f32-dwconv-pad-scalar";
import { DwPlan, TAP_BYTES, firstRegion, tapsOf } from "./f32-dwconv-plan";

/** Scalar twin of f32_dwconv_fwd_3x3__wasmsimd, same contract: the nine weights in locals, taps summed in (ky, kx) order. */
export function f32_dwconv_fwd_3x3__scalar(plan: DwPlan, x: usize, w: usize, bias: usize, y: usize, padded: usize, stride: i32, lo: f32, hi: f32): void {
  const clamping = lo > -Infinity || hi < Infinity;
  memory.fill(padded, 0, <usize>plan.padBytes * <usize>plan.padPlanes);
  const multiplier = plan.multiplier;
  for (let c = 0; c < plan.channels; c++) {
    f32_dwconv_pad__scalar(plan, x + <usize>c * <usize>plan.srcPlaneBytes, padded);
    for (let m = 0; m < multiplier; m++) {
      const o = c * multiplier + m;
      const b: f32 = bias ? load<f32>(bias + (<usize>o << 2)) : 0;
      f32_dwconv_3x3_plane__scalar(plan, padded, w + <usize>o * <usize>plan.filterBytes, b, y + <usize>o * <usize>plan.dstPlaneBytes, clamping, lo, hi);
    }
  }
}

/** One output plane; the row step of the padded source (stride · padded row) is the region's, so one body serves both strides. */
function f32_dwconv_3x3_plane__scalar(plan: DwPlan, padded: usize, w: usize, bias: f32, dst: usize, clamping: bool, lo: f32, hi: f32): void {
  const region = firstRegion(plan);
  const rows = region.rows;
  const cols = region.cols;
  const taps = tapsOf(region);
  const kx1 = <usize>load<i32>(taps + TAP_BYTES);
  const kx2 = <usize>load<i32>(taps + 2 * TAP_BYTES);
  const rowBytes = <usize>plan.padRowBytes;
  const w00 = load<f32>(w), w01 = load<f32>(w, 4), w02 = load<f32>(w, 8);
  const w10 = load<f32>(w, 12), w11 = load<f32>(w, 16), w12 = load<f32>(w, 20);
  const w20 = load<f32>(w, 24), w21 = load<f32>(w, 28), w22 = load<f32>(w, 32);
  let s = padded + <usize>region.srcOffset;
  let d = dst + <usize>region.dstOffset;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const p0 = s + (<usize>j << 2);
      const p1 = p0 + rowBytes;
      const p2 = p1 + rowBytes;
      let acc = bias;
      acc += load<f32>(p0) * w00; acc += load<f32>(p0 + kx1) * w01; acc += load<f32>(p0 + kx2) * w02;
      acc += load<f32>(p1) * w10; acc += load<f32>(p1 + kx1) * w11; acc += load<f32>(p1 + kx2) * w12;
      acc += load<f32>(p2) * w20; acc += load<f32>(p2 + kx1) * w21; acc += load<f32>(p2 + kx2) * w22;
      store<f32>(d + (<usize>j << 2), clamping ? min<f32>(max<f32>(acc, lo), hi) : acc);
    }
    s += <usize>region.srcRowStride;
    d += <usize>region.dstRowStride;
  }
}
