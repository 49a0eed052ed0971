import { f32_dwconv_pad__wasmsimd } from "./f32-dwconv-pad-wasmsimd";
import { DwPlan, DwRegion, TAP_BYTES, firstRegion, tapsEnd, tapsOf } from "./f32-dwconv-plan";
import { vmadd } from "../simd-madd";

/**
 * Depthwise filter and bias gradients of one image, added onto dw and db:
 * dw[o][t] += Σ_i,j dy[o][i][j] · padded x[o / multiplier] at tap t, db[o] += Σ dy[o].
 * Runs the forward plan (its one region; dy planes contiguous at plan.dstPlaneBytes).
 */
export function f32_dwconv_dw__wasmsimd(plan: DwPlan, dy: usize, x: usize, dw: usize, db: usize, padded: usize): void {
  memory.fill(padded, 0, <usize>plan.padBytes * <usize>plan.padPlanes);
  const multiplier = plan.multiplier;
  const region = firstRegion(plan);
  const tapsStart = tapsOf(region);
  const tapsStop = tapsEnd(region);
  for (let c = 0; c < plan.channels; c++) {
    f32_dwconv_pad__wasmsimd(plan, x + <usize>c * <usize>plan.srcPlaneBytes, padded);
    for (let m = 0; m < multiplier; m++) {
      const o = c * multiplier + m;
      const dyo = dy + <usize>o * <usize>plan.dstPlaneBytes;
      const dwo = dw + <usize>o * <usize>plan.filterBytes;
      for (let t = tapsStart; t < tapsStop; t += TAP_BYTES) {
        const target = dwo + <usize>load<i32>(t, 4);
        store<f32>(target, load<f32>(target) + dot(region, dyo, padded + <usize>region.srcOffset + <usize>load<i32>(t)));
      }
      const target = db + (<usize>o << 2);
      store<f32>(target, load<f32>(target) + sum(dyo, plan.dstPlaneBytes >> 2));
    }
  }
}

/**
 * Σ_i,j dy[i][j] · s[i·srcRowStride + j], dy rows contiguous (cols floats apart). Two rows at a
 * time in four accumulators: one or two would leave the sum waiting on the add latency.
 */
function dot(region: DwRegion, dy: usize, s: usize): f32 {
  const rows = region.rows;
  const cols = region.cols;
  const srs = <usize>region.srcRowStride;
  const drs = <usize>cols << 2;
  let vacc0 = f32x4.splat(0), vacc1 = f32x4.splat(0), vacc2 = f32x4.splat(0), vacc3 = f32x4.splat(0);
  let acc: f32 = 0;
  let d = dy;
  let i = 0;
  for (; i + 2 <= rows; i += 2) {
    const d1 = d + drs;
    const s1 = s + srs;
    let j = 0;
    for (; j + 8 <= cols; j += 8) {
      const jb = <usize>j << 2;
      vacc0 = vmadd(v128.load(d + jb), v128.load(s + jb), vacc0);
      vacc1 = vmadd(v128.load(d + jb, 16), v128.load(s + jb, 16), vacc1);
      vacc2 = vmadd(v128.load(d1 + jb), v128.load(s1 + jb), vacc2);
      vacc3 = vmadd(v128.load(d1 + jb, 16), v128.load(s1 + jb, 16), vacc3);
    }
    if (j + 4 <= cols) {
      const jb = <usize>j << 2;
      vacc0 = vmadd(v128.load(d + jb), v128.load(s + jb), vacc0);
      vacc2 = vmadd(v128.load(d1 + jb), v128.load(s1 + jb), vacc2);
      j += 4;
    }
    for (; j < cols; j++) {
      const jb = <usize>j << 2;
      acc += load<f32>(d + jb) * load<f32>(s + jb) + load<f32>(d1 + jb) * load<f32>(s1 + jb);
    }
    d += drs << 1;
    s += srs << 1;
  }
  if (i < rows) {
    let j = 0;
    for (; j + 8 <= cols; j += 8) {
      const jb = <usize>j << 2;
      vacc0 = vmadd(v128.load(d + jb), v128.load(s + jb), vacc0);
      vacc1 = vmadd(v128.load(d + jb, 16), v128.load(s + jb, 16), vacc1);
    }
    if (j + 4 <= cols) {
      const jb = <usize>j << 2;
      vacc2 = vmadd(v128.load(d + jb), v128.load(s + jb), vacc2);
      j += 4;
    }
    for (; j < cols; j++) acc += load<f32>(d + (<usize>j << 2)) * load<f32>(s + (<usize>j << 2));
  }
  return acc + hsum(f32x4.add(f32x4.add(vacc0, vacc1), f32x4.add(vacc2, vacc3)));
}

/** Σ x[0..n) */
function sum(x: usize, n: i32): f32 {
  let vacc0 = f32x4.splat(0), vacc1 = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    vacc0 = f32x4.add(vacc0, v128.load(x + (<usize>j << 2)));
    vacc1 = f32x4.add(vacc1, v128.load(x + (<usize>j << 2), 16));
  }
  let acc: f32 = 0;
  for (; j < n; j++) acc += load<f32>(x + (<usize>j << 2));
  return acc + hsum(f32x4.add(vacc0, vacc1));
}

@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}
