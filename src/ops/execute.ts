// The kernel sequence of each pass, per image and per group, over a ConvGeometry:
//   forward  Y_g = W_g · col(X_g)            (+ bias broadcast first)
//   dW       dW_g += dY_g · row(X_g)         (row = col transposed, summed over the batch)
//   dX       dcol = W_gᵀ · dY_g, then col2im scatter-adds dcol into dX_g
//   db       db += row sums of dY
// A pointwise conv (1×1 kernel, stride 1, no padding) needs no im2col: X_g is already col.
import type { Backend } from '../runtime.js';
import type { ConvGeometry } from './geometry.js';

/** 1×1 kernel, stride 1 and no padding on any side: the output grid is the input grid. */
function isPointwise(g: ConvGeometry): boolean {
  return g.kernelH === 1 && g.kernelW === 1 && g.strideH === 1 && g.strideW === 1 &&
    g.padTop === 0 && g.padLeft === 0 && g.outH === g.inH && g.outW === g.inW;
}

/** Per-group sizes in elements, and the im2col/col2im argument list shared by every call. */
function groupSizes(g: ConvGeometry) {
  const groupIn = g.inChannels / g.groups;
  const groupOut = g.outChannels / g.groups;
  return {
    groupIn,
    groupOut,
    /** reduction length of the forward GEMM: C/groups · KH · KW */
    patch: groupIn * g.kernelH * g.kernelW,
    /** output positions OH · OW */
    positions: g.outH * g.outW,
    plane: g.inH * g.inW,
    window: [g.kernelH, g.kernelW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW] as const,
  };
}

export function convForward(
  op: string, { kernels: k, arena }: Backend, g: ConvGeometry,
  x: Float32Array, w: Float32Array, bias: Float32Array | null,
): Float32Array {
  const { groupIn, groupOut, patch, positions, plane, window } = groupSizes(g);
  const pointwise = isPointwise(g);
  const at = arena.layout(op, {
    x: x.length,
    w: w.length,
    bias: bias ? bias.length : 0,
    y: g.batch * g.outChannels * positions,
    col: pointwise ? 0 : patch * positions,
  });
  arena.write(at.x, x);
  arena.write(at.w, w);
  if (bias) arena.write(at.bias, bias);
  for (let n = 0; n < g.batch; n++) {
    for (let gr = 0; gr < g.groups; gr++) {
      const xg = at.x + (n * g.inChannels + gr * groupIn) * plane * 4;
      const yg = at.y + (n * g.outChannels + gr * groupOut) * positions * 4;
      const wg = at.w + gr * groupOut * patch * 4;
      let col = xg;
      if (!pointwise) {
        k.f32_im2col(xg, groupIn, g.inH, g.inW, ...window, at.col);
        col = at.col;
      }
      if (bias) k.f32_fill_rows(yg, groupOut, positions, at.bias + gr * groupOut * 4);
      k.f32_gemm(groupOut, positions, patch, wg, patch * 4, 4, col, positions * 4, yg, positions * 4, bias ? 1 : 0);
    }
  }
  return arena.read(at.y, g.batch * g.outChannels * positions);
}

export function convBackward(
  op: string, { kernels: k, arena }: Backend, g: ConvGeometry,
  dy: Float32Array, x: Float32Array, w: Float32Array,
): { dx: Float32Array; dw: Float32Array; db: Float32Array } {
  const { groupIn, groupOut, patch, positions, plane, window } = groupSizes(g);
  const pointwise = isPointwise(g);
  const at = arena.layout(op, {
    dy: dy.length,
    x: x.length,
    w: w.length,
    dx: x.length,
    dw: w.length,
    db: g.outChannels,
    col: patch * positions,
  });
  arena.write(at.dy, dy);
  arena.write(at.x, x);
  arena.write(at.w, w);
  k.f32_zero(at.dx, x.length);
  k.f32_zero(at.dw, w.length);
  k.f32_zero(at.db, g.outChannels);
  for (let n = 0; n < g.batch; n++) {
    for (let gr = 0; gr < g.groups; gr++) {
      const xg = at.x + (n * g.inChannels + gr * groupIn) * plane * 4;
      const dxg = at.dx + (n * g.inChannels + gr * groupIn) * plane * 4;
      const dyg = at.dy + (n * g.outChannels + gr * groupOut) * positions * 4;
      const wg = at.w + gr * groupOut * patch * 4;
      const dwg = at.dw + gr * groupOut * patch * 4;
      k.f32_rowsum_accumulate(dyg, groupOut, positions, at.db + gr * groupOut * 4);
      // dW_g[O_g×patch] += dY_g[O_g×positions] · row(X_g)[positions×patch]
      k.f32_im2row(xg, groupIn, g.inH, g.inW, ...window, at.col);
      k.f32_gemm(groupOut, patch, positions, dyg, positions * 4, 4, at.col, patch * 4, dwg, patch * 4, 1);
      // dcol[patch×positions] = W_gᵀ · dY_g: W_g read transposed through its strides
      if (pointwise) {
        k.f32_gemm(patch, positions, groupOut, wg, 4, patch * 4, dyg, positions * 4, dxg, positions * 4, 0);
      } else {
        k.f32_gemm(patch, positions, groupOut, wg, 4, patch * 4, dyg, positions * 4, at.col, positions * 4, 0);
        k.f32_col2im(at.col, groupIn, g.inH, g.inW, ...window, dxg);
      }
    }
  }
  return {
    dx: arena.read(at.dx, x.length),
    dw: arena.read(at.dw, w.length),
    db: arena.read(at.db, g.outChannels),
  };
}
