/**
 * Max pooling over `planes` row-major planes of inH×inW (no padding): y[p][oh][ow] is the
 * largest x[p][oh·strideH + kh][ow·strideW + kw], and idx (i32) keeps its index within the
 * plane for the backward pass. Scan order kh then kw, replacing only on `v > best`: ties keep
 * the first, a NaN never replaces, and a NaN first element stays (the SIMD twin matches this
 * bit for bit).
 */
export function f32_maxpool2d__scalar(
  x: usize, planes: i32, inH: i32, inW: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, outH: i32, outW: i32, y: usize, idx: usize,
): void {
  const inPlane = <usize>(inH * inW) << 2;
  const outRow = <usize>outW << 2;
  let xp = x;
  let out: usize = 0;
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < outH; oh++) {
      f32_maxpool2d_row__scalar(xp, inW, oh * strideH, kernelH, kernelW, strideW, 0, outW, y + out, idx + out);
      out += outRow;
    }
    xp += inPlane;
  }
}

/**
 * Outputs ow0 … outW−1 of one output row whose windows start at input row h0 of the plane at
 * xp; y and idx point at the row's first output.
 */
export function f32_maxpool2d_row__scalar(
  xp: usize, inW: i32, h0: i32, kernelH: i32, kernelW: i32, strideW: i32, ow0: i32, outW: i32, y: usize, idx: usize,
): void {
  for (let ow = ow0; ow < outW; ow++) {
    const w0 = ow * strideW;
    let best = h0 * inW + w0;
    let vbest = load<f32>(xp + (<usize>best << 2));
    for (let kh = 0; kh < kernelH; kh++) {
      const row = (h0 + kh) * inW + w0;
      for (let kw = 0; kw < kernelW; kw++) {
        const v = load<f32>(xp + (<usize>(row + kw) << 2));
        if (v > vbest) {
          vbest = v;
          best = row + kw;
        }
      }
    }
    const o = <usize>ow << 2;
    store<f32>(y + o, vbest);
    store<i32>(idx + o, best);
  }
}
