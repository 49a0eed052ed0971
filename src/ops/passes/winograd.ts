// The Winograd strategy, F(4×4, 3×3) (Lavin & Gray 2016), for 3×3 convolutions with stride 1,
// dilation 1 and groups 1 (docs/winograd.md):
//   forward  the output in 4×4 tiles, each from a 6×6 window d of the padded input:
//            Y_tile = Aᵀ [ Σ_c U[o][c] ⊙ V[c] ] A + bias, U = G w Gᵀ, V = Bᵀ d B,
//            i.e. 36 GEMMs M[ξ][O×tiles] = U[ξ][O×C] · V[ξ][C×tiles], one per point ξ of the
//            6×6 transformed tile, on the packed 4×8 micro-kernel: 2.25× fewer multiplies
//            than the direct conv's 9 per output and input channel (16 outputs for 36).
//   dX       the forward pass of the transposed conv (gemm.ts's transposedGeometry: padding
//            2 − pad), whose filter is W flipped and channel-transposed: the filter transform
//            reads W that way, so no flipped copy is made.
//   dW       with 'winograd' forced (not under 'auto', see index.ts): per 4×4 tile e of dY and
//            6×6 window d of the input, dW += Gᵀ [(A e Aᵀ) ⊙ (Bᵀ d B)] G (the same trilinear
//            form read for the filter), i.e. 36 GEMMs M[ξ][O×C] += E[ξ][O×tiles] · V[ξ][tiles×C]
//            summed over tile blocks and images, then one inverse filter transform.
//   db       row sums of dY, as on the GEMM path.
// The filter transform writes U already packed as the GEMM's A operand and the input
// transform writes V as its B panels, so nothing else is packed. U is the pass's shared block,
// which every thread reads: made once per call, or once per weight version and kept
// (prepareConv2d, the nn conv layers). An image's tiles go through in blocks, so V and M stay
// about the size of L2 whatever the image size. A batch smaller than the pool is cut by output
// channels or by tiles (outputBlocks, CUT_CHANNELS_FROM).
import type { KernelExports } from '../../loader.js';
import type { ConvGeometry } from '../geometry.js';
import { clampBounds } from './epilogue.js';
import { gemmPasses, scratchLayout, transposedGeometry } from './gemm.js';
import type { FilterGradientPointers, ForwardPointers, InputGradientPointers, StagedPass, StrategyPasses } from './types.js';

/**
 * A batch smaller than the pool is cut by output channels when O > this × tiles × batch, else
 * by tiles. Either way every block reads U whole from the shared block (made first on the
 * calling thread, or kept per weight version). By channels every block transforms all the
 * input tiles again (V: ~860 flops per tile and input channel) but runs the GEMMs over all the
 * tiles; by tiles V is shared out but a block's GEMMs are only its tiles wide. The factor was
 * measured (on a loaded machine) when channel blocks also made their own rows of U in parallel.
 */
const CUT_CHANNELS_FROM = 8;

/** Outputs per tile side, and points per transformed tile (the GEMMs). */
const TILE = 4;
const POINTS = 36;
/** The transforms' per-thread work space: 36 vectors. */
const TRANSFORM_WORK_FLOATS = 144;
/**
 * Floats between consecutive points' matrices beyond their size: the transforms read or write
 * all 36 points of a tile at once, and at strides that are multiples of 4 KiB those all fall in
 * one L1 set. A cache line apart they do not: S2's and S3's transforms took 18% and 29% less
 * time (S2's forward pass 8% less).
 */
const POINT_SKEW_FLOATS = 16;
/** Floats of one point's matrix of `floats` floats, with the skew. */
const skewed = (floats: number) => floats + POINT_SKEW_FLOATS;
/**
 * An image's tiles go through in blocks whose V and M (36 points × (C + O) floats per tile)
 * stay within this many bytes, so the GEMMs read them from L2 (2 MiB per core here): dX and
 * dW (whose scratch the backward pass's memory budget bounds, test/memory.test.ts).
 */
