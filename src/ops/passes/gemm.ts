// The GEMM strategy, per image and per group, over a ConvGeometry:
//   forward  Y_g = W_g · col(X_g)            (+ bias: broadcast first; a pointwise conv's GEMM starts from it)
//   dW       dW_g += dY_g · row(X_g)         (row = col transposed, summed over the batch)
//   dX       stride 1: the forward pass of the transposed conv (dY ⋆ flipped Wᵀ, padding
//            (K−1)·dilation − pad, negative meaning a crop), so dX needs no column matrix;
//            other strides: dcol = W_gᵀ · dY_g, then col2im scatter-adds dcol into dX_g
//   db       db += row sums of dY
// The GEMM's A operand is packed into 4-row blocks first (W and Wᵀ once per call, dY once per
// image). col(X) and row(X) are never written out: the GEMM gathers each B panel straight
// from a zero-padded copy of the image through a table of tap offsets. A pointwise conv (1×1
// kernel, stride 1, no padding) reads X_g itself as col, and X_gᵀ as row.
import type { KernelExports } from '../../loader.js';
import type { ConvGeometry } from '../geometry.js';
import { clampColumns, withoutClamp } from './epilogue.js';
import { subconvInputGradient, useSubconvInputGradient } from './subconv-dx.js';
import type { FilterGradientPointers, ForwardPointers, InputGradientPointers, Slice, StagedPass, StrategyPasses } from './types.js';

/** 1×1 kernel, stride 1 and no padding on any side: the output grid is the input grid. */
export function isPointwise(g: ConvGeometry): boolean {
  return g.kernelH === 1 && g.kernelW === 1 && g.strideH === 1 && g.strideW === 1 &&
    g.padTop === 0 && g.padLeft === 0 && g.outH === g.inH && g.outW === g.inW;
}

/** Floats f32_pack_a_x4 writes for an m×k matrix: m rounded up to a whole 4-row block. */
const packedFloats = (m: number, k: number) => Math.ceil(m / 4) * 4 * k;

/**
 * The GEMM drivers' work space in floats (a KC×8 B panel, KC = 512, and a 4×8 staging tile).
 * init() checks it against the binary's f32_gemm_packed_work_bytes().
 */
export const GEMM_WORK_FLOATS = 512 * 8 + 32;

/** Lays out named float blocks one after another (16-byte aligned); byte offsets from the scratch base. */
export function scratchLayout<K extends string>(floats: Record<K, number>): Record<K, number> & { total: number } {
  const at: Record<string, number> = {};
  let end = 0;
  for (const name of Object.keys(floats) as K[]) {
    at[name] = end * 4;
    end += Math.ceil(floats[name] / 4) * 4;
  }
  at.total = end;
  return at as Record<K, number> & { total: number };
}

/**
 * Where one image's padded copy sits: the zero-padded planes f32_pad_image writes, and the
 * byte offset the GEMM starts reading at (past any rows and columns a negative pad crops).
 */
function paddedImage(g: ConvGeometry, channels: number) {
  const placeTop = Math.max(g.padTop, 0), placeLeft = Math.max(g.padLeft, 0);
  const cropTop = Math.max(-g.padTop, 0), cropLeft = Math.max(-g.padLeft, 0);
  const paddedH = Math.max(placeTop + g.inH, cropTop + (g.outH - 1) * g.strideH + (g.kernelH - 1) * g.dilationH + 1);
  const paddedW = Math.max(placeLeft + g.inW, cropLeft + (g.outW - 1) * g.strideW + (g.kernelW - 1) * g.dilationW + 1);
  return {
    paddedW,
    /** floats of the copy, with the 8 floats of slack the panel loads may touch */
    floats: channels * paddedH * paddedW + 8,
    readOffset: (cropTop * paddedW + cropLeft) * 4,
    pad: (k: KernelExports, x: number, out: number) =>
      k.f32_pad_image(x, channels, g.inH, g.inW, placeTop, placeLeft, paddedH, paddedW, out),
    writeTaps: (k: KernelExports, out: number) =>
      k.f32_conv_tap_offsets(channels, g.kernelH, g.kernelW, g.dilationH, g.dilationW, paddedH, paddedW, out),
  };
}

