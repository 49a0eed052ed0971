import { validOutputRange } from "./window";

/**
 * The adjoint of f32_im2col: add every column entry back onto the input pixel it was read
 * from (padding entries are dropped). dx must hold its previous sum (zeros for a fresh dX).
 */
export function f32_col2im(
  col: usize, channels: i32, height: i32, width: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32,
  dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  outH: i32, outW: i32, dx: usize,
): void {
  const rowBytes = <usize>width << 2;
  const planeBytes = <usize>height * rowBytes;
  const outRowBytes = <usize>outW << 2;
  let src = col;
  for (let c = 0; c < channels; c++) {
    const plane = dx + <usize>c * planeBytes;
    for (let kh = 0; kh < kernelH; kh++) {
      for (let kw = 0; kw < kernelW; kw++) {
        const iwOffset = kw * dilationW - padLeft;
        const range = validOutputRange(iwOffset, strideW, width, outW);
        const owLo = <i32>(<u32>range);
        const owHi = <i32>(<u32>(range >> 32));
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * strideH - padTop + kh * dilationH;
          if (ih >= 0 && ih < height) {
            const row = plane + <usize>ih * rowBytes;
            for (let ow = owLo; ow < owHi; ow++) {
              const target = row + (<usize>(ow * strideW + iwOffset) << 2);
              store<f32>(target, load<f32>(target) + load<f32>(src + (<usize>ow << 2)));
            }
          }
          src += outRowBytes;
        }
      }
    }
  }
}
