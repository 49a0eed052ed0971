// dX of a conv with stride (sh, 2) and 2–3 input channels per group (a network's stem:
// S7 is [16,3,64,64] ⋆ [32,3,3,3], stride 2), gathered by stride phase instead of scattered.
// Row ih = sh·a + s and column iw = 2m + r of dX receive exactly the taps (kh, kw) with
// kh·dh − padTop ≡ s (mod sh) and kw·dw − padLeft ≡ r (mod 2), from dY[a + δh][m + δw]:
// each phase is a stride-1 correlation of dY with a sub-kernel (1×1, 1×2, 2×1, 2×2 for a 3×3
// kernel at pad 1), so every dX element is written once — no column matrix, no col2im, no
// zero-fill. The kernel (assembly/f32-subconv/) runs 3 channels × 8 columns of one phase per
// tile and interleaves the two column phases as it stores. On S7 this pass takes 0.76× the
// time of the GEMM + col2im route (dcol = Wᵀ·dY, then a scatter-add into a zeroed dX).
import type { ConvGeometry } from '../geometry.js';
import type { InputGradientPointers, StagedPass } from './types.js';

/** Floats of f32_subconv_dx's work space: two staged 3×8 tiles (SUBCONV_WORK_BYTES). */
const WORK_FLOATS = 48;
/** Column pairs per tile (TILE_PAIRS in assembly/f32-subconv/f32-subconv-plan.ts). */
const TILE_PAIRS = 8;
/**
 * Stride (sh, 2) on 2 or 3 input channels per group. The tile holds 3 channels: on 1 channel
 * two thirds of it would idle, and the GEMM + col2im route is faster there (0.6× the time on
 * [64,1,28,28] ⋆ [32,1,3,3] stride 2); on 2 they tie.
 */
export function useSubconvInputGradient(g: ConvGeometry): boolean {
  const groupIn = g.inChannels / g.groups;
  return g.strideW === 2 && groupIn >= 2 && groupIn <= 3;
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

/** The taps of one axis that reach phase p of `stride`, with the dY shift δ each reads at. */
function phaseTaps(p: number, kernel: number, dilation: number, pad: number, stride: number) {
  const taps: Array<{ k: number; shift: number }> = [];
  for (let k = 0; k < kernel; k++) {
    if (mod(k * dilation - pad - p, stride) === 0) taps.push({ k, shift: (p + pad - k * dilation) / stride });
  }
  return taps;
}

export function subconvInputGradient(g: ConvGeometry): StagedPass<InputGradientPointers> {
  const groupIn = g.inChannels / g.groups;
  const groupOut = g.outChannels / g.groups;
  const kernelArea = g.kernelH * g.kernelW;
  const pairs = Math.ceil(g.inW / 2);
  const lastTile = Math.floor((pairs - 1) / TILE_PAIRS) * TILE_PAIRS;
  const colTaps = [0, 1].map((r) => phaseTaps(r, g.kernelW, g.dilationW, g.padLeft, 2));
  const allCols = [...colTaps[0], ...colTaps[1]];
  const regions = [];
  for (let s = 0; s < g.strideH; s++) {
    const rows = Math.ceil((g.inH - s) / g.strideH);
    if (rows > 0) regions.push({ s, rows, rowTaps: phaseTaps(s, g.kernelH, g.dilationH, g.padTop, g.strideH) });
  }
  // the zero-padded dY: margins for the most negative shifts, extent for the furthest reads
  const rowReads = regions.flatMap((r) => r.rowTaps.map((t) => [t.shift, r.rows - 1 + t.shift]));
  const top = Math.max(0, ...rowReads.map(([lo]) => -lo));
  const left = Math.max(0, ...allCols.map((t) => -t.shift));
  const padH = top + Math.max(g.outH, ...rowReads.map(([, hi]) => hi + 1));
  const padW = left + Math.max(g.outW, ...allCols.map((t) => lastTile + TILE_PAIRS + t.shift));

  // the plan (SubconvPlan, then each SubconvRegion and its tap offsets) and the order taps are packed in
  const packOrder: number[] = [];
  const ints: number[] = [groupIn, groupOut, padH * padW * 4, g.inH * g.inW * 4, g.inW, pairs, regions.length];
  for (const { s, rows, rowTaps } of regions) {
    const phases = colTaps.map((cols) => rowTaps.flatMap((th) => cols.map((tw) => ({ th, tw }))));
    ints.push(rows, s * g.inW * 4, g.strideH * g.inW * 4, padW * 4);
    for (const phase of phases) {
      ints.push(phase.length, packOrder.length * groupOut * 16);
      for (const { th, tw } of phase) packOrder.push(th.k * g.kernelW + tw.k);
    }
    for (const phase of phases) {
      for (const { th, tw } of phase) ints.push(((top + th.shift) * padW + left + tw.shift) * 4);
    }
  }
  const plan = Int32Array.from(ints);
  const packedFloats = packOrder.length * groupOut * 4;
  const at = {
    plan: 0,
    work: Math.ceil(plan.length / 4) * 16,
    packedW: 0,
    padded: 0,
    total: 0,
  };
  at.packedW = at.work + WORK_FLOATS * 4;
  at.padded = at.packedW + g.groups * packedFloats * 4;
  at.total = at.padded / 4 + Math.ceil((groupOut * padH * padW + 8) / 4) * 4;

  const xGroup = groupIn * g.inH * g.inW * 4;
  const yGroup = groupOut * g.outH * g.outW * 4;
  const wGroup = groupOut * groupIn * kernelArea * 4;
  return {
    scratchFloats: at.total,
    prepare(k, p, scratch) {
      new Int32Array(k.memory.buffer, scratch + at.plan, plan.length).set(plan);
      // per tap, Wᵀ[c][o] = w[o][c][kh][kw] into 4-row blocks (rows past groupIn zero)
      for (let gr = 0; gr < g.groups; gr++) {
        packOrder.forEach((tap, i) => {
          k.f32_pack_a_x4(groupIn, groupOut, p.w + gr * wGroup + tap * 4, kernelArea * 4, groupIn * kernelArea * 4,
            scratch + at.packedW + (gr * packedFloats + i * groupOut * 4) * 4);
        });
      }
    },
    images(k, p, scratch) {
      for (let n = 0; n < g.batch; n++) {
        for (let gr = 0; gr < g.groups; gr++) {
          const image = n * g.groups + gr;
          k.f32_pad_image(p.dy + image * yGroup, groupOut, g.outH, g.outW, top, left, padH, padW, scratch + at.padded);
          k.f32_subconv_dx(scratch + at.plan, scratch + at.padded, scratch + at.packedW + gr * packedFloats * 4,
            p.dx + image * xGroup, scratch + at.work);
        }
      }
    },
  };
}
