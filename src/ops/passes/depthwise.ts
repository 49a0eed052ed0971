// The direct depthwise strategy (groups = C, one input channel per group, any multiplier
// M = O / C; output channel o reads input channel o / M). Each pass is one kernel call per
// image, driven by a plan computed here once and written into scratch (layout: DwPlan and
// DwRegion in assembly/f32-dwconv/f32-dwconv-plan.ts). Every pass reads a zero-padded copy of
// its source plane, so the kernels' inner loops test no bounds:
//   forward  y[o][oy][ox] = Σ_ky,kx w[o][ky][kx] · xpad[c][oy·sh + ky·dh][ox·sw + kx·dw]
//            (columns split into sw phases, so each tap reads contiguous columns)
//   dW       dw[o][ky][kx] += Σ_oy,ox dy[o][oy][ox] · the same xpad read; db[o] += Σ dy[o]
//   dX       a gather: dx row iy = a + sh·i − pt (phase a) receives w[ky][kx] · dy[i − u][…]
//            from the taps with ky·dh = a + sh·u; one region per (row phase, column phase),
//            each tap listed once per multiplier, so dx is written once, never accumulated.
import type { KernelExports } from '../../loader.js';
import type { ConvGeometry } from '../geometry.js';
import { clampBounds, clampOutput } from './epilogue.js';
import type { StrategyPasses } from './types.js';

/** One input channel per group and more than one group: a real depthwise convolution. */
export function isDepthwise(g: ConvGeometry): boolean {
  return g.groups > 1 && g.inChannels === g.groups;
}

/** Mirrors DwRegion: dst[i][j] = Σ taps w[wOffset] · padded[srcOffset + i·srcRowStride + tap srcOffset + 4j]. */
interface Region {
  rows: number;
  cols: number;
  srcOffset: number;
  srcRowStride: number;
  dstOffset: number;
  dstRowStride: number;
  dstColStride: number;
  /** [srcOffset, wOffset] in bytes */
  taps: Array<[number, number]>;
}

/** Mirrors DwPlan, field for field (all byte sizes except counts). */
interface Plan {
  channels: number;
  multiplier: number;
  filterBytes: number;
  srcPlaneBytes: number;
  dstPlaneBytes: number;
  copyRows: number;
  copyCols: number;
  srcRowBytes: number;
  top: number;
  left: number;
  phases: number;
  phaseBytes: number;
  padRowBytes: number;
  padBytes: number;
  padPlanes: number;
  regions: Region[];
}

/** DwPlan's fields in memory order (the region count follows them). */
const PLAN_FIELDS = [
  'channels', 'multiplier', 'filterBytes', 'srcPlaneBytes', 'dstPlaneBytes', 'copyRows', 'copyCols', 'srcRowBytes',
  'top', 'left', 'phases', 'phaseBytes', 'padRowBytes', 'padBytes', 'padPlanes',
] as const;

/**
 * The plan as the kernels read it: DwPlan's fields, then each region and its taps. A tap entry
 * is TAP_BYTES = 16: srcOffset, wOffset, then a slot the kernel fills with the weight itself
 * (per channel) and one unused, so the tap pointer steps by a power of two.
 */
function encode(plan: Plan): Int32Array {
  const ints: number[] = [...PLAN_FIELDS.map((f) => plan[f]), plan.regions.length];
  for (const r of plan.regions) {
    ints.push(r.rows, r.cols, r.srcOffset, r.srcRowStride, r.dstOffset, r.dstRowStride, r.dstColStride, r.taps.length);
    for (const [src, w] of r.taps) ints.push(src, w, 0, 0);
  }
  return Int32Array.from(ints);
}

const roundUp4 = (n: number) => Math.ceil(n / 4) * 4;
const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/**
 * Forward and dW: x padded into xpad, its columns split into sw phases. Each phase row holds the
 * columns of output width rounded up to 4 (SIMD reads whole vectors) plus the kernel's reach.
 */
