// The im2col + GEMM strategy, per image and per group, over a ConvGeometry:
//   forward  Y_g = W_g · col(X_g)            (+ bias broadcast first)
//   dW       dW_g += dY_g · row(X_g)         (row = col transposed, summed over the batch)
//   dX       dcol = W_gᵀ · dY_g, then col2im scatter-adds dcol into dX_g
//   db       db += row sums of dY
// A pointwise conv (1×1 kernel, stride 1, no padding) needs no im2col: X_g is already col.
import type { ConvGeometry } from '../geometry.js';
import type { ConvPasses } from './types.js';

/** 1×1 kernel, stride 1 and no padding on any side: the output grid is the input grid. */
export function isPointwise(g: ConvGeometry): boolean {
  return g.kernelH === 1 && g.kernelW === 1 && g.strideH === 1 && g.strideW === 1 &&
    g.padTop === 0 && g.padLeft === 0 && g.outH === g.inH && g.outW === g.inW;
}

export function gemmPasses(g: ConvGeometry): ConvPasses {
  const groupIn = g.inChannels / g.groups;
  const groupOut = g.outChannels / g.groups;
  /** reduction length of the forward GEMM: C/groups · KH · KW */
  const patch = groupIn * g.kernelH * g.kernelW;
  /** output positions OH · OW */
  const positions = g.outH * g.outW;
  const plane = g.inH * g.inW;
  const window = [g.kernelH, g.kernelW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW] as const;
  const pointwise = isPointwise(g);
  const colFloats = patch * positions;
  /** byte offsets of image n, group gr in each tensor */
  const xAt = (base: number, n: number, gr: number) => base + (n * g.inChannels + gr * groupIn) * plane * 4;
  const yAt = (base: number, n: number, gr: number) => base + (n * g.outChannels + gr * groupOut) * positions * 4;
  const wAt = (base: number, gr: number) => base + gr * groupOut * patch * 4;

  return {
    strategy: pointwise ? 'pointwise' : 'gemm',
    forward: {
      scratchFloats: pointwise ? 0 : colFloats,
      run(k, p, scratch) {
        for (let n = 0; n < g.batch; n++) {
          for (let gr = 0; gr < g.groups; gr++) {
            const yg = yAt(p.y, n, gr);
            let col = xAt(p.x, n, gr);
            if (!pointwise) {
              k.f32_im2col(col, groupIn, g.inH, g.inW, ...window, scratch);
              col = scratch;
            }
            if (p.bias) k.f32_fill_rows(yg, groupOut, positions, p.bias + gr * groupOut * 4);
            k.f32_gemm(groupOut, positions, patch, wAt(p.w, gr), patch * 4, 4, col, positions * 4, yg, positions * 4, p.bias ? 1 : 0);
          }
        }
      },
    },
    inputGradient: {
      scratchFloats: pointwise ? 0 : colFloats,
      run(k, p, scratch) {
        if (!pointwise) k.f32_zero(p.dx, g.batch * g.inChannels * plane);
        for (let n = 0; n < g.batch; n++) {
          for (let gr = 0; gr < g.groups; gr++) {
            const dyg = yAt(p.dy, n, gr);
            const dxg = xAt(p.dx, n, gr);
            // dcol[patch×positions] = W_gᵀ · dY_g: W_g read transposed through its strides
            const dcol = pointwise ? dxg : scratch;
            k.f32_gemm(patch, positions, groupOut, wAt(p.w, gr), 4, patch * 4, dyg, positions * 4, dcol, positions * 4, 0);
            if (!pointwise) k.f32_col2im(dcol, groupIn, g.inH, g.inW, ...window, dxg);
          }
        }
      },
    },
    filterGradient: {
      scratchFloats: colFloats,
      run(k, p, scratch) {
        k.f32_zero(p.dw, g.outChannels * patch);
        k.f32_zero(p.db, g.outChannels);
        for (let n = 0; n < g.batch; n++) {
          for (let gr = 0; gr < g.groups; gr++) {
            const dyg = yAt(p.dy, n, gr);
            k.f32_rowsum_accumulate(dyg, groupOut, positions, p.db + gr * groupOut * 4);
            // dW_g[O_g×patch] += dY_g[O_g×positions] · row(X_g)[positions×patch]
            k.f32_im2row(xAt(p.x, n, gr), groupIn, g.inH, g.inW, ...window, scratch);
            k.f32_gemm(groupOut, patch, positions, dyg, positions * 4, 4, scratch, patch * 4, wAt(p.dw, gr), patch * 4, 1);
          }
        }
      },
    },
  };
}
