import { f32_dwconv_pad__wasmsimd } from "./f32-dwconv-pad-wasmsimd";
import { vmadd } from "../simd-madd";
import { DwPlan, TAP_BYTES, firstRegion, tapsOf } from "./f32-dwconv-plan";

/**
 * Depthwise forward for a 3×3 kernel at stride 1 or 2 in both axes, dilation 1: the contract of
 * f32_dwconv_fwd__wasmsimd (same plan, same padded copy), with the nine weights held in
 * registers and four output rows per pass, so each padded input row is loaded once for every
 * output row it feeds (stride 1: 6 rows loaded for 4 output rows instead of 12; stride 2: 9).
 * Each output's taps are summed in the generic kernel's order (ky, then kx), so y is the same
 * bit for bit. The host picks this kernel (src/ops/passes/depthwise.ts) only for such convs.
 * A fused activation clamps each output to [lo, hi] as it is stored (max then min, as f32_clip);
 * lo −∞ and hi +∞ mean none, and then no min/max runs (each is several x86 instructions).
 */
export function f32_dwconv_fwd_3x3__wasmsimd(plan: DwPlan, x: usize, w: usize, bias: usize, y: usize, padded: usize, stride: i32, lo: f32, hi: f32): void {
  const clamping = lo > -Infinity || hi < Infinity;
  memory.fill(padded, 0, <usize>plan.padBytes * <usize>plan.padPlanes);
  const multiplier = plan.multiplier;
  for (let c = 0; c < plan.channels; c++) {
    f32_dwconv_pad__wasmsimd(plan, x + <usize>c * <usize>plan.srcPlaneBytes, padded);
    for (let m = 0; m < multiplier; m++) {
      const o = c * multiplier + m;
      const b: f32 = bias ? load<f32>(bias + (<usize>o << 2)) : 0;
      const wo = w + <usize>o * <usize>plan.filterBytes;
      const yo = y + <usize>o * <usize>plan.dstPlaneBytes;
      // constant stride and clamping per call: each inlined copy is specialised
      if (clamping) {
        if (stride == 1) f32_dwconv_3x3_plane__wasmsimd(plan, padded, wo, b, yo, 1, true, lo, hi);
        else f32_dwconv_3x3_plane__wasmsimd(plan, padded, wo, b, yo, 2, true, lo, hi);
      } else {
        if (stride == 1) f32_dwconv_3x3_plane__wasmsimd(plan, padded, wo, b, yo, 1, false, lo, hi);
        else f32_dwconv_3x3_plane__wasmsimd(plan, padded, wo, b, yo, 2, false, lo, hi);
      }
    }
  }
}

/**
 * One output plane from the padded plane: dst[i][j] = bias + Σ_ky,kx w[ky][kx] · row (i·stride + ky)
 * of the padded plane at the column offset of tap kx (read from the plan's first three taps:
 * contiguous columns at stride 1, the two phases at stride 2). 4 columns per step; the last
 * 1–3 columns come from a full vector (the padded plane holds those reads), stored lane by lane.
 */