function forwardPlan(g: ConvGeometry): Plan {
  const multiplier = g.outChannels / g.groups;
  const phaseW = roundUp4(g.outW) + Math.floor(((g.kernelW - 1) * g.dilationW) / g.strideW);
  const padRow = g.strideW * phaseW;
  const padH = (g.outH - 1) * g.strideH + (g.kernelH - 1) * g.dilationH + 1;
  const taps: Array<[number, number]> = [];
  for (let ky = 0; ky < g.kernelH; ky++) {
    for (let kx = 0; kx < g.kernelW; kx++) {
      const col = kx * g.dilationW;
      const phase = col % g.strideW;
      taps.push([(ky * g.dilationH * padRow + phase * phaseW + Math.floor(col / g.strideW)) * 4, (ky * g.kernelW + kx) * 4]);
    }
  }
  return {
    channels: g.groups,
    multiplier,
    filterBytes: g.kernelH * g.kernelW * 4,
    srcPlaneBytes: g.inH * g.inW * 4,
    dstPlaneBytes: g.outH * g.outW * 4,
    // rows and columns past the padded extent are never read (padBottom/padRight may cut them)
    copyRows: clamp(padH - g.padTop, 0, g.inH),
    copyCols: clamp(padRow - g.padLeft, 0, g.inW),
    srcRowBytes: g.inW * 4,
    top: g.padTop,
    left: g.padLeft,
    phases: g.strideW,
    phaseBytes: phaseW * 4,
    padRowBytes: padRow * 4,
    padBytes: padH * padRow * 4,
    padPlanes: 1,
    regions: [{
      rows: g.outH, cols: g.outW,
      srcOffset: 0, srcRowStride: g.strideH * padRow * 4,
      dstOffset: 0, dstRowStride: g.outW * 4, dstColStride: 4,
      taps,
    }],
  };
}

/** The outputs i of one stride phase p of an axis: padded position p + stride·i, input index p + stride·i − pad in [0, size). */
function phaseRange(p: number, stride: number, pad: number, size: number): { first: number; count: number } {
  const first = Math.max(0, Math.ceil((pad - p) / stride));
  return { first, count: Math.ceil((size + pad - p) / stride) - first };
}

/**
 * dX: each of the M dy planes of a group padded by (U, V) = the kernel's reach in output rows
 * and columns, so that dy[oy − u] stays in bounds; one region per (row phase a, column phase b)
 * with the taps ky·dh ≡ a (mod sh), kx·dw ≡ b (mod sw), writing dx at stride (sh, sw).
 */