/** The conv whose forward pass is this conv's dX when the stride is 1. */
export function transposedGeometry(g: ConvGeometry): ConvGeometry {
  return {
    ...withoutClamp(g),
    inChannels: g.outChannels, outChannels: g.inChannels,
    inH: g.outH, inW: g.outW, outH: g.inH, outW: g.inW,
    padTop: (g.kernelH - 1) * g.dilationH - g.padTop,
    padLeft: (g.kernelW - 1) * g.dilationW - g.padLeft,
    outShape: [g.batch, g.inChannels, g.inH, g.inW],
  };
}

/** Per-group sizes and the byte offset of image n, group gr in each tensor. */
export function groupSizes(g: ConvGeometry) {
  const groupIn = g.inChannels / g.groups;
  const groupOut = g.outChannels / g.groups;
  const positions = g.outH * g.outW;
  const plane = g.inH * g.inW;
  const patch = groupIn * g.kernelH * g.kernelW;
  return {
    groupIn, groupOut, positions, plane,
    /** reduction length of the forward GEMM: C/groups · KH · KW */
    patch,
    xAt: (base: number, n: number, gr: number) => base + (n * g.inChannels + gr * groupIn) * plane * 4,
    yAt: (base: number, n: number, gr: number) => base + (n * g.outChannels + gr * groupOut) * positions * 4,
    wAt: (base: number, gr: number) => base + gr * groupOut * patch * 4,
  };
}

export function gemmPasses(g: ConvGeometry): StrategyPasses {
  return {
    strategy: isPointwise(g) ? 'pointwise' : 'gemm',
    forward: gemmForward(g),
    inputGradient: useTransposedInputGradient(g) ? transposedInputGradient(g)
      : useSubconvInputGradient(g) ? subconvInputGradient(g) : scatterInputGradient(g),
    filterGradient: gemmFilterGradient(g),
  };
}

function gemmForward(g: ConvGeometry): StagedPass<ForwardPointers> {
  const { groupIn, groupOut, positions, patch, xAt, yAt, wAt } = groupSizes(g);
  const pointwise = isPointwise(g);
  const image = paddedImage(g, groupIn);
  // the output column blocks of a GEMM of `rows` rows (one without an activation), made once per row count
  const blocksByRows = new Map<number, Slice[]>();
  const blocksOf = (rows: number): Slice[] => {
    let blocks = blocksByRows.get(rows);
    if (!blocks) blocksByRows.set(rows, (blocks = clampBlocks(g, rows)));
    return blocks;
  };
  const at = scratchLayout({
    work: GEMM_WORK_FLOATS,
    image: pointwise ? 0 : image.floats,
    taps: pointwise ? 0 : patch,
  });
  // W packed (each group's 4-row blocks) is the shared block: made once per call, or kept
  const packedWAt = (shared: number, gr: number) => shared + gr * packedFloats(groupOut, patch) * 4;
  return {
    scratchFloats: at.total,
    callsOnly: true,
    shared: {
      floats: g.groups * packedFloats(groupOut, patch),
      key: `gemm packed W ${g.groups} ${groupOut}×${patch}`,
      prepare(k, p, shared) {
        for (let gr = 0; gr < g.groups; gr++) k.f32_pack_a_x4(groupOut, patch, wAt(p.w, gr), patch * 4, 4, packedWAt(shared, gr));
      },
    },
    prepare(k, _p, scratch) {
      if (!pointwise) image.writeTaps(k, scratch + at.taps);
    },
    images(k, p, scratch, shared) {
      for (let n = 0; n < g.batch; n++) {
        for (let gr = 0; gr < g.groups; gr++) outputRows(k, p, scratch, shared, n, gr, 0, groupOut);
      }
    },
    channelBlocks: g.groups === 1
      ? { channels: groupOut, block: (k, p, scratch, n, from, to, shared) => outputRows(k, p, scratch, shared, n, 0, from, to) }
      : undefined,
    outputBlocks: g.groups === 1
      ? {
        cuts: 'channels',
        units: groupOut,
        prepare(k, _p, scratch) {
          if (!pointwise) image.writeTaps(k, scratch + at.taps);
        },
        // the block's rows of every image, from W packed in the shared block
        block(k, p, scratch, from, to, shared) {
          for (let n = 0; n < g.batch; n++) outputRows(k, p, scratch, shared, n, 0, from, to);
        },
      }
      : undefined,
  };

  /** Output channels [from, to) of group gr of image n: rows of the GEMM (from a multiple of 4, a packed block's first row). */
  function outputRows(k: KernelExports, p: ForwardPointers, scratch: number, shared: number, n: number, gr: number, from: number, to: number): void {
    const work = scratch + at.work;
    const rows = to - from;
    const packedW = packedWAt(shared, gr) + from * patch * 4;
    const yg = yAt(p.y, n, gr) + from * positions * 4;
    const bias = p.bias ? p.bias + (gr * groupOut + from) * 4 : 0;
    const accumulate = p.bias ? 1 : 0;
    // pointwise: the bias starts the GEMM's sums, no pass over y first (MobileNetV2's 16→96 at
    // 112×112: 1.7–3.6 → 1.2–1.3 ms); im2col: y is filled with the bias and accumulated into
    if (!pointwise) {
      if (p.bias) k.f32_fill_rows(yg, rows, positions, bias);
      image.pad(k, xAt(p.x, n, gr), scratch + at.image);
    }
    // with a fused activation, the GEMM runs over blocks of output columns (whole output rows
    // unless pointwise) and each block is clamped while it is in cache (epilogue.ts)
    for (const { start, count } of blocksOf(rows)) {
      if (pointwise) {
        k.f32_gemm_packed_bias(rows, count, patch, packedW, xAt(p.x, n, gr) + start * 4, positions * 4, 4, bias, yg + start * 4, positions * 4, work);
      } else {
        const image0 = scratch + at.image + image.readOffset + (start / g.outW) * g.strideH * image.paddedW * 4;
        k.f32_gemm_im2col(rows, count, patch, packedW, image0, scratch + at.taps,
          g.outW, g.strideH, g.strideW, image.paddedW, yg + start * 4, positions * 4, accumulate, work);
      }
      clampColumns(k, g, yg + start * 4, rows, count, positions);
    }
  }
}

