import { f32_dwconv_pad__wasmsimd } from "./f32-dwconv-pad-wasmsimd";
import { DwPlan } from "./f32-dwconv-plan";
import { f32_dwconv_taps__wasmsimd } from "./f32-dwconv-fwd-wasmsimd";

/**
 * Depthwise input gradient over one image, as a gather so each dx element is written once:
 * the multiplier's dy planes are padded side by side, and each of the plan's regions (one per
 * stride phase of dx) sums the taps that reach it, flipped, across all of them.
 */
export function f32_dwconv_dx__wasmsimd(plan: DwPlan, dy: usize, w: usize, dx: usize, padded: usize): void {
  memory.fill(padded, 0, <usize>plan.padBytes * <usize>plan.padPlanes);
  const multiplier = plan.multiplier;
  for (let c = 0; c < plan.channels; c++) {
    for (let m = 0; m < multiplier; m++) {
      const o = c * multiplier + m;
      f32_dwconv_pad__wasmsimd(plan, dy + <usize>o * <usize>plan.srcPlaneBytes, padded + <usize>m * <usize>plan.padBytes);
    }
    const group = <usize>(c * multiplier) * <usize>plan.filterBytes;
    f32_dwconv_taps__wasmsimd(plan, padded, w + group, 0, dx + <usize>c * <usize>plan.dstPlaneBytes);
  }
}
