// The GEMM strategy, per image and per group, over a ConvGeometry:
//   forward  Y_g = W_g · col(X_g)            (+ bias broadcast first)
//   dW       dW_g += dY_g · row(X_g)         (row = col transposed, summed over the batch)
//   dX       dcol = W_gᵀ · dY_g, then col2im scatter-adds dcol into dX_g
//   db       db += row sums of dY
// The GEMM's A operand is packed into 4-row blocks first (W and Wᵀ once per call, dY once per
// image). col(X) and row(X) are never written out: the GEMM gathers each B panel straight
// from a zero-padded copy of the image through a table of tap offsets. A pointwise conv (1×1
// kernel, stride 1, no padding) reads X_g itself as col, and X_gᵀ as row.
import type { KernelExports } from '../../loader.js';
import type { ConvGeometry } from '../geometry.js';
import type { ConvPasses } from './types.js';

/** 1×1 kernel, stride 1 and no padding on any side: the output grid is the input grid. */
export function isPointwise(g: ConvGeometry): boolean {
  return g.kernelH === 1 && g.kernelW === 1 && g.strideH === 1 && g.strideW === 1 &&
    g.padTop === 0 && g.padLeft === 0 && g.outH === g.inH && g.outW === g.inW;
}

/** Floats f32_pack_a_x4 writes for an m×k matrix: m rounded up to a whole 4-row block. */
const packedFloats = (m: number, k: number) => Math.ceil(m / 4) * 4 * k;

/** The GEMM drivers' work space in floats (a 512×8 B panel and a 4×8 staging tile). */
const GEMM_WORK_FLOATS = 512 * 8 + 32;

/** Lays out named float blocks one after another (16-byte aligned); byte offsets from the scratch base. */
function scratchLayout<K extends string>(floats: Record<K, number>): Record<K, number> & { total: number } {
  const at: Record<string, number> = {};
  let end = 0;
  for (const name of Object.keys(floats) as K[]) {
    at[name] = end * 4;
    end += Math.ceil(floats[name] / 4) * 4;
  }
  at.total = end;
  return at as Record<K, number> & { total: number };
}