function inputGradientPlan(g: ConvGeometry): Plan {
  const multiplier = g.outChannels / g.groups;
  const kernelArea = g.kernelH * g.kernelW;
  const U = Math.floor(((g.kernelH - 1) * g.dilationH) / g.strideH);
  const V = Math.floor(((g.kernelW - 1) * g.dilationW) / g.strideW);
  const rowPhases = Array.from({ length: g.strideH }, (_, a) => phaseRange(a, g.strideH, g.padTop, g.inH)).filter((r) => r.count > 0);
  const colPhases = Array.from({ length: g.strideW }, (_, b) => phaseRange(b, g.strideW, g.padLeft, g.inW)).filter((r) => r.count > 0);
  // the reads of region row i (col j, rounded up to whole vectors) reach padded row first + i + U
  const padH = Math.max(U + g.outH, ...rowPhases.map((r) => r.first + r.count + U));
  const padW = Math.max(V + g.outW, ...colPhases.map((c) => c.first + roundUp4(c.count) + V));
  const padBytes = padH * padW * 4;
  const regions: Region[] = [];
  for (let a = 0; a < g.strideH; a++) {
    const rows = phaseRange(a, g.strideH, g.padTop, g.inH);
    if (rows.count <= 0) continue;
    for (let b = 0; b < g.strideW; b++) {
      const cols = phaseRange(b, g.strideW, g.padLeft, g.inW);
      if (cols.count <= 0) continue;
      const taps: Array<[number, number]> = [];
      for (let m = 0; m < multiplier; m++) {
        for (let ky = 0; ky < g.kernelH; ky++) {
          if ((ky * g.dilationH) % g.strideH !== a) continue;
          const u = Math.floor((ky * g.dilationH) / g.strideH);
          for (let kx = 0; kx < g.kernelW; kx++) {
            if ((kx * g.dilationW) % g.strideW !== b) continue;
            const v = Math.floor((kx * g.dilationW) / g.strideW);
            taps.push([m * padBytes + ((U - u) * padW + (V - v)) * 4, (m * kernelArea + ky * g.kernelW + kx) * 4]);
          }
        }
      }
      regions.push({
        rows: rows.count, cols: cols.count,
        srcOffset: (rows.first * padW + cols.first) * 4, srcRowStride: padW * 4,
        dstOffset: ((a + g.strideH * rows.first - g.padTop) * g.inW + (b + g.strideW * cols.first - g.padLeft)) * 4,
        dstRowStride: g.strideH * g.inW * 4, dstColStride: g.strideW * 4,
        taps,
      });
    }
  }
  return {
    channels: g.groups,
    multiplier,
    filterBytes: kernelArea * 4,
    srcPlaneBytes: g.outH * g.outW * 4,
    dstPlaneBytes: g.inH * g.inW * 4,
    copyRows: g.outH,
    copyCols: g.outW,
    srcRowBytes: g.outW * 4,
    top: U,
    left: V,
    phases: 1,
    phaseBytes: padW * 4,
    padRowBytes: padW * 4,
    padBytes,
    padPlanes: multiplier,
    regions,
  };
}

/** Scratch = the encoded plan, then (16-byte aligned) the padded planes. */
function scratchLayout(plan: Plan) {
  const ints = encode(plan);
  const paddedAt = roundUp4(ints.length) * 4;
  return { ints, paddedAt, floats: paddedAt / 4 + (plan.padBytes * plan.padPlanes) / 4 };
}

/**
 * 3×3, dilation 1, stride 1 or 2 in both axes (MobileNet's depthwise layers): the forward pass
 * runs f32_dwconv_fwd_3x3 over the same plan, with the weights in registers and each input row
 * loaded once for the output rows it feeds. Same sums in the same order: y is bit for bit the
 * generic kernel's. Measured 2026-12-06 (one thread, simd, MobileNetV2's shapes): see docs/benchmarks.md.
 */
function forward3x3Stride(g: ConvGeometry): number {
  const threeByThree = g.kernelH === 3 && g.kernelW === 3 && g.dilationH === 1 && g.dilationW === 1;
  return threeByThree && g.strideH === g.strideW && (g.strideH === 1 || g.strideH === 2) ? g.strideH : 0;
}