@inline
function f32_dwconv_3x3_plane__wasmsimd(
  plan: DwPlan, padded: usize, w: usize, bias: f32, dst: usize, stride: i32, clamping: bool, lo: f32, hi: f32,
): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const region = firstRegion(plan);
  const rows = region.rows;
  const cols = region.cols;
  const taps = tapsOf(region);
  const kx1 = <usize>load<i32>(taps + TAP_BYTES);
  const kx2 = <usize>load<i32>(taps + 2 * TAP_BYTES);
  const rowBytes = <usize>plan.padRowBytes;
  const srs = <usize>region.srcRowStride;
  const drs = <usize>region.dstRowStride;
  const vbias = f32x4.splat(bias);
  const vw00 = v128.load32_splat(w), vw01 = v128.load32_splat(w, 4), vw02 = v128.load32_splat(w, 8);
  const vw10 = v128.load32_splat(w, 12), vw11 = v128.load32_splat(w, 16), vw12 = v128.load32_splat(w, 20);
  const vw20 = v128.load32_splat(w, 24), vw21 = v128.load32_splat(w, 28), vw22 = v128.load32_splat(w, 32);
  let s = padded + <usize>region.srcOffset;
  let d = dst + <usize>region.dstOffset;
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    for (let j = 0; j < cols; j += 4) {
      let p = s + (<usize>j << 2);
      let vacc0 = vbias, vacc1 = vbias, vacc2 = vbias, vacc3 = vbias;
      if (stride == 1) {
        // input row r feeds output rows r − ky for ky = 0, 1, 2
        let vi0 = v128.load(p), vi1 = v128.load(p + kx1), vi2 = v128.load(p + kx2);
        vacc0 = row3(vi0, vi1, vi2, vw00, vw01, vw02, vacc0);
        p += rowBytes;
        vi0 = v128.load(p); vi1 = v128.load(p + kx1); vi2 = v128.load(p + kx2);
        vacc0 = row3(vi0, vi1, vi2, vw10, vw11, vw12, vacc0);
        vacc1 = row3(vi0, vi1, vi2, vw00, vw01, vw02, vacc1);
        p += rowBytes;
        vi0 = v128.load(p); vi1 = v128.load(p + kx1); vi2 = v128.load(p + kx2);
        vacc0 = row3(vi0, vi1, vi2, vw20, vw21, vw22, vacc0);
        vacc1 = row3(vi0, vi1, vi2, vw10, vw11, vw12, vacc1);
        vacc2 = row3(vi0, vi1, vi2, vw00, vw01, vw02, vacc2);
        p += rowBytes;
        vi0 = v128.load(p); vi1 = v128.load(p + kx1); vi2 = v128.load(p + kx2);
        vacc1 = row3(vi0, vi1, vi2, vw20, vw21, vw22, vacc1);
        vacc2 = row3(vi0, vi1, vi2, vw10, vw11, vw12, vacc2);
        vacc3 = row3(vi0, vi1, vi2, vw00, vw01, vw02, vacc3);
        p += rowBytes;
        vi0 = v128.load(p); vi1 = v128.load(p + kx1); vi2 = v128.load(p + kx2);
        vacc2 = row3(vi0, vi1, vi2, vw20, vw21, vw22, vacc2);
        vacc3 = row3(vi0, vi1, vi2, vw10, vw11, vw12, vacc3);
        p += rowBytes;
        vi0 = v128.load(p); vi1 = v128.load(p + kx1); vi2 = v128.load(p + kx2);
        vacc3 = row3(vi0, vi1, vi2, vw20, vw21, vw22, vacc3);
      } else {
        // input row r feeds output row q where r − 2q = ky ∈ {0, 1, 2}
        let vi0 = v128.load(p), vi1 = v128.load(p + kx1), vi2 = v128.load(p + kx2);
        vacc0 = row3(vi0, vi1, vi2, vw00, vw01, vw02, vacc0);
        p += rowBytes;
        vacc0 = row3(v128.load(p), v128.load(p + kx1), v128.load(p + kx2), vw10, vw11, vw12, vacc0);
        p += rowBytes;
        vi0 = v128.load(p); vi1 = v128.load(p + kx1); vi2 = v128.load(p + kx2);
        vacc0 = row3(vi0, vi1, vi2, vw20, vw21, vw22, vacc0);
        vacc1 = row3(vi0, vi1, vi2, vw00, vw01, vw02, vacc1);
        p += rowBytes;
        vacc1 = row3(v128.load(p), v128.load(p + kx1), v128.load(p + kx2), vw10, vw11, vw12, vacc1);
        p += rowBytes;
        vi0 = v128.load(p); vi1 = v128.load(p + kx1); vi2 = v128.load(p + kx2);
        vacc1 = row3(vi0, vi1, vi2, vw20, vw21, vw22, vacc1);
        vacc2 = row3(vi0, vi1, vi2, vw00, vw01, vw02, vacc2);
        p += rowBytes;
        vacc2 = row3(v128.load(p), v128.load(p + kx1), v128.load(p + kx2), vw10, vw11, vw12, vacc2);
        p += rowBytes;
        vi0 = v128.load(p); vi1 = v128.load(p + kx1); vi2 = v128.load(p + kx2);
        vacc2 = row3(vi0, vi1, vi2, vw20, vw21, vw22, vacc2);
        vacc3 = row3(vi0, vi1, vi2, vw00, vw01, vw02, vacc3);
        p += rowBytes;
        vacc3 = row3(v128.load(p), v128.load(p + kx1), v128.load(p + kx2), vw10, vw11, vw12, vacc3);
        p += rowBytes;
        vacc3 = row3(v128.load(p), v128.load(p + kx1), v128.load(p + kx2), vw20, vw21, vw22, vacc3);
      }
      const dj = d + (<usize>j << 2);
      const n = cols - j;
      storeColumns(dj, clampIf(clamping, vacc0, vlo, vhi), n);
      storeColumns(dj + drs, clampIf(clamping, vacc1, vlo, vhi), n);
      storeColumns(dj + 2 * drs, clampIf(clamping, vacc2, vlo, vhi), n);
      storeColumns(dj + 3 * drs, clampIf(clamping, vacc3, vlo, vhi), n);
    }
    s += srs << 2;
    d += drs << 2;
  }
  for (; i < rows; i++) {
    for (let j = 0; j < cols; j += 4) {
      const p = s + (<usize>j << 2);
      let vacc = row3(v128.load(p), v128.load(p + kx1), v128.load(p + kx2), vw00, vw01, vw02, vbias);
      const p1 = p + rowBytes;
      vacc = row3(v128.load(p1), v128.load(p1 + kx1), v128.load(p1 + kx2), vw10, vw11, vw12, vacc);
      const p2 = p1 + rowBytes;
      vacc = row3(v128.load(p2), v128.load(p2 + kx1), v128.load(p2 + kx2), vw20, vw21, vw22, vacc);
      storeColumns(d + (<usize>j << 2), clampIf(clamping, vacc, vlo, vhi), cols - j);
    }
    s += srs;
    d += drs;
  }
}

/** acc + w0·x0 + w1·x1 + w2·x2, in that order: one row of taps. */
@inline
function row3(x0: v128, x1: v128, x2: v128, w0: v128, w1: v128, w2: v128, acc: v128): v128 {
  return vmadd(x2, w2, vmadd(x1, w1, vmadd(x0, w0, acc)));
}

/** min(max(v, lo), hi) lane by lane (f32_clip's order) where clamping, else v. */
@inline
function clampIf(clamping: bool, v: v128, lo: v128, hi: v128): v128 {
  return clamping ? f32x4.min(f32x4.max(v, lo), hi) : v;
}

/** min(n, 4) lanes of v to consecutive floats at p. */
@inline
function storeColumns(p: usize, v: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, v);
  } else {
    store<f32>(p, f32x4.extract_lane(v, 0));
    if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
    if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
  }
}