export function gemmPasses(g: ConvGeometry): ConvPasses {
  const groupIn = g.inChannels / g.groups;
  const groupOut = g.outChannels / g.groups;
  /** reduction length of the forward GEMM: C/groups · KH · KW */
  const patch = groupIn * g.kernelH * g.kernelW;
  /** output positions OH · OW */
  const positions = g.outH * g.outW;
  const plane = g.inH * g.inW;
  const pointwise = isPointwise(g);
  /** the padded image covers every window: padding before, and as far as the last window reaches */
  const paddedH = Math.max(g.padTop + g.inH, (g.outH - 1) * g.strideH + (g.kernelH - 1) * g.dilationH + 1);
  const paddedW = Math.max(g.padLeft + g.inW, (g.outW - 1) * g.strideW + (g.kernelW - 1) * g.dilationW + 1);
  const padded = pointwise ? { image: 0, taps: 0 } : { image: groupIn * paddedH * paddedW + 8, taps: patch };
  /** byte offsets of image n, group gr in each tensor */
  const xAt = (base: number, n: number, gr: number) => base + (n * g.inChannels + gr * groupIn) * plane * 4;
  const yAt = (base: number, n: number, gr: number) => base + (n * g.outChannels + gr * groupOut) * positions * 4;
  const wAt = (base: number, gr: number) => base + gr * groupOut * patch * 4;

  /** Pads image n, group gr into the scratch image; the tap table was written once per call. */
  const padImage = (k: KernelExports, x: number, n: number, gr: number, out: number) =>
    k.f32_pad_image(xAt(x, n, gr), groupIn, g.inH, g.inW, g.padTop, g.padLeft, paddedH, paddedW, out);
  const writeTaps = (k: KernelExports, out: number) =>
    k.f32_conv_tap_offsets(groupIn, g.kernelH, g.kernelW, g.dilationH, g.dilationW, paddedH, paddedW, out);

  const forward = scratchLayout({ work: GEMM_WORK_FLOATS, packedW: g.groups * packedFloats(groupOut, patch), ...padded });
  const input = scratchLayout({
    work: GEMM_WORK_FLOATS, packedWt: g.groups * packedFloats(patch, groupOut), dcol: pointwise ? 0 : patch * positions,
  });
  const filter = scratchLayout({ work: GEMM_WORK_FLOATS, packedDy: packedFloats(groupOut, positions), ...padded });

  return {
    strategy: pointwise ? 'pointwise' : 'gemm',
    forward: {
      scratchFloats: forward.total,
      run(k, p, scratch) {
        const work = scratch + forward.work;
        const packedW = (gr: number) => scratch + forward.packedW + gr * packedFloats(groupOut, patch) * 4;
        for (let gr = 0; gr < g.groups; gr++) k.f32_pack_a_x4(groupOut, patch, wAt(p.w, gr), patch * 4, 4, packedW(gr));
        if (!pointwise) writeTaps(k, scratch + forward.taps);
        for (let n = 0; n < g.batch; n++) {
          for (let gr = 0; gr < g.groups; gr++) {
            const yg = yAt(p.y, n, gr);
            const accumulate = p.bias ? 1 : 0;
            if (p.bias) k.f32_fill_rows(yg, groupOut, positions, p.bias + gr * groupOut * 4);
            if (pointwise) {
              k.f32_gemm_packed(groupOut, positions, patch, packedW(gr), xAt(p.x, n, gr), positions * 4, 4, yg, positions * 4, accumulate, work);
            } else {
              padImage(k, p.x, n, gr, scratch + forward.image);
              k.f32_gemm_im2col(groupOut, positions, patch, packedW(gr), scratch + forward.image, scratch + forward.taps,
                g.outW, g.strideH, g.strideW, paddedW, yg, positions * 4, accumulate, work);
            }
          }
        }
      },
    },
    inputGradient: {
      scratchFloats: input.total,
      run(k, p, scratch) {
        const work = scratch + input.work;
        const packedWt = (gr: number) => scratch + input.packedWt + gr * packedFloats(patch, groupOut) * 4;
        // Wᵀ[patch×O_g] read through W's strides: row i of Wᵀ is column i of W
        for (let gr = 0; gr < g.groups; gr++) k.f32_pack_a_x4(patch, groupOut, wAt(p.w, gr), 4, patch * 4, packedWt(gr));
        if (!pointwise) k.f32_zero(p.dx, g.batch * g.inChannels * plane);
        const window = [g.kernelH, g.kernelW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW] as const;
        for (let n = 0; n < g.batch; n++) {
          for (let gr = 0; gr < g.groups; gr++) {
            const dxg = xAt(p.dx, n, gr);
            // dcol[patch×positions] = W_gᵀ · dY_g, straight into dX when there is no im2col
            const dcol = pointwise ? dxg : scratch + input.dcol;
            k.f32_gemm_packed(patch, positions, groupOut, packedWt(gr), yAt(p.dy, n, gr), positions * 4, 4, dcol, positions * 4, 0, work);
            if (!pointwise) k.f32_col2im(dcol, groupIn, g.inH, g.inW, ...window, dxg);
          }
        }
      },
    },
    filterGradient: {
      scratchFloats: filter.total,
      run(k, p, scratch) {
        const work = scratch + filter.work;
        const packedDy = scratch + filter.packedDy;
        k.f32_zero(p.dw, g.outChannels * patch);
        k.f32_zero(p.db, g.outChannels);
        if (!pointwise) writeTaps(k, scratch + filter.taps);
        for (let n = 0; n < g.batch; n++) {
          for (let gr = 0; gr < g.groups; gr++) {
            const dyg = yAt(p.dy, n, gr);
            const dwg = wAt(p.dw, gr);
            k.f32_rowsum_accumulate(dyg, groupOut, positions, p.db + gr * groupOut * 4);
            k.f32_pack_a_x4(groupOut, positions, dyg, positions * 4, 4, packedDy);
            // dW_g[O_g×patch] += dY_g[O_g×positions] · row(X_g)[positions×patch]
            if (pointwise) {
              k.f32_gemm_packed(groupOut, patch, positions, packedDy, xAt(p.x, n, gr), 4, plane * 4, dwg, patch * 4, 1, work);
            } else {
              padImage(k, p.x, n, gr, scratch + filter.image);
              k.f32_gemm_im2row(groupOut, patch, positions, packedDy, scratch + filter.image, scratch + filter.taps,
                g.outW, g.strideH, g.strideW, paddedW, dwg, patch * 4, 1, work);
            }
          }
        }
      },
    },
  };
}