const BLOCK_BYTES = 1 << 20;
/**
 * The forward pass's blocks may fill L2: every block reads all of U (36·O·C floats) again,
 * so fewer, larger blocks pay where U is large. At 1 MiB, 14×14 at 256 channels (U 9 MiB)
 * took two blocks of 8 tiles, at 2 MiB one of 16: 16% less time (fastest of 15 runs,
 * prepared, batch 1: 3.15–3.35 → 2.64–2.65 ms; 128 channels, 28×28: 2.0 → 1.86 ms; 64, 56×56:
 * unchanged).
 */
const FORWARD_BLOCK_BYTES = 2 << 20;
/** Output channels per block when the pass makes U itself (a multiple of 4: U's row blocks). */
const FUSED_ROWS = 8;

/**
 * One image whose tiles fit one block: the pass makes U itself, FUSED_ROWS output channels at
 * a time, each block of U rows used by the GEMMs at once from L2, instead of reading a whole
 * U (36·O·C floats, 4× the weights) made beforehand, from memory beyond L2 where it is large.
 * The same U values and the same sums: bit-identical. Measured (2026-12-06 23:35 UTC, simd,
 * one thread, batch 1, C = O, median ms, the U made beforehand ÷ fused): 512 at 7×7 (U 37.7
 * MB) prepared 5.86 / 4.80 (after a 700 MB sweep 5.79 / 4.25), per call 12.67 / 5.87 (the GEMM
 * path 9.95); 256 at 7×7 1.54 / 1.10; 256 at 14×14 prepared 3.28 / 2.81, per call 4.45 / 2.99;
 * 128 at 7×7 0.76 / 0.39, at 28×28 2.52 / 2.35 (dX 2.55 / 2.59); 64 at 8×8 0.19 / 0.14. With
 * several images U would be made once per image: 8 of 64 at 8×8 took 0.47 / 0.67 ms.
 */
export function fusesFilterTransform(g: ConvGeometry, blockTiles: number): boolean {
  return g.batch === 1 && blockTiles >= Math.ceil(g.outH / TILE) * Math.ceil(g.outW / TILE);
}

/** The Winograd passes of `g`: forward and dX, and dW too when `filterGradient` (else the GEMM's). */
export function winogradPasses(g: ConvGeometry, filterGradient: boolean): StrategyPasses {
  const taps = 9 * 4; // bytes of one 3×3 filter
  const forward = winogradConv(g, { rowStride: g.inChannels * taps, colStride: taps, flip: false }, FORWARD_BLOCK_BYTES);
  // the transposed conv's filter [C][O] is W[O][C] flipped: rows C, columns O
  const transposed = winogradConv(transposedGeometry(g), { rowStride: taps, colStride: g.inChannels * taps, flip: true }, BLOCK_BYTES);
  return {
    strategy: 'winograd',
    forward,
    inputGradient: asInputGradient(transposed),
    filterGradient: filterGradient ? winogradFilterGradient(g) : gemmPasses(g).filterGradient,
  };
}

/**
 * dX run as the forward pass of the transposed conv (whose filter the transforms read from w
 * directly): the same pass, dy in for x and dx out for y. Shared with winograd1d.ts.
 */
export function asInputGradient(transposed: StagedPass<ForwardPointers>): StagedPass<InputGradientPointers> {
  const asForward = (p: InputGradientPointers): ForwardPointers => ({ x: p.dy, w: p.w, bias: 0, y: p.dx });
  return {
    scratchFloats: transposed.scratchFloats,
    callsOnly: true,
    shared: transposed.shared && { ...transposed.shared, prepare: (k, p, shared) => transposed.shared!.prepare(k, asForward(p), shared) },
    prepare: (k, p, scratch, shared) => transposed.prepare(k, asForward(p), scratch, shared),
    images: (k, p, scratch, shared) => transposed.images(k, asForward(p), scratch, shared),
    outputBlocks: {
      cuts: transposed.outputBlocks!.cuts,
      units: transposed.outputBlocks!.units,
      prepare() {},
      block: (k, p, scratch, from, to, shared, own) => transposed.outputBlocks!.block(k, asForward(p), scratch, from, to, shared, own),
    },
  };
}

/** Where each 3×3 filter of a conv's weights sits: filter (o, c) at w + o·rowStride + c·colStride (bytes), rotated 180° when `flip`. */
interface FilterLayout {
  rowStride: number;
  colStride: number;
  flip: boolean;
}

/**
 * Tiles per block: all of an image's when their transformed tiles (36 × (C + O) floats each)
 * fit `blockBytes`, else blocks of even size (multiples of 4 tiles) that do.
 */