/**
 * The output columns (positions) of one GEMM call in blocks for a fused activation's clamp:
 * about CLAMP_BLOCK_BYTES of output each, whole output rows (the im2col packer walks them from
 * a row's start), starting at multiples of 8 columns, so the GEMM's 8-column panels, and with
 * them every output's bits, are the same as in one call over all of them. One block without
 * an activation.
 */
function clampBlocks(g: ConvGeometry, rows: number): Slice[] {
  const positions = g.outH * g.outW;
  if (!g.clamp) return [{ start: 0, count: positions }];
  const rowsPerStep = 8 / gcd(g.outW, 8); // output rows per multiple of 8 columns
  const wanted = Math.max(1, Math.floor(CLAMP_BLOCK_BYTES / (4 * rows * g.outW)));
  const blockRows = Math.ceil(wanted / rowsPerStep) * rowsPerStep;
  const blocks: Slice[] = [];
  for (let r = 0; r < g.outH; r += blockRows) blocks.push({ start: r * g.outW, count: Math.min(blockRows, g.outH - r) * g.outW });
  return blocks;
}

/** Output bytes of one clamp block: well inside L2 beside the GEMM's packed W and input. */
const CLAMP_BLOCK_BYTES = 128 << 10;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

function gemmFilterGradient(g: ConvGeometry): StagedPass<FilterGradientPointers> {
  const { groupIn, groupOut, positions, plane, patch, xAt, yAt, wAt } = groupSizes(g);
  const pointwise = isPointwise(g);
  const image = paddedImage(g, groupIn);
  const at = scratchLayout({
    work: GEMM_WORK_FLOATS,
    packedDy: packedFloats(groupOut, positions),
    image: pointwise ? 0 : image.floats,
    taps: pointwise ? 0 : patch,
  });
  return {
    scratchFloats: at.total,
    callsOnly: true,
    prepare(k, _p, scratch) {
      if (!pointwise) image.writeTaps(k, scratch + at.taps);
    },
    images(k, p, scratch) {
      k.f32_zero(p.dw, g.outChannels * patch);
      k.f32_zero(p.db, g.outChannels);
      for (let n = 0; n < g.batch; n++) {
        for (let gr = 0; gr < g.groups; gr++) filterRows(k, p, scratch, n, gr, 0, groupOut);
      }
    },
    outputBlocks: g.groups === 1
      ? {
        cuts: 'channels',
        units: groupOut,
        prepare(k, _p, scratch) {
          if (!pointwise) image.writeTaps(k, scratch + at.taps);
        },
        // rows [from, to) of dW and db, summed over the images in the order the whole pass sums them
        block(k, p, scratch, from, to) {
          k.f32_zero(p.dw + from * patch * 4, (to - from) * patch);
          k.f32_zero(p.db + from * 4, to - from);
          for (let n = 0; n < g.batch; n++) filterRows(k, p, scratch, n, 0, from, to);
        },
      }
      : undefined,
  };

  /** Adds image n's share to rows [from, to) of group gr's dW and db (from a multiple of 4). */
  function filterRows(k: KernelExports, p: FilterGradientPointers, scratch: number, n: number, gr: number, from: number, to: number): void {
    const work = scratch + at.work;
    const packedDy = scratch + at.packedDy;
    const rows = to - from;
    const dyg = yAt(p.dy, n, gr) + from * positions * 4;
    const dwg = wAt(p.dw, gr) + from * patch * 4;
    k.f32_rowsum_accumulate(dyg, rows, positions, p.db + (gr * groupOut + from) * 4);
    k.f32_pack_a_x4(rows, positions, dyg, positions * 4, 4, packedDy);
    // dW_g[O_g×patch] += dY_g[O_g×positions] · row(X_g)[positions×patch]; row(X_g) = X_gᵀ when pointwise
    if (pointwise) {
      k.f32_gemm_packed(rows, patch, positions, packedDy, xAt(p.x, n, gr), 4, plane * 4, dwg, patch * 4, 1, work);
    } else {
      image.pad(k, xAt(p.x, n, gr), scratch + at.image);
      k.f32_gemm_im2row(rows, patch, positions, packedDy, scratch + at.image + image.readOffset, scratch + at.taps,
        g.outW, g.strideH, g.strideW, image.paddedW, dwg, patch * 4, 1, work);
    }
  }
}

