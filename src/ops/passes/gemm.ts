// The im2col + GEMM strategy, per image and per group, over a ConvGeometry:
//   forward  Y_g = W_g · col(X_g)            (+ bias broadcast first)
//   dW       dW_g += dY_g · row(X_g)         (row = col transposed, summed over the batch)
//   dX       dcol = W_gᵀ · dY_g, then col2im scatter-adds dcol into dX_g
//   db       db += row sums of dY
// The GEMM's A operand is packed into 4-row blocks first (W and Wᵀ once per call, dY once
// per image); B is packed panel by panel inside f32_gemm_packed. A pointwise conv (1×1
// kernel, stride 1, no padding) needs no im2col: X_g is already col, and row(X_g) is X_gᵀ.
import type { ConvGeometry } from '../geometry.js';
import type { ConvPasses } from './types.js';

/** 1×1 kernel, stride 1 and no padding on any side: the output grid is the input grid. */
export function isPointwise(g: ConvGeometry): boolean {
  return g.kernelH === 1 && g.kernelW === 1 && g.strideH === 1 && g.strideW === 1 &&
    g.padTop === 0 && g.padLeft === 0 && g.outH === g.inH && g.outW === g.inW;
}

/** Floats f32_pack_a_x4 writes for an m×k matrix: m rounded up to a whole 4-row block. */
const packedFloats = (m: number, k: number) => Math.ceil(m / 4) * 4 * k;

/** f32_gemm_packed's work space in floats (a B panel and a staging tile); fixed per build. */
const GEMM_WORK_FLOATS = 512 * 8 + 32;

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
  const colFloats = pointwise ? 0 : patch * positions;
  /** byte offsets of image n, group gr in each tensor */
  const xAt = (base: number, n: number, gr: number) => base + (n * g.inChannels + gr * groupIn) * plane * 4;
  const yAt = (base: number, n: number, gr: number) => base + (n * g.outChannels + gr * groupOut) * positions * 4;
  const wAt = (base: number, gr: number) => base + gr * groupOut * patch * 4;
  /** scratch layout: [work | packed A | col], byte offsets from the scratch base */
  const scratchOf = (packedA: number) => ({
    work: 0,
    packedA: GEMM_WORK_FLOATS * 4,
    col: (GEMM_WORK_FLOATS + packedA) * 4,
    floats: GEMM_WORK_FLOATS + packedA + colFloats,
  });
  const forwardScratch = scratchOf(g.groups * packedFloats(groupOut, patch));
  const inputScratch = scratchOf(g.groups * packedFloats(patch, groupOut));
  const filterScratch = scratchOf(packedFloats(groupOut, positions));
  const filterRowFloats = patch * positions;

  return {
    strategy: pointwise ? 'pointwise' : 'gemm',
    forward: {
      scratchFloats: forwardScratch.floats,
      run(k, p, scratch) {
        const work = scratch + forwardScratch.work;
        const packedW = (gr: number) => scratch + forwardScratch.packedA + gr * packedFloats(groupOut, patch) * 4;
        for (let gr = 0; gr < g.groups; gr++) k.f32_pack_a_x4(groupOut, patch, wAt(p.w, gr), patch * 4, 4, packedW(gr));
        for (let n = 0; n < g.batch; n++) {
          for (let gr = 0; gr < g.groups; gr++) {
            const yg = yAt(p.y, n, gr);
            let col = xAt(p.x, n, gr);
            if (!pointwise) {
              col = scratch + forwardScratch.col;
              k.f32_im2col(xAt(p.x, n, gr), groupIn, g.inH, g.inW, ...window, col);
            }
            if (p.bias) k.f32_fill_rows(yg, groupOut, positions, p.bias + gr * groupOut * 4);
            k.f32_gemm_packed(groupOut, positions, patch, packedW(gr), col, positions * 4, 4, yg, positions * 4, p.bias ? 1 : 0, work);
          }
        }
      },
    },
    inputGradient: {
      scratchFloats: inputScratch.floats,
      run(k, p, scratch) {
        const work = scratch + inputScratch.work;
        const packedWt = (gr: number) => scratch + inputScratch.packedA + gr * packedFloats(patch, groupOut) * 4;
        // Wᵀ[patch×O_g] read through W's strides: row i of Wᵀ is column i of W
        for (let gr = 0; gr < g.groups; gr++) k.f32_pack_a_x4(patch, groupOut, wAt(p.w, gr), 4, patch * 4, packedWt(gr));
        if (!pointwise) k.f32_zero(p.dx, g.batch * g.inChannels * plane);
        for (let n = 0; n < g.batch; n++) {
          for (let gr = 0; gr < g.groups; gr++) {
            const dxg = xAt(p.dx, n, gr);
            // dcol[patch×positions] = W_gᵀ · dY_g, straight into dX when there is no im2col
            const dcol = pointwise ? dxg : scratch + inputScratch.col;
            k.f32_gemm_packed(patch, positions, groupOut, packedWt(gr), yAt(p.dy, n, gr), positions * 4, 4, dcol, positions * 4, 0, work);
            if (!pointwise) k.f32_col2im(dcol, groupIn, g.inH, g.inW, ...window, dxg);
          }
        }
      },
    },
    filterGradient: {
      scratchFloats: filterScratch.floats + (pointwise ? 0 : filterRowFloats),
      run(k, p, scratch) {
        const work = scratch + filterScratch.work;
        const packedDy = scratch + filterScratch.packedA;
        const rows = scratch + filterScratch.col;
        k.f32_zero(p.dw, g.outChannels * patch);
        k.f32_zero(p.db, g.outChannels);
        for (let n = 0; n < g.batch; n++) {
          for (let gr = 0; gr < g.groups; gr++) {
            const dyg = yAt(p.dy, n, gr);
            const xg = xAt(p.x, n, gr);
            k.f32_rowsum_accumulate(dyg, groupOut, positions, p.db + gr * groupOut * 4);
            k.f32_pack_a_x4(groupOut, positions, dyg, positions * 4, 4, packedDy);
            // dW_g[O_g×patch] += dY_g[O_g×positions] · row(X_g)[positions×patch]; row(X_g) = X_gᵀ when pointwise
            if (pointwise) {
              k.f32_gemm_packed(groupOut, patch, positions, packedDy, xg, 4, plane * 4, wAt(p.dw, gr), patch * 4, 1, work);
            } else {
              k.f32_im2row(xg, groupIn, g.inH, g.inW, ...window, rows);
              k.f32_gemm_packed(groupOut, patch, positions, packedDy, rows, patch * 4, 4, wAt(p.dw, gr), patch * 4, 1, work);
            }
          }
        }
      },
    },
  };
}