/** Tiles per block of the forward pass (whose blocks may be larger than dX's and dW's). */
export const forwardTilesPerBlock = (tiles: number, inChannels: number, outChannels: number) =>
  tilesPerBlock(tiles, inChannels, outChannels, FORWARD_BLOCK_BYTES);

export function tilesPerBlock(tiles: number, inChannels: number, outChannels: number, blockBytes = BLOCK_BYTES): number {
  const perTile = POINTS * (inChannels + Math.ceil(outChannels / 4) * 4) * 4;
  const most = Math.max(8, Math.floor(blockBytes / perTile / 8) * 8);
  const blocks = Math.ceil(tiles / most);
  return Math.ceil(tiles / blocks / 4) * 4;
}

/**
 * The padded copy of an image: at (padTop, padLeft), or cropped where a pad is negative (dX
 * with padding > 2), with room for every tile's whole 6×6 window; the tiles start `readOffset`
 * bytes in.
 */
function paddedImage(g: ConvGeometry) {
  const tilesH = Math.ceil(g.outH / TILE), tilesW = Math.ceil(g.outW / TILE);
  const placeTop = Math.max(g.padTop, 0), placeLeft = Math.max(g.padLeft, 0);
  const cropTop = Math.max(-g.padTop, 0), cropLeft = Math.max(-g.padLeft, 0);
  const paddedH = Math.max(placeTop + g.inH, cropTop + tilesH * TILE + 2);
  const paddedW = Math.max(placeLeft + g.inW, cropLeft + tilesW * TILE + 2);
  return { placeTop, placeLeft, paddedH, paddedW, planeBytes: paddedH * paddedW * 4, readOffset: (cropTop * paddedW + cropLeft) * 4 };
}