/**
 * The transposed conv needs stride 1, and its GEMM has only C/groups rows: with fewer than 4
 * (a first layer on 1–3 channels) most of each 4-row tile would be padding, so those take the
 * scatter path, whose GEMM has C/groups·KH·KW rows. It also computes every input position from
 * a full window of the zero-padded dY, so it does inH·inW / (outH·outW) times the useful work:
 * from 1.3× on (a kernel large beside the output, as in LeNet's second conv, 12×12 → 8×8 at 5×5)
 * the scatter path was faster on every shape tried (1.05–3.0×; LeNet's: 5.4 → 2.8 ms), below
 * it slower (0.82–0.95× at same-size padding).
 */
const MAX_TRANSPOSED_WASTE = 1.25;

function useTransposedInputGradient(g: ConvGeometry): boolean {
  const groupIn = g.inChannels / g.groups;
  const waste = (g.inH * g.inW) / (g.outH * g.outW);
  return g.strideH === 1 && g.strideW === 1 && (groupIn % 4 === 0 || groupIn >= 16) && waste < MAX_TRANSPOSED_WASTE;
}

/**
 * dX for stride 1: the transposed conv's forward pass. Its shared block is W flipped and
 * transposed, then packed (the flipped copy is only read while packing).
 */
function transposedInputGradient(g: ConvGeometry): StagedPass<InputGradientPointers> {
  const transposed = gemmForward(transposedGeometry(g));
  const packing = transposed.shared!;
  const taps = g.kernelH * g.kernelW;
  const weightFloats = g.outChannels * (g.inChannels / g.groups) * taps;
  const sharedAt = scratchLayout({ packed: packing.floats, flipped: weightFloats });
  const forwardPointers = (p: InputGradientPointers, w = 0) => ({ x: p.dy, w, bias: 0, y: p.dx });
  return {
    scratchFloats: transposed.scratchFloats,
    callsOnly: true,
    shared: {
      floats: sharedAt.total,
      key: `gemm flipped ${packing.key}`,
      prepare(k, p, shared) {
        k.f32_flip_weights(p.w, g.groups, g.outChannels / g.groups, g.inChannels / g.groups, taps, shared + sharedAt.flipped);
        packing.prepare(k, forwardPointers(p, shared + sharedAt.flipped), shared + sharedAt.packed);
      },
    },
    prepare(k, p, scratch, shared) {
      transposed.prepare(k, forwardPointers(p), scratch, shared + sharedAt.packed);
    },
    images(k, p, scratch, shared) {
      transposed.images(k, forwardPointers(p), scratch, shared + sharedAt.packed);
    },
    channelBlocks: transposed.channelBlocks && {
      channels: transposed.channelBlocks.channels,
      block: (k, p, scratch, n, from, to, shared) => transposed.channelBlocks!.block(k, forwardPointers(p), scratch, n, from, to, shared + sharedAt.packed),
    },
    outputBlocks: transposed.outputBlocks && {
      cuts: 'channels',
      units: transposed.outputBlocks.units,
      prepare: (k, p, scratch) => transposed.outputBlocks!.prepare(k, forwardPointers(p), scratch),
      block: (k, p, scratch, from, to, shared, own) => transposed.outputBlocks!.block(k, forwardPointers(p), scratch, from, to, shared + sharedAt.packed, own),
    },
  };
}

