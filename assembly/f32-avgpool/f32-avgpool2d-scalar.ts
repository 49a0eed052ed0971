// Average pooling with PyTorch's AvgPool2d rules (the forward pass's SIMD twin is
// f32-avgpool2d-wasmsimd.ts; backward is scalar in every build, as max pooling's). Windows start at o·stride − pad; a window is cut at the padded edge
// (in + pad, which ceil_mode's last window can pass) to give the count with padding, then at
// the input's edges to give the elements it sums. The divisor is the first count when
// `countIncludePad`, the second otherwise.

/** The divisor of output (oh, ow), from the window clipped as described above. */
@inline
export function divisorOf(oh: i32, ow: i32, inH: i32, inW: i32, kH: i32, kW: i32, sH: i32, sW: i32, padT: i32, padL: i32, countIncludePad: bool): f32 {
  const h0 = oh * sH - padT, w0 = ow * sW - padL;
  const h1 = min(h0 + kH, inH + padT), w1 = min(w0 + kW, inW + padL);
  if (countIncludePad) return <f32>((h1 - h0) * (w1 - w0));
  return <f32>((min(h1, inH) - max(h0, 0)) * (min(w1, inW) - max(w0, 0)));
}

/** Outputs owFrom … owTo−1 of row oh of one plane (xp its first input, yr its output row). */
@inline
export function avgpoolOutputs__scalar(
  xp: usize, inH: i32, inW: i32, kH: i32, kW: i32, sH: i32, sW: i32, padT: i32, padL: i32,
  oh: i32, owFrom: i32, owTo: i32, countIncludePad: bool, yr: usize,
): void {
  const h0 = max(oh * sH - padT, 0), h1 = min(oh * sH - padT + kH, inH);
  for (let ow = owFrom; ow < owTo; ow++) {
    const w0 = max(ow * sW - padL, 0), w1 = min(ow * sW - padL + kW, inW);
    let acc: f32 = 0;
    for (let h = h0; h < h1; h++) {
      const row = xp + (<usize>(h * inW) << 2);
      for (let w = w0; w < w1; w++) acc += load<f32>(row + (<usize>w << 2));
    }
    store<f32>(yr + (<usize>ow << 2), acc / divisorOf(oh, ow, inH, inW, kH, kW, sH, sW, padT, padL, countIncludePad));
  }
}

/** y[p][oh][ow] = Σ window / divisor for `planes` planes of inH×inW (sums row by row, left to right). */
export function f32_avgpool2d__scalar(
  x: usize, planes: i32, inH: i32, inW: i32, kH: i32, kW: i32, sH: i32, sW: i32, padT: i32, padL: i32,
  outH: i32, outW: i32, countIncludePad: bool, y: usize,
): void {
  const inPlane = <usize>(inH * inW) << 2, outRow = <usize>outW << 2;
  let xp = x, yr = y;
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < outH; oh++) {
      avgpoolOutputs__scalar(xp, inH, inW, kH, kW, sH, sW, padT, padL, oh, 0, outW, countIncludePad, yr);
      yr += outRow;
    }
    xp += inPlane;
  }
}

/** dx = 0, then dx[window] += dy[p][oh][ow] / divisor (windows may overlap). */
export function f32_avgpool2d_backward__scalar(
  dy: usize, planes: i32, inH: i32, inW: i32, kH: i32, kW: i32, sH: i32, sW: i32, padT: i32, padL: i32,
  outH: i32, outW: i32, countIncludePad: bool, dx: usize,
): void {
  const inPlane = <usize>(inH * inW) << 2;
  memory.fill(dx, 0, inPlane * <usize>planes);
  let dxp = dx, dyp = dy;
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < outH; oh++) {
      const h0 = max(oh * sH - padT, 0), h1 = min(oh * sH - padT + kH, inH);
      for (let ow = 0; ow < outW; ow++) {
        const w0 = max(ow * sW - padL, 0), w1 = min(ow * sW - padL + kW, inW);
        const g = load<f32>(dyp) / divisorOf(oh, ow, inH, inW, kH, kW, sH, sW, padT, padL, countIncludePad);
        for (let h = h0; h < h1; h++) {
          const row = dxp + (<usize>(h * inW) << 2);
          for (let w = w0; w < w1; w++) store<f32>(row + (<usize>w << 2), load<f32>(row + (<usize>w << 2)) + g);
        }
        dyp += 4;
      }
    }
    dxp += inPlane;
  }
}
