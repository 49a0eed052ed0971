import { f32_dwconv_pad__scalar } from "./f32-dwconv-pad-scalar";
import { DwPlan, TAP_BYTES, TAP_WEIGHT, bindWeights, firstRegion, nextRegion, tapsEnd, tapsOf } from "./f32-dwconv-plan";

/** Scalar twin of f32_dwconv_fwd__wasmsimd, same contract. */
export function f32_dwconv_fwd__scalar(plan: DwPlan, x: usize, w: usize, bias: usize, y: usize, padded: usize): void {
  memory.fill(padded, 0, <usize>plan.padBytes * <usize>plan.padPlanes);
  const multiplier = plan.multiplier;
  for (let c = 0; c < plan.channels; c++) {
    f32_dwconv_pad__scalar(plan, x + <usize>c * <usize>plan.srcPlaneBytes, padded);
    for (let m = 0; m < multiplier; m++) {
      const o = c * multiplier + m;
      const b: f32 = bias ? load<f32>(bias + (<usize>o << 2)) : 0;
      f32_dwconv_taps__scalar(plan, padded, w + <usize>o * <usize>plan.filterBytes, b, y + <usize>o * <usize>plan.dstPlaneBytes);
    }
  }
}

/** Scalar twin of f32_dwconv_taps__wasmsimd: 4 columns per step in f32 accumulators, then single columns. */
export function f32_dwconv_taps__scalar(plan: DwPlan, padded: usize, w: usize, bias: f32, dst: usize): void {
  let region = firstRegion(plan);
  for (let k = 0; k < plan.regions; k++) {
    const rows = region.rows;
    const cols = region.cols;
    const t0 = tapsOf(region);
    const t1 = tapsEnd(region);
    bindWeights(region, w);
    const cs = <usize>region.dstColStride;
    let s = padded + <usize>region.srcOffset;
    let d = dst + <usize>region.dstOffset;
    for (let i = 0; i < rows; i++) {
      let j = 0;
      for (; j + 4 <= cols; j += 4) {
        const sj = s + (<usize>j << 2);
        let acc0 = bias, acc1 = bias, acc2 = bias, acc3 = bias;
        for (let t = t0; t < t1; t += TAP_BYTES) {
          const vw = load<f32>(t, TAP_WEIGHT);
          const si = sj + <usize>load<i32>(t);
          acc0 += vw * load<f32>(si); acc1 += vw * load<f32>(si, 4);
          acc2 += vw * load<f32>(si, 8); acc3 += vw * load<f32>(si, 12);
        }
        const dj = d + <usize>j * cs;
        store<f32>(dj, acc0); store<f32>(dj + cs, acc1);
        store<f32>(dj + 2 * cs, acc2); store<f32>(dj + 3 * cs, acc3);
      }
      for (; j < cols; j++) {
        const sj = s + (<usize>j << 2);
        let acc = bias;
        for (let t = t0; t < t1; t += TAP_BYTES) acc += load<f32>(t, TAP_WEIGHT) * load<f32>(sj + <usize>load<i32>(t));
        store<f32>(d + <usize>j * cs, acc);
      }
      s += <usize>region.srcRowStride;
      d += <usize>region.dstRowStride;
    }
    region = nextRegion(region);
  }
}
