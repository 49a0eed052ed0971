import { validOutputRange } from "./window";

/**
 * The adjoint of im2col for output rows [ohStart, ohEnd): add every column entry
 * col[(c·kernelH + kh)·kernelW + kw][(oh − ohStart)·outW + ow] back onto the input pixel
 * x[c][oh·strideH − padTop + kh·dilationH][ow·strideW − padLeft + kw·dilationW] it stands for
 * (padding entries are dropped). col holds those rows only, so dX can be built a few output
 * rows at a time while its column block is still in L1. dx must hold its previous sum (zeros
 * for a fresh dX).
 */
export function f32_col2im(
  col: usize, channels: i32, height: i32, width: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32,
  dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  outH: i32, outW: i32, ohStart: i32, ohEnd: i32, dx: usize,
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
        for (let oh = ohStart; oh < ohEnd; oh++) {
          const ih = oh * strideH - padTop + kh * dilationH;
          if (ih >= 0 && ih < height) {
            const row = plane + <usize>ih * rowBytes;
            let ow = owLo;
            if (ASC_FEATURE_SIMD) ow = addRowVectorised(src, row, ow, owHi, strideW, iwOffset, width);
            for (; ow < owHi; ow++) {
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

/**
 * The SIMD part of one row's scatter-add, for stride 1 (a plain vector add) and stride 2
 * (four columns spread over eight pixels, the odd lanes adding zero); only while the whole
 * vector span lies inside the row. Returns the first column left for the scalar loop.
 */
@inline
function addRowVectorised(src: usize, row: usize, ow: i32, owHi: i32, strideW: i32, iwOffset: i32, width: i32): i32 {
  if (strideW == 1) {
    for (; ow + 4 <= owHi; ow += 4) {
      const target = row + (<usize>(ow + iwOffset) << 2);
      v128.store(target, f32x4.add(v128.load(target), v128.load(src + (<usize>ow << 2))));
    }
  } else if (strideW == 2) {
    const zero = f32x4.splat(0);
    for (; ow + 4 <= owHi && 2 * ow + iwOffset + 8 <= width; ow += 4) {
      const target = row + (<usize>(2 * ow + iwOffset) << 2);
      const v = v128.load(src + (<usize>ow << 2));
      v128.store(target, f32x4.add(v128.load(target), v128.shuffle<f32>(v, zero, 0, 4, 1, 5)));
      v128.store(target, f32x4.add(v128.load(target, 16), v128.shuffle<f32>(v, zero, 2, 6, 3, 7)), 16);
    }
  }
  return ow;
}