/** The forward pass of the 3×3, stride-1 conv `g`, its weights laid out as `filters` says, its tiles in blocks of about `blockBytes`. */
function winogradConv(g: ConvGeometry, filters: FilterLayout, blockBytes: number): StagedPass<ForwardPointers> {
  const C = g.inChannels, O = g.outChannels;
  const tilesH = Math.ceil(g.outH / TILE), tilesW = Math.ceil(g.outW / TILE);
  const tiles = tilesH * tilesW;
  const blockTiles = Math.min(tiles, tilesPerBlock(tiles, C, O, blockBytes));
  const slots = Math.ceil(blockTiles / 8) * 8; // M's row length: whole 8-column panels
  const rowsO = Math.ceil(O / 4) * 4; // U's and M's rows: whole 4-row blocks
  const { placeTop, placeLeft, paddedH, paddedW, planeBytes, readOffset } = paddedImage(g);
  const uXiBytes = skewed(rowsO * C) * 4, vXiBytes = skewed(C * slots) * 4, mXiBytes = skewed(rowsO * slots) * 4;
  const fused = fusesFilterTransform(g, blockTiles);
  const uRowsXiBytes = skewed(FUSED_ROWS * C) * 4;
  const at = scratchLayout({
    work: TRANSFORM_WORK_FLOATS,
    // 8 floats of slack: each window row is read 8 floats wide
    image: C * paddedH * paddedW + 8,
    v: POINTS * skewed(C * slots),
    m: POINTS * skewed(rowsO * slots),
    // fused: the U rows of one block of output channels
    uRows: fused ? POINTS * skewed(FUSED_ROWS * C) : 0,
  });
  // U's 36 packed O×C matrices, then the filter transform's work space
  const uFloats = POINTS * skewed(rowsO * C);
  const xImageBytes = C * g.inH * g.inW * 4, yImageBytes = O * g.outH * g.outW * 4;
  // fused, every block of tiles would transform all the filters: cut by channels
  const cutChannels = fused || O > CUT_CHANNELS_FROM * tiles * g.batch;
  const [lo, hi] = clampBounds(g);
  return {
    scratchFloats: at.total,
    callsOnly: true,
    shared: fused ? undefined : {
      floats: uFloats + TRANSFORM_WORK_FLOATS,
      key: `winograd F(4×4,3×3) U ${O}×${C} ${filters.rowStride} ${filters.colStride}${filters.flip ? ' flipped' : ''}`,
      prepare(k, p, shared) {
        k.f32_winograd_filter_4x4_3x3(p.w, O, C, filters.rowStride, filters.colStride, filters.flip ? 1 : 0, shared, uXiBytes, shared + uFloats * 4);
      },
    },
    prepare() {},
    images(k, p, scratch, u) {
      for (let n = 0; n < g.batch; n++) {
        if (fused) imageRows(k, p, scratch, u, n, 0, O, n === 0);
        else imageTiles(k, p, scratch, u, n, 0, tiles, n === 0);
      }
    },
    outputBlocks: cutChannels ? {
      cuts: 'channels',
      units: O,
      prepare() {},
      // the block's output channels of every image (from U in the shared block, or made here
      // when fused), each block transforming all of an image's tiles
      block(k, p, scratch, from, to, u) {
        for (let n = 0; n < g.batch; n++) imageRows(k, p, scratch, u, n, from, to, n === 0);
      },
    } : {
      cuts: 'tiles',
      units: tiles,
      prepare() {},
      // tiles [from, to) of every image, through the same GEMMs (a tile's outputs depend on its own window alone)
      block(k, p, scratch, from, to, u) {
        for (let n = 0; n < g.batch; n++) imageTiles(k, p, scratch, u, n, from, to, n === 0);
      },
    },
  };

  /** Tiles [from, to) of image n, all output channels, in blocks of at most blockTiles; `firstImage`: the call's (or thread block's) first image. */
  function imageTiles(k: KernelExports, p: ForwardPointers, scratch: number, u: number, n: number, from: number, to: number, firstImage: boolean): void {
    const work = scratch + at.work, image = scratch + at.image, v = scratch + at.v, m = scratch + at.m;
    const y = p.y + n * yImageBytes;
    k.f32_pad_image(p.x + n * xImageBytes, C, g.inH, g.inW, placeTop, placeLeft, paddedH, paddedW, image);
    for (let first = from; first < to; first += blockTiles) {
      const count = Math.min(blockTiles, to - first);
      k.f32_winograd_input_4x4_3x3(image + readOffset, C, planeBytes, paddedW, tilesW, first, count, v, vXiBytes, work);
      // U may come from memory on a call's first block (a prepared conv's U after the model's
      // other layers ran): stream it in first (assembly/stream-in.ts; ResNet-18 at batch 1, in
      // turn: its 14×14 convs 6.4 → 2.9 ms). Later blocks find it in cache: streaming it again
      // there cost 3–5% (S3 forward, S4 dX).
      const streamU = firstImage && first === from;
      k.f32_winograd_gemm(POINTS, O, count, C, u, uXiBytes, v, vXiBytes, m, mXiBytes, slots * 4, 0, streamU ? 1 : 0);
      k.f32_winograd_output_4x4_3x3(m, mXiBytes, slots * 4, O, tilesW, first, count, p.bias, lo, hi, y, g.outH, g.outW, work);
    }
  }

  /** Output channels [from, to) of image n (from a multiple of 4: U's and M's 4-row blocks); `firstImage` as for imageTiles. */
  function imageRows(k: KernelExports, p: ForwardPointers, scratch: number, u: number, n: number, from: number, to: number, firstImage: boolean): void {
    const work = scratch + at.work, image = scratch + at.image, v = scratch + at.v, m = scratch + at.m + from * slots * 4;
    const rows = to - from;
    const y = p.y + n * yImageBytes + from * g.outH * g.outW * 4;
    const bias = p.bias ? p.bias + from * 4 : 0;
    k.f32_pad_image(p.x + n * xImageBytes, C, g.inH, g.inW, placeTop, placeLeft, paddedH, paddedW, image);
    for (let first = 0; first < tiles; first += blockTiles) {
      const count = Math.min(blockTiles, tiles - first);
      k.f32_winograd_input_4x4_3x3(image + readOffset, C, planeBytes, paddedW, tilesW, first, count, v, vXiBytes, work);
      if (fused) {
        // U made here, a block of rows at a time, each used at once from L2
        const uRows = scratch + at.uRows;
        for (let r = from; r < to; r += FUSED_ROWS) {
          const rowsHere = Math.min(FUSED_ROWS, to - r);
          k.f32_winograd_filter_4x4_3x3(p.w + r * filters.rowStride, rowsHere, C, filters.rowStride, filters.colStride, filters.flip ? 1 : 0, uRows, uRowsXiBytes, work);
          k.f32_winograd_gemm(POINTS, rowsHere, count, C, uRows, uRowsXiBytes, v, vXiBytes, m + (r - from) * slots * 4, mXiBytes, slots * 4, 0, 0);
        }
      } else {
        const streamU = firstImage && first === 0; // as in imageTiles
        k.f32_winograd_gemm(POINTS, rows, count, C, u + from * C * 4, uXiBytes, v, vXiBytes, m, mXiBytes, slots * 4, 0, streamU ? 1 : 0);
      }
      k.f32_winograd_output_4x4_3x3(m, mXiBytes, slots * 4, rows, tilesW, first, count, bias, lo, hi, y, g.outH, g.outW, work);
    }
  }
}

