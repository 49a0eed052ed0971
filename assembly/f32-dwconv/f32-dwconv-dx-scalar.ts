import { f32_dwconv_pad__scalar } from "./f32-dwconv-pad-scalar";
import { DwPlan } from "./f32-dwconv-plan";
import { f32_dwconv_taps__scalar } from "./f32-dwconv-fwd-scalar";

/** Scalar twin of f32_dwconv_dx__wasmsimd, same contract. */
export function f32_dwconv_dx__scalar(plan: DwPlan, dy: usize, w: usize, dx: usize, padded: usize): void {
  memory.fill(padded, 0, <usize>plan.padBytes * <usize>plan.padPlanes);
  const multiplier = plan.multiplier;
  for (let c = 0; c < plan.channels; c++) {
    for (let m = 0; m < multiplier; m++) {
      const o = c * multiplier + m;
      f32_dwconv_pad__scalar(plan, dy + <usize>o * <usize>plan.srcPlaneBytes, padded + <usize>m * <usize>plan.padBytes);
    }
    const group = <usize>(c * multiplier) * <usize>plan.filterBytes;
    f32_dwconv_taps__scalar(plan, padded, w + group, 0, dx + <usize>c * <usize>plan.dstPlaneBytes);
  }
}
