/**
 * Copy one image's planes x[channels×height×width] into out[channels×paddedH×paddedW] with
 * the image at (padTop, padLeft) and zeros around it, then 8 zero floats of slack that the
 * 8-wide panel loads may touch. The im2col/im2row packers read this instead of checking bounds.
 */
export function f32_pad_image(
  x: usize, channels: i32, height: i32, width: i32,
  padTop: i32, padLeft: i32, paddedH: i32, paddedW: i32,
  out: usize,
): void {
  const paddedPlaneBytes = <usize>paddedH * paddedW << 2;
  const rowBytes = <usize>width << 2;
  memory.fill(out, 0, paddedPlaneBytes * channels + 32);
  for (let c = 0; c < channels; c++) {
    let dst = out + <usize>c * paddedPlaneBytes + ((<usize>padTop * paddedW + padLeft) << 2);
    for (let h = 0; h < height; h++) {
      memory.copy(dst, x, rowBytes);
      dst += <usize>paddedW << 2;
      x += rowBytes;
    }
  }
}

/**
 * out[(c·kernelH + kh)·kernelW + kw] = float offset of that tap in a padded image:
 * c·paddedH·paddedW + kh·dilationH·paddedW + kw·dilationW.
 */
export function f32_conv_tap_offsets(
  channels: i32, kernelH: i32, kernelW: i32, dilationH: i32, dilationW: i32,
  paddedH: i32, paddedW: i32, out: usize,
): void {
  for (let c = 0; c < channels; c++) {
    for (let kh = 0; kh < kernelH; kh++) {
      for (let kw = 0; kw < kernelW; kw++) {
        store<i32>(out, c * paddedH * paddedW + kh * dilationH * paddedW + kw * dilationW);
        out += 4;
      }
    }
  }
}
