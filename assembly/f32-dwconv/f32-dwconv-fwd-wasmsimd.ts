import { f32_dwconv_pad__wasmsimd } from "./f32-dwconv-pad-wasmsimd";
import { vmadd } from "../simd-madd";
import { DwPlan, TAP_BYTES, TAP_WEIGHT, bindWeights, firstRegion, nextRegion, tapsEnd, tapsOf } from "./f32-dwconv-plan";

/**
 * Depthwise forward over one image: y[o] = bias[o] + Σ_taps w[o][t] · x[o / multiplier] shifted
 * by tap t (the plan's one region). bias 0 = none. `padded`: plan.padBytes·padPlanes bytes of scratch.
 */
export function f32_dwconv_fwd__wasmsimd(plan: DwPlan, x: usize, w: usize, bias: usize, y: usize, padded: usize): void {
  memory.fill(padded, 0, <usize>plan.padBytes * <usize>plan.padPlanes);
  const multiplier = plan.multiplier;
  for (let c = 0; c < plan.channels; c++) {
    f32_dwconv_pad__wasmsimd(plan, x + <usize>c * <usize>plan.srcPlaneBytes, padded);
    for (let m = 0; m < multiplier; m++) {
      const o = c * multiplier + m;
      const b: f32 = bias ? load<f32>(bias + (<usize>o << 2)) : 0;
      f32_dwconv_taps__wasmsimd(plan, padded, w + <usize>o * <usize>plan.filterBytes, b, y + <usize>o * <usize>plan.dstPlaneBytes);
    }
  }
}

/**
 * Every region of the plan: dst[i][j] = bias + Σ_t w[wOffset_t] · padded[row i + srcOffset_t + j].
 * Two rows × 8 columns per step in four v128 accumulators (rows share each tap's weight), then
 * 4 columns; the last 1–3 columns come from a full vector (the padded plane holds those reads)
 * stored lane by lane, as is a strided dst (dX at stride > 1). A last odd row runs alone.
 */
export function f32_dwconv_taps__wasmsimd(plan: DwPlan, padded: usize, w: usize, bias: f32, dst: usize): void {
  const vbias = f32x4.splat(bias);
  let region = firstRegion(plan);
  for (let k = 0; k < plan.regions; k++) {
    const rows = region.rows;
    const cols = region.cols;
    const t0 = tapsOf(region);
    const t1 = tapsEnd(region);
    bindWeights(region, w);
    const cs = <usize>region.dstColStride;
    const srs = <usize>region.srcRowStride;
    const drs = <usize>region.dstRowStride;
    let s = padded + <usize>region.srcOffset;
    let d = dst + <usize>region.dstOffset;
    let i = 0;
    for (; i + 2 <= rows; i += 2) {
      let j = 0;
      for (; j + 8 <= cols; j += 8) {
        const s0 = s + (<usize>j << 2);
        const s1 = s0 + srs;
        let vacc0x0123 = vbias, vacc0x4567 = vbias;
        let vacc1x0123 = vbias, vacc1x4567 = vbias;
        for (let t = t0; t < t1; t += TAP_BYTES) {
          const vw = v128.load32_splat(t, TAP_WEIGHT);
          const off = <usize>load<i32>(t);
          vacc0x0123 = vmadd(v128.load(s0 + off), vw, vacc0x0123);
          vacc0x4567 = vmadd(v128.load(s0 + off, 16), vw, vacc0x4567);
          vacc1x0123 = vmadd(v128.load(s1 + off), vw, vacc1x0123);
          vacc1x4567 = vmadd(v128.load(s1 + off, 16), vw, vacc1x4567);
        }
        const d0 = d + <usize>j * cs;
        storeVec(d0, cs, vacc0x0123);
        storeVec(d0 + 4 * cs, cs, vacc0x4567);
        storeVec(d0 + drs, cs, vacc1x0123);
        storeVec(d0 + drs + 4 * cs, cs, vacc1x4567);
      }
      for (; j < cols; j += 4) {
        const s0 = s + (<usize>j << 2);
        const s1 = s0 + srs;
        let vacc0 = vbias, vacc1 = vbias;
        for (let t = t0; t < t1; t += TAP_BYTES) {
          const vw = v128.load32_splat(t, TAP_WEIGHT);
          const off = <usize>load<i32>(t);
          vacc0 = vmadd(v128.load(s0 + off), vw, vacc0);
          vacc1 = vmadd(v128.load(s1 + off), vw, vacc1);
        }
        const d0 = d + <usize>j * cs;
        storePartial(d0, cs, vacc0, cols - j);
        storePartial(d0 + drs, cs, vacc1, cols - j);
      }
      s += srs << 1;
      d += drs << 1;
    }
    if (i < rows) {
      let j = 0;
      for (; j + 8 <= cols; j += 8) {
        const s0 = s + (<usize>j << 2);
        let vacc0123 = vbias, vacc4567 = vbias;
        for (let t = t0; t < t1; t += TAP_BYTES) {
          const vw = v128.load32_splat(t, TAP_WEIGHT);
          const off = <usize>load<i32>(t);
          vacc0123 = vmadd(v128.load(s0 + off), vw, vacc0123);
          vacc4567 = vmadd(v128.load(s0 + off, 16), vw, vacc4567);
        }
        const d0 = d + <usize>j * cs;
        storeVec(d0, cs, vacc0123);
        storeVec(d0 + 4 * cs, cs, vacc4567);
      }
      for (; j < cols; j += 4) {
        const s0 = s + (<usize>j << 2);
        let vacc = vbias;
        for (let t = t0; t < t1; t += TAP_BYTES) {
          vacc = vmadd(v128.load(s0 + <usize>load<i32>(t)), v128.load32_splat(t, TAP_WEIGHT), vacc);
        }
        storePartial(d + <usize>j * cs, cs, vacc, cols - j);
      }
    }
    region = nextRegion(region);
  }
}

/** Four lanes to p, p + stride, …: one store when contiguous. */
@inline
function storeVec(p: usize, stride: usize, v: v128): void {
  if (stride == 4) v128.store(p, v);
  else storeLanes(p, stride, v, 4);
}

/** min(n, 4) lanes to p, p + stride, … */
@inline
function storePartial(p: usize, stride: usize, v: v128, n: i32): void {
  if (stride == 4 && n >= 4) v128.store(p, v);
  else storeLanes(p, stride, v, n);
}

/** The first n (1..4) lanes of v to p, p + stride, … */
@inline
function storeLanes(p: usize, stride: usize, v: v128, n: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p + stride, f32x4.extract_lane(v, 1));
  if (n > 2) store<f32>(p + 2 * stride, f32x4.extract_lane(v, 2));
  if (n > 3) store<f32>(p + 3 * stride, f32x4.extract_lane(v, 3));
}