export function depthwisePasses(g: ConvGeometry): StrategyPasses {
  const forward = scratchLayout(forwardPlan(g));
  const stride3x3 = forward3x3Stride(g);
  const [lo, hi] = clampBounds(g);
  // `floats` of output at y; the 3×3 kernel clamps a fused activation as it stores, the generic
  // one is followed by a clamp pass over what it wrote
  const forwardImage = (k: KernelExports, plan: number, x: number, w: number, bias: number, y: number, padded: number, floats: number) => {
    if (stride3x3) {
      k.f32_dwconv_fwd_3x3(plan, x, w, bias, y, padded, stride3x3, lo, hi);
    } else {
      k.f32_dwconv_fwd(plan, x, w, bias, y, padded);
      clampOutput(k, g, y, floats);
    }
  };
  const inputGradient = scratchLayout(inputGradientPlan(g));
  const xImage = g.inChannels * g.inH * g.inW * 4;
  const yImage = g.outChannels * g.outH * g.outW * 4;
  const writePlan = (memory: WebAssembly.Memory, scratch: number, ints: Int32Array) => new Int32Array(memory.buffer, scratch, ints.length).set(ints);

  // Blocks of input channels [from, to) for a small batch on several threads: the same plan
  // over fewer channels (the kernels treat each channel alone), written where the block's own
  // floats are, and every tensor's pointer moved to the block's first channel.
  const inPlane = g.inH * g.inW * 4, outPlanes = (g.outChannels / g.groups) * g.outH * g.outW * 4;
  const filters = (g.outChannels / g.groups) * g.kernelH * g.kernelW * 4, biases = (g.outChannels / g.groups) * 4;
  const blockPlan = (k: KernelExports, layout: { ints: Int32Array; paddedAt: number }, own: number, from: number, to: number) => {
    writePlan(k.memory, own, layout.ints);
    new Int32Array(k.memory.buffer, own, 1)[0] = to - from; // DwPlan.channels, its first field
  };
  const blocks = (layout: { ints: Int32Array; paddedAt: number }) => ({ cuts: 'channels' as const, units: g.groups, ownFloats: layout.paddedAt / 4, prepare() {} });

  return {
    strategy: 'depthwise',
    forward: {
      scratchFloats: forward.floats,
      prepare: (k, _p, scratch) => writePlan(k.memory, scratch, forward.ints),
      images(k, p, scratch) {
        for (let n = 0; n < g.batch; n++) {
          forwardImage(k, scratch, p.x + n * xImage, p.w, p.bias, p.y + n * yImage, scratch + forward.paddedAt, yImage / 4);
        }
      },
      outputBlocks: {
        ...blocks(forward),
        block(k, p, scratch, from, to, _shared, own) {
          blockPlan(k, forward, own, from, to);
          const bias = p.bias ? p.bias + from * biases : 0;
          for (let n = 0; n < g.batch; n++) {
            const y = p.y + n * yImage + from * outPlanes;
            forwardImage(k, own, p.x + n * xImage + from * inPlane, p.w + from * filters, bias, y, scratch + forward.paddedAt, ((to - from) * outPlanes) / 4);
          }
        },
      },
    },
    inputGradient: {
      scratchFloats: inputGradient.floats,
      prepare: (k, _p, scratch) => writePlan(k.memory, scratch, inputGradient.ints),
      images(k, p, scratch) {
        for (let n = 0; n < g.batch; n++) {
          k.f32_dwconv_dx(scratch, p.dy + n * yImage, p.w, p.dx + n * xImage, scratch + inputGradient.paddedAt);
        }
      },
      outputBlocks: {
        ...blocks(inputGradient),
        block(k, p, scratch, from, to, _shared, own) {
          blockPlan(k, inputGradient, own, from, to);
          for (let n = 0; n < g.batch; n++) {
            k.f32_dwconv_dx(own, p.dy + n * yImage + from * outPlanes, p.w + from * filters, p.dx + n * xImage + from * inPlane, scratch + inputGradient.paddedAt);
          }
        },
      },
    },
    filterGradient: {
      scratchFloats: forward.floats,
      prepare: (k, _p, scratch) => writePlan(k.memory, scratch, forward.ints),
      images(k, p, scratch) {
        k.f32_zero(p.dw, g.outChannels * g.kernelH * g.kernelW);
        k.f32_zero(p.db, g.outChannels);
        for (let n = 0; n < g.batch; n++) {
          k.f32_dwconv_dw(scratch, p.dy + n * yImage, p.x + n * xImage, p.dw, p.db, scratch + forward.paddedAt);
        }
      },
      // each channel's dW and db summed over the images in one thread's order
      outputBlocks: {
        ...blocks(forward),
        block(k, p, scratch, from, to, _shared, own) {
          blockPlan(k, forward, own, from, to);
          const dw = p.dw + from * filters, db = p.db + from * biases;
          k.f32_zero(dw, ((to - from) * filters) / 4);
          k.f32_zero(db, ((to - from) * biases) / 4);
          for (let n = 0; n < g.batch; n++) {
            k.f32_dwconv_dw(own, p.dy + n * yImage + from * outPlanes, p.x + n * xImage + from * inPlane, dw, db, scratch + forward.paddedAt);
          }
        },
      },
    },
  };
}
