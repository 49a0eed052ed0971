import { validOutputRange } from "./window";

/**
 * Unfold one image's channels x[channels×height×width] into the column matrix
 * col[(c·kernelH + kh)·kernelW + kw][oh·outW + ow] = x[c][oh·strideH − padTop + kh·dilationH]
 *                                                      [ow·strideW − padLeft + kw·dilationW],
 * zero where that falls in the padding. Forward and dX (through col2im) read this layout.
 */
export function f32_im2col(
  x: usize, channels: i32, height: i32, width: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32,
  dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  outH: i32, outW: i32, col: usize,
): void {
  const rowBytes = <usize>width << 2;
  const planeBytes = <usize>height * rowBytes;
  const outRowBytes = <usize>outW << 2;
  let out = col;
  for (let c = 0; c < channels; c++) {
    const plane = x + <usize>c * planeBytes;
    for (let kh = 0; kh < kernelH; kh++) {
      for (let kw = 0; kw < kernelW; kw++) {
        const iwOffset = kw * dilationW - padLeft;
        const range = validOutputRange(iwOffset, strideW, width, outW);
        const owLo = <i32>(<u32>range);
        const owHi = <i32>(<u32>(range >> 32));
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * strideH - padTop + kh * dilationH;
          if (ih < 0 || ih >= height) {
            memory.fill(out, 0, outRowBytes);
          } else {
            const row = plane + <usize>ih * rowBytes;
            memory.fill(out, 0, <usize>owLo << 2);
            if (strideW == 1) {
              memory.copy(out + (<usize>owLo << 2), row + (<usize>(owLo + iwOffset) << 2), <usize>(owHi - owLo) << 2);
            } else {
              for (let ow = owLo; ow < owHi; ow++) {
                store<f32>(out + (<usize>ow << 2), load<f32>(row + (<usize>(ow * strideW + iwOffset) << 2)));
              }
            }
            memory.fill(out + (<usize>owHi << 2), 0, <usize>(outW - owHi) << 2);
          }
          out += outRowBytes;
        }
      }
    }
  }
}

/**
 * The transpose of f32_im2col's result, written directly: row[oh·outW + ow][(c·kernelH + kh)·kernelW + kw].
 * dW = dY · row needs the reduction (output positions) to run down B's rows.
 */
export function f32_im2row(
  x: usize, channels: i32, height: i32, width: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32,
  dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  outH: i32, outW: i32, rows: usize,
): void {
  const rowBytes = <usize>width << 2;
  const planeBytes = <usize>height * rowBytes;
  let out = rows;
  for (let oh = 0; oh < outH; oh++) {
    for (let ow = 0; ow < outW; ow++) {
      const iw0 = ow * strideW - padLeft;
      for (let c = 0; c < channels; c++) {
        const plane = x + <usize>c * planeBytes;
        for (let kh = 0; kh < kernelH; kh++) {
          const ih = oh * strideH - padTop + kh * dilationH;
          if (ih < 0 || ih >= height) {
            memory.fill(out, 0, <usize>kernelW << 2);
            out += <usize>kernelW << 2;
            continue;
          }
          const row = plane + <usize>ih * rowBytes;
          for (let kw = 0; kw < kernelW; kw++) {
            const iw = iw0 + kw * dilationW;
            store<f32>(out, iw >= 0 && iw < width ? load<f32>(row + (<usize>iw << 2)) : 0);
            out += 4;
          }
        }
      }
    }
  }
}
