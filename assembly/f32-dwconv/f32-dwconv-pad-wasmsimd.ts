import { DwPlan, scatterPhases } from "./f32-dwconv-plan";

/**
 * SIMD twin of f32_dwconv_pad__scalar: rows four floats at a time; at stride 2, eight source
 * columns split into their two phases by two shuffles.
 */
export function f32_dwconv_pad__wasmsimd(plan: DwPlan, src: usize, padded: usize): void {
  const rows = plan.copyRows;
  const cols = plan.copyCols;
  const left = plan.left;
  const phaseBytes = <usize>plan.phaseBytes;
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
      for (; k + 4 <= cols; k += 4) v128.store(out + (<usize>k << 2), v128.load(s + (<usize>k << 2)));
      for (; k < cols; k++) store<f32>(out + (<usize>k << 2), load<f32>(s + (<usize>k << 2)));
    } else if (phases == 2) {
      // even source columns land in the phase of `left`, odd ones in the other
      let even = d + <usize>(left & 1) * phaseBytes + (<usize>(left >> 1) << 2);
      let odd = d + <usize>((left + 1) & 1) * phaseBytes + (<usize>((left + 1) >> 1) << 2);
      let ix = 0;
      for (; ix + 8 <= cols; ix += 8) {
        const v0123 = v128.load(s + (<usize>ix << 2));
        const v4567 = v128.load(s + (<usize>ix << 2), 16);
        v128.store(even, v128.shuffle<f32>(v0123, v4567, 0, 2, 4, 6));
        v128.store(odd, v128.shuffle<f32>(v0123, v4567, 1, 3, 5, 7));
        even += 16;
        odd += 16;
      }
      for (; ix + 2 <= cols; ix += 2) {
        store<f32>(even, load<f32>(s + (<usize>ix << 2)));
        store<f32>(odd, load<f32>(s + (<usize>ix << 2), 4));
        even += 4;
        odd += 4;
      }
      if (ix < cols) store<f32>(even, load<f32>(s + (<usize>ix << 2)));
    } else {
      scatterPhases(plan, d, s, 0, cols);
    }
    s += srcRowBytes;
    d += padRowBytes;
  }
}
