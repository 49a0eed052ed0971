import { f32_maxpool2d_row__scalar } from "./f32-maxpool2d-scalar";

/**
 * SIMD twin of f32_maxpool2d__scalar, bit for bit: four outputs of a row per step where their
 * windows lie inside the plane horizontally (rows are clipped as in the scalar kernel; the row's
 * edges run scalar). Each window position, in the scalar scan order, is compared with f32x4.gt
 * and taken (value and index) with v128.bitselect, which is `v > best` per lane: ties keep the
 * first, a NaN never replaces and a NaN first element stays.
 */
export function f32_maxpool2d__wasmsimd(
  x: usize, planes: i32, inH: i32, inW: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, padT: i32, padL: i32, outH: i32, outW: i32, y: usize, idx: usize,
): void {
  const inPlane = <usize>(inH * inW) << 2;
  const outRow = <usize>outW << 2;
  // outputs whose windows start at column ≥ 0 and end at or before inW
  const lo = min((padL + strideW - 1) / strideW, outW);
  const last = inW - kernelW + padL; // the last window start inside: ow·strideW ≤ last
  const hi = last < 0 ? lo : max(lo, min(outW, last / strideW + 1));
  const quadsEnd = lo + ((hi - lo) & ~3);
  const pairs = kernelW == 2 && strideW == 2;
  let xp = x;
  let out: usize = 0;
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < outH; oh++) {
      const top = oh * strideH - padT;
      const h0 = max(top, 0), rows = min(top + kernelH, inH) - h0;
      const yr = y + out, ir = idx + out;
      f32_maxpool2d_row__scalar(xp, inW, h0, rows, kernelW, strideW, padL, 0, lo, yr, ir);
      if (pairs) pairsRow(xp, inW, h0, rows, padL, lo, quadsEnd, yr, ir);
      else quadsRow(xp, inW, h0, rows, kernelW, strideW, padL, lo, quadsEnd, yr, ir);
      f32_maxpool2d_row__scalar(xp, inW, h0, rows, kernelW, strideW, padL, quadsEnd, outW, yr, ir);
      out += outRow;
    }
    xp += inPlane;
  }
}

/**
 * Windows 2 wide at stride 2 (LeNet's 2×2 pools), outputs ow0 … end−1 of a row (windows inside
 * horizontally, over input rows h0 … h0+kernelH−1): columns 2·ow−padL … 2·ow−padL+7 of a window
 * row are two loads, split by shuffles into the four windows' left (even) and right (odd)
 * elements. Twice as fast as quadsRow's gathers.
 */
@inline
function pairsRow(xp: usize, inW: i32, h0: i32, kernelH: i32, padL: i32, ow0: i32, end: i32, yr: usize, ir: usize): void {
  const vone = i32x4.splat(1);
  const vinW = i32x4.splat(inW);
  const rowBytes = <usize>inW << 2;
  for (let ow = ow0; ow < end; ow += 4) {
    const at = h0 * inW + (ow << 1) - padL;
    let p = xp + (<usize>at << 2);
    let veven = i32x4.add(i32x4.splat(at), i32x4(0, 2, 4, 6)); // indices of the even columns
    let v0 = v128.load(p), v1 = v128.load(p, 16);
    let vbest = v128.shuffle<f32>(v0, v1, 0, 2, 4, 6);
    let vidx = veven;
    let v = v128.shuffle<f32>(v0, v1, 1, 3, 5, 7);
    let take = f32x4.gt(v, vbest);
    vbest = v128.bitselect(v, vbest, take);
    vidx = v128.bitselect(i32x4.add(veven, vone), vidx, take);
    for (let kh = 1; kh < kernelH; kh++) {
      p += rowBytes;
      veven = i32x4.add(veven, vinW);
      v0 = v128.load(p);
      v1 = v128.load(p, 16);
      v = v128.shuffle<f32>(v0, v1, 0, 2, 4, 6);
      take = f32x4.gt(v, vbest);
      vbest = v128.bitselect(v, vbest, take);
      vidx = v128.bitselect(veven, vidx, take);
      v = v128.shuffle<f32>(v0, v1, 1, 3, 5, 7);
      take = f32x4.gt(v, vbest);
      vbest = v128.bitselect(v, vbest, take);
      vidx = v128.bitselect(i32x4.add(veven, vone), vidx, take);
    }
    v128.store(yr + (<usize>ow << 2), vbest);
    v128.store(ir + (<usize>ow << 2), vidx);
  }
}

/**
 * Any window and stride, outputs ow0 … end−1 of a row (windows inside horizontally, over input
 * rows h0 … h0+kernelH−1): each window position gathered over the four windows.
 */
@inline
function quadsRow(xp: usize, inW: i32, h0: i32, kernelH: i32, kernelW: i32, strideW: i32, padL: i32, ow0: i32, end: i32, yr: usize, ir: usize): void {
  const vlanes = i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(strideW)); // windows strideW columns apart
  for (let ow = ow0; ow < end; ow += 4) {
    const at = h0 * inW + ow * strideW - padL;
    const vat = i32x4.add(i32x4.splat(at), vlanes); // indices of the windows' first elements
    let vbest = gather(xp + (<usize>at << 2), strideW);
    let vidx = vat;
    for (let kh = 0; kh < kernelH; kh++) {
      for (let kw = kh == 0 ? 1 : 0; kw < kernelW; kw++) { // (0, 0) is the start
        const d = kh * inW + kw;
        const v = gather(xp + (<usize>(at + d) << 2), strideW);
        const take = f32x4.gt(v, vbest);
        vbest = v128.bitselect(v, vbest, take);
        vidx = v128.bitselect(i32x4.add(vat, i32x4.splat(d)), vidx, take);
      }
    }
    v128.store(yr + (<usize>ow << 2), vbest);
    v128.store(ir + (<usize>ow << 2), vidx);
  }
}

/**
 * p[0], p[s], p[2s], p[3s], reading nothing past p[3s] (the plane may end there): stride 1 is
 * one load, stride 2 shuffles the even columns out of p[0..3] and p[3..6], others go lane by lane.
 */
@inline
function gather(p: usize, s: i32): v128 {
  if (s == 1) return v128.load(p);
  if (s == 2) return v128.shuffle<f32>(v128.load(p), v128.load(p, 12), 0, 2, 5, 7);
  const step = <usize>s << 2;
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + step));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * step));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * step));
}
