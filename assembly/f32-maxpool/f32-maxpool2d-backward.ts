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