/** dX for other strides: dcol = W_gᵀ · dY_g by GEMM, then col2im scatter-adds it into dX_g. */
function scatterInputGradient(g: ConvGeometry): StagedPass<InputGradientPointers> {
  const { groupIn, groupOut, positions, plane, patch, xAt, yAt, wAt } = groupSizes(g);
  const window = [g.kernelH, g.kernelW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW] as const;
  // dY_g is copied to rows 8 floats longer first: at 1024 positions its rows sit 4 KiB apart,
  // and packing B panels from rows that share cache sets runs at L2 speed
  const dyStride = positions + 8;
  // dcol is built and scattered a block of output rows at a time, the block sized to stay in L1
  // (~24 KiB) but at least 64 positions wide for the GEMM
  const chunkRows = Math.min(g.outH, Math.max(Math.ceil(64 / g.outW), Math.floor(6144 / (patch * g.outW))));
  const at = scratchLayout({
    work: GEMM_WORK_FLOATS, dy: groupOut * dyStride + 8,
    dcol: patch * chunkRows * g.outW,
  });
  // Wᵀ packed is the shared block
  const packedWtAt = (shared: number, gr: number) => shared + gr * packedFloats(patch, groupOut) * 4;
  return {
    scratchFloats: at.total,
    callsOnly: true,
    shared: {
      floats: g.groups * packedFloats(patch, groupOut),
      key: `gemm packed Wᵀ ${g.groups} ${patch}×${groupOut}`,
      prepare(k, p, shared) {
        // Wᵀ[patch×O_g] read through W's strides: row i of Wᵀ is column i of W
        for (let gr = 0; gr < g.groups; gr++) k.f32_pack_a_x4(patch, groupOut, wAt(p.w, gr), 4, patch * 4, packedWtAt(shared, gr));
      },
    },
    prepare() {},
    images(k, p, scratch, shared) {
      const packedWt = (gr: number) => packedWtAt(shared, gr);
      k.f32_zero(p.dx, g.batch * g.inChannels * plane);
      for (let n = 0; n < g.batch; n++) {
        for (let gr = 0; gr < g.groups; gr++) {
          const dxg = xAt(p.dx, n, gr);
          k.f32_pad_image(yAt(p.dy, n, gr), 1, groupOut, positions, 0, 0, groupOut, dyStride, scratch + at.dy);
          for (let oh = 0; oh < g.outH; oh += chunkRows) {
            const rows = Math.min(chunkRows, g.outH - oh);
            const chunk = rows * g.outW;
            // dcol[patch×chunk] = W_gᵀ · dY_g[:, this block of positions]
            k.f32_gemm_packed(patch, chunk, groupOut, packedWt(gr), scratch + at.dy + oh * g.outW * 4, dyStride * 4, 4,
              scratch + at.dcol, chunk * 4, 0, scratch + at.work);
            k.f32_col2im(scratch + at.dcol, groupIn, g.inH, g.inW, ...window, oh, oh + rows, dxg);
          }
        }
      }
    },
  };
}