/** dW (and db) of the 3×3, stride-1 conv `g` by Winograd (see the top of the file). */
function winogradFilterGradient(g: ConvGeometry): StagedPass<FilterGradientPointers> {
  const C = g.inChannels, O = g.outChannels;
  const tilesH = Math.ceil(g.outH / TILE), tilesW = Math.ceil(g.outW / TILE);
  const tiles = tilesH * tilesW;
  const colsC = Math.ceil(C / 8) * 8; // M's rows: whole 8-channel panels of V
  const rowsO = Math.ceil(O / 4) * 4; // E's and M's rows: whole 4-row blocks
  const blockTiles = Math.min(tiles, tilesPerBlock(tiles, colsC, rowsO));
  const { placeTop, placeLeft, paddedH, paddedW, planeBytes, readOffset } = paddedImage(g);
  // dY zero-padded to whole tiles, so a tile past the output's edge reads zeros
  const dyH = tilesH * TILE, dyW = tilesW * TILE;
  const vXiBytes = skewed(colsC * blockTiles) * 4, eXiBytes = skewed(rowsO * blockTiles) * 4;
  const mRowBytes = colsC * 4, mXiBytes = skewed(rowsO * colsC) * 4;
  const at = scratchLayout({
    work: TRANSFORM_WORK_FLOATS,
    image: C * paddedH * paddedW + 8,
    dy: O * dyH * dyW + 8,
    v: POINTS * skewed(colsC * blockTiles),
    e: POINTS * skewed(rowsO * blockTiles),
    m: POINTS * skewed(rowsO * colsC),
  });
  const xImageBytes = C * g.inH * g.inW * 4, yImageBytes = O * g.outH * g.outW * 4;
  const positions = g.outH * g.outW;
  return {
    scratchFloats: at.total,
    callsOnly: true,
    prepare() {},
    images(k, p, scratch) {
      const work = scratch + at.work, image = scratch + at.image, dy = scratch + at.dy;
      const v = scratch + at.v, e = scratch + at.e, m = scratch + at.m;
      k.f32_zero(m, POINTS * skewed(rowsO * colsC));
      k.f32_zero(p.db, O);
      for (let n = 0; n < g.batch; n++) {
        const dyN = p.dy + n * yImageBytes;
        k.f32_rowsum_accumulate(dyN, O, positions, p.db);
        k.f32_pad_image(p.x + n * xImageBytes, C, g.inH, g.inW, placeTop, placeLeft, paddedH, paddedW, image);
        k.f32_pad_image(dyN, O, g.outH, g.outW, 0, 0, dyH, dyW, dy);
        for (let first = 0; first < tiles; first += blockTiles) {
          const count = Math.min(blockTiles, tiles - first);
          k.f32_winograd_input_by_channel_4x4_3x3(image + readOffset, C, planeBytes, paddedW, tilesW, first, count, v, vXiBytes, work);
          k.f32_winograd_dy_4x4_3x3(dy, O, dyH * dyW * 4, dyW, tilesW, first, count, e, eXiBytes, work);
          // E was just written: no stream-in
          k.f32_winograd_gemm(POINTS, O, C, count, e, eXiBytes, v, vXiBytes, m, mXiBytes, mRowBytes, 1, 0);
        }
      }
      k.f32_winograd_filter_grad_4x4_3x3(m, mXiBytes, mRowBytes, O, C, p.dw, work);
    },
  };
}
