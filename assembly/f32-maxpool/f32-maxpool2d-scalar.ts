/**
 * Max pooling over `planes` row-major planes of inH×inW with padding (PyTorch's MaxPool2d):
 * y[p][oh][ow] is the largest x[p][h][w] over the window rows h = oh·strideH − padT + kh and
 * columns w = ow·strideW − padL + kw that lie inside the plane (padded cells never win), and idx
 * (i32) keeps its index within the plane for the backward pass. Every window must cover at least
 * one input cell (the caller's output size guarantees it). Scan order kh then kw from the
 * window's first cell inside the plane, replacing only on `v > best`: ties keep the first, a NaN
 * never replaces, and a NaN first element stays (the SIMD twin matches this bit for bit).
 */
export function f32_maxpool2d__scalar(
  x: usize, planes: i32, inH: i32, inW: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, padT: i32, padL: i32, outH: i32, outW: i32, y: usize, idx: usize,
): void {
  const inPlane = <usize>(inH * inW) << 2;
  const outRow = <usize>outW << 2;
  let xp = x;
  let out: usize = 0;
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < outH; oh++) {
      const top = oh * strideH - padT;
      const h0 = max(top, 0), h1 = min(top + kernelH, inH);
      f32_maxpool2d_row__scalar(xp, inW, h0, h1 - h0, kernelW, strideW, padL, 0, outW, y + out, idx + out);
      out += outRow;
    }
    xp += inPlane;
  }
}

/**
 * Outputs ow0 … outW−1 of one output row whose windows cover input rows h0 … h0+rows−1 of the
 * plane at xp (already clipped to the plane); columns are clipped here. y and idx point at the
 * row's first output.
 */
export function f32_maxpool2d_row__scalar(
  xp: usize, inW: i32, h0: i32, rows: i32, kernelW: i32, strideW: i32, padL: i32, ow0: i32, outW: i32, y: usize, idx: usize,
): void {
  for (let ow = ow0; ow < outW; ow++) {
    const left = ow * strideW - padL;
    const w0 = max(left, 0), w1 = min(left + kernelW, inW);
    let best = h0 * inW + w0;
    let vbest = load<f32>(xp + (<usize>best << 2));
    for (let h = h0; h < h0 + rows; h++) {
      const row = h * inW;
      for (let w = w0; w < w1; w++) {
        const v = load<f32>(xp + (<usize>(row + w) << 2));
        if (v > vbest) {
          vbest = v;
          best = row + w;
        }
      }
    }
    const o = <usize>ow << 2;
    store<f32>(y + o, vbest);
    store<i32>(idx + o, best);
  }
}
