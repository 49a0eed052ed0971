/**
 * Max pooling over `planes` row-major planes of inH×inW (no padding): y[p][oh][ow] is the
 * largest x[p][oh·strideH + kh][ow·strideW + kw], and idx (i32) keeps its index within the
 * plane (the first one on ties) for the backward pass.
 */
export function f32_maxpool2d(
  x: usize, planes: i32, inH: i32, inW: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, outH: i32, outW: i32, y: usize, idx: usize,
): void {
  const inPlane = <usize>(inH * inW) << 2;
  let xp = x;
  let out: usize = 0;
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH;
      for (let ow = 0; ow < outW; ow++) {
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
        store<f32>(y + out, vbest);
        store<i32>(idx + out, best);
        out += 4;
      }
    }
    xp += inPlane;
  }
}

/** dx = 0, then dx[p][idx[p][j]] += dy[p][j]: routes each output's gradient to its argmax. */
export function f32_maxpool2d_backward(dy: usize, idx: usize, planes: i32, inPlane: i32, outPlane: i32, dx: usize): void {
  memory.fill(dx, 0, <usize>(planes * inPlane) << 2);
  let dxp = dx;
  let j: usize = 0;
  for (let p = 0; p < planes; p++) {
    for (let o = 0; o < outPlane; o++) {
      const target = dxp + (<usize>load<i32>(idx + j) << 2);
      store<f32>(target, load<f32>(target) + load<f32>(dy + j));
      j += 4;
    }
    dxp += <usize>inPlane << 2;
  }
}
