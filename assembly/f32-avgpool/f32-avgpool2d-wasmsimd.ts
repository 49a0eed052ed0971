import { avgpoolOutputs__scalar, divisorOf } from "./f32-avgpool2d-scalar";

/**
 * SIMD twin of f32_avgpool2d__scalar, bit for bit: four outputs of a row per step where their
 * windows lie inside the input horizontally (the row's edges run scalar). Each lane adds its
 * window in the scalar order (row by row, left to right) and divides by the same divisor, which
 * is one value for the four: a window inside horizontally spans kW columns in either mode. At
 * stride 1 the four windows' columns are one load; otherwise the lanes are gathered.
 */
export function f32_avgpool2d__wasmsimd(
  x: usize, planes: i32, inH: i32, inW: i32, kH: i32, kW: i32, sH: i32, sW: i32, padT: i32, padL: i32,
  outH: i32, outW: i32, countIncludePad: bool, y: usize,
): void {
  const inPlane = <usize>(inH * inW) << 2, outRow = <usize>outW << 2;
  // outputs whose windows start at column ≥ 0 and end at or before inW
  const lo = min((padL + sW - 1) / sW, outW);
  const last = inW - kW + padL; // the last window start inside: ow·sW ≤ last
  const hi = last < 0 ? lo : max(lo, min(outW, last / sW + 1));
  const quadsEnd = lo + ((hi - lo) & ~3);
  let xp = x, yr = y;
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < outH; oh++) {
      avgpoolOutputs__scalar(xp, inH, inW, kH, kW, sH, sW, padT, padL, oh, 0, lo, countIncludePad, yr);
      const h0 = max(oh * sH - padT, 0), h1 = min(oh * sH - padT + kH, inH);
      const vdivisor = f32x4.splat(divisorOf(oh, lo, inH, inW, kH, kW, sH, sW, padT, padL, countIncludePad));
      for (let ow = lo; ow < quadsEnd; ow += 4) {
        let vacc = f32x4.splat(0);
        const c0 = ow * sW - padL;
        for (let h = h0; h < h1; h++) {
          const row = xp + (<usize>(h * inW) << 2);
          for (let j = 0; j < kW; j++) {
            const at = row + (<usize>(c0 + j) << 2);
            let v: v128;
            if (sW == 1) v = v128.load(at);
            else {
              const step = <usize>sW << 2;
              v = f32x4.splat(load<f32>(at));
              v = f32x4.replace_lane(v, 1, load<f32>(at + step));
              v = f32x4.replace_lane(v, 2, load<f32>(at + 2 * step));
              v = f32x4.replace_lane(v, 3, load<f32>(at + 3 * step));
            }
            vacc = f32x4.add(vacc, v);
          }
        }
        v128.store(yr + (<usize>ow << 2), f32x4.div(vacc, vdivisor));
      }
      avgpoolOutputs__scalar(xp, inH, inW, kH, kW, sH, sW, padT, padL, oh, quadsEnd, outW, countIncludePad, yr);
      yr += outRow;
    }
    xp += inPlane;
  }
}
