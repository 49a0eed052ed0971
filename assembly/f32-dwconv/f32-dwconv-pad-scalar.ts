import { DwPlan, scatterPhases } from "./f32-dwconv-plan";

/**
 * Copy a source plane into the padded plane at `padded` (see DwPlan), whose padding is already
 * zero: the passes zero it once per image, as every plane leaves the same cells untouched.
 * Rows two floats at a time (memory.copy is a call out of Wasm in V8: too dear per row).
 */
export function f32_dwconv_pad__scalar(plan: DwPlan, src: usize, padded: usize): void {
  const rows = plan.copyRows;
  const cols = plan.copyCols;
  const left = plan.left;
  // plan fields in locals: the stores below could alias them as far as the compiler knows
  const phases = plan.phases;
  const srcRowBytes = <usize>plan.srcRowBytes;
  const padRowBytes = <usize>plan.padRowBytes;
  let s = src;
  let d = padded + <usize>plan.top * padRowBytes;
  for (let iy = 0; iy < rows; iy++) {
    if (phases == 1) {
      const out = d + (<usize>left << 2);
      let k = 0;
      for (; k + 2 <= cols; k += 2) store<u64>(out + (<usize>k << 2), load<u64>(s + (<usize>k << 2)));
      if (k < cols) store<f32>(out + (<usize>k << 2), load<f32>(s + (<usize>k << 2)));
    } else {
      scatterPhases(plan, d, s, 0, cols);
    }
    s += srcRowBytes;
    d += padRowBytes;
  }
}
