import { f32_dwconv_pad__scalar } from "./f32-dwconv-pad-scalar";
import { DwPlan, DwRegion, TAP_BYTES, firstRegion, tapsEnd, tapsOf } from "./f32-dwconv-plan";

/** Scalar twin of f32_dwconv_dw__wasmsimd, same contract. */
export function f32_dwconv_dw__scalar(plan: DwPlan, dy: usize, x: usize, dw: usize, db: usize, padded: usize): void {
  memory.fill(padded, 0, <usize>plan.padBytes * <usize>plan.padPlanes);
  const multiplier = plan.multiplier;
  const region = firstRegion(plan);
  const tapsStart = tapsOf(region);
  const tapsStop = tapsEnd(region);
  for (let c = 0; c < plan.channels; c++) {
    f32_dwconv_pad__scalar(plan, x + <usize>c * <usize>plan.srcPlaneBytes, padded);
    for (let m = 0; m < multiplier; m++) {
      const o = c * multiplier + m;
      const dyo = dy + <usize>o * <usize>plan.dstPlaneBytes;
      const dwo = dw + <usize>o * <usize>plan.filterBytes;
      for (let t = tapsStart; t < tapsStop; t += TAP_BYTES) {
        const target = dwo + <usize>load<i32>(t, 4);
        store<f32>(target, load<f32>(target) + dot(region, dyo, padded + <usize>region.srcOffset + <usize>load<i32>(t)));
      }
      let acc: f32 = 0;
      const n = plan.dstPlaneBytes >> 2;
      for (let j = 0; j < n; j++) acc += load<f32>(dyo + (<usize>j << 2));
      const target = db + (<usize>o << 2);
      store<f32>(target, load<f32>(target) + acc);
    }
  }
}

/** Σ_i,j dy[i][j] · s[i·srcRowStride + j], dy rows contiguous; four partial sums. */
function dot(region: DwRegion, dy: usize, s: usize): f32 {
  const rows = region.rows;
  const cols = region.cols;
  const rowStride = <usize>region.srcRowStride;
  let acc0: f32 = 0, acc1: f32 = 0, acc2: f32 = 0, acc3: f32 = 0;
  let d = dy;
  for (let i = 0; i < rows; i++) {
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const jb = <usize>j << 2;
      acc0 += load<f32>(d + jb) * load<f32>(s + jb); acc1 += load<f32>(d + jb, 4) * load<f32>(s + jb, 4);
      acc2 += load<f32>(d + jb, 8) * load<f32>(s + jb, 8); acc3 += load<f32>(d + jb, 12) * load<f32>(s + jb, 12);
    }
    for (; j < cols; j++) acc0 += load<f32>(d + (<usize>j << 2)) * load<f32>(s + (<usize>j << 2));
    d += <usize>cols << 2;
    s += rowStride;
  }
  return (acc0 + acc1) + (acc2 + acc3);
}
