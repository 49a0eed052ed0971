// The Winograd strategy for conv1d, F(4, 3) (the 1-D factor of winograd.ts's F(4×4, 3×3); see
// docs/winograd.md, "conv1d: F(4, 3)"), for a 3-tap kernel with stride 1, dilation 1, groups 1:
//   forward  the output in tiles of 4, each from a 6-wide window d of the padded input:
//            Y_tile = Aᵀ [ Σ_c U[o][c] ⊙ V[c] ] + bias, U = G w, V = Bᵀ d,
//            i.e. 6 GEMMs M[ξ][O×tiles] = U[ξ][O×C] · V[ξ][C×tiles] (f32_winograd_gemm with 6
//            points): 1.5 multiplies per output and input channel instead of 3.
//   dX       the forward pass of the transposed conv (padding 2 − pad), whose filter the
//            filter transform reads reversed and channel-transposed from W.
//   dW       per tile e of 4 outputs of dY and window d, dW += Gᵀ [(A e) ⊙ (Bᵀ d)]: 6 GEMMs
//            M[ξ][O×C] += E[ξ][O×tiles] · V[ξ][tiles×C] over tile blocks and images, then one
//            inverse filter transform.
//   db       row sums of dY.
// Laid out as in winograd.ts: U is the pass's shared block (kept by prepareConv1d and
// nn.Conv1d), V and M per block of tiles, threads cut a small batch by channels or tiles.
import type { KernelExports } from '../../loader.js';
import type { ConvGeometry } from '../geometry.js';
import { clampBounds } from './epilogue.js';
import { gemmPasses, scratchLayout, transposedGeometry } from './gemm.js';
import type { FilterGradientPointers, ForwardPointers, StagedPass, StrategyPasses } from './types.js';
import { asInputGradient } from './winograd.js';

/** Outputs per tile, and points per transformed tile (the GEMMs). */
const TILE = 4;
const POINTS = 6;
/** As winograd.ts: a batch smaller than the pool is cut by output channels when O > this × tiles × batch. */
const CUT_CHANNELS_FROM = 8;
/** Floats between consecutive points' matrices beyond their size (as winograd.ts: off one L1 set). */
const POINT_SKEW_FLOATS = 16;
const skewed = (floats: number) => floats + POINT_SKEW_FLOATS;
/** A block's V and M bytes: the forward pass's may fill L2, dX's and dW's half of it (as winograd.ts). */
const FORWARD_BLOCK_BYTES = 2 << 20;
const BLOCK_BYTES = 1 << 20;

/**
 * Tiles per block: all of a row's when their transformed tiles (6 × (C + O) floats each) fit
 * `blockBytes`, else blocks of even size (multiples of 4 tiles, whole 8-tile panels) that do.
 */
export function tilesPerBlock1d(tiles: number, inChannels: number, outChannels: number, blockBytes: number): number {
  const perTile = POINTS * (inChannels + Math.ceil(outChannels / 4) * 4) * 4;
  const most = Math.max(8, Math.floor(blockBytes / perTile / 8) * 8);
  const blocks = Math.ceil(tiles / most);
  return Math.min(tiles, Math.ceil(tiles / blocks / 4) * 4);
}

/** Tiles per block of the forward pass. */
export const forwardTilesPerBlock1d = (tiles: number, inChannels: number, outChannels: number) =>
  tilesPerBlock1d(tiles, inChannels, outChannels, FORWARD_BLOCK_BYTES);

/** The Winograd passes of the conv1d `g` (a unit height axis): forward, dX, and dW too when `filterGradient`. */
export function winograd1dPasses(g: ConvGeometry, filterGradient: boolean): StrategyPasses {
  const taps = 3 * 4; // bytes of one filter
  const forward = winogradConv1d(g, { rowStride: g.inChannels * taps, colStride: taps, flip: false }, FORWARD_BLOCK_BYTES);
  // the transposed conv's filter [C][O] is W[O][C] reversed: rows C, columns O
  const transposed = winogradConv1d(transposedGeometry(g), { rowStride: taps, colStride: g.inChannels * taps, flip: true }, BLOCK_BYTES);
  return {
    strategy: 'winograd',
    forward,
    inputGradient: asInputGradient(transposed),
    filterGradient: filterGradient ? winograd1dFilterGradient(g) : gemmPasses(g).filterGradient,
  };
}

/** Where each 3-tap filter of a conv's weights sits: filter (o, c) at w + o·rowStride + c·colStride (bytes), reversed when `flip`. */
interface FilterLayout {
  rowStride: number;
  colStride: number;
  flip: boolean;
}

/**
 * The padded copy of a row of length inW: at padLeft, or cropped where the pad is negative (dX
 * with padding > 2), long enough for the input transform's reads (it reads the windows of
 * whole groups of 4 tiles, 4 floats past the last); the tiles start `readOffset` bytes in.
 */
function paddedRow(g: ConvGeometry) {
  const tiles = Math.ceil(g.outW / TILE);
  const placeLeft = Math.max(g.padLeft, 0), cropLeft = Math.max(-g.padLeft, 0);
  const paddedW = Math.max(placeLeft + g.inW, cropLeft + Math.ceil(tiles / 4) * 4 * TILE + 4);
  return { placeLeft, paddedW, planeBytes: paddedW * 4, readOffset: cropLeft * 4 };
}

/** The forward pass of the 3-tap, stride-1 conv1d `g`, its weights laid out as `filters` says, its tiles in blocks of about `blockBytes`. */
function winogradConv1d(g: ConvGeometry, filters: FilterLayout, blockBytes: number): StagedPass<ForwardPointers> {
  const C = g.inChannels, O = g.outChannels;
  const tiles = Math.ceil(g.outW / TILE);
  const blockTiles = tilesPerBlock1d(tiles, C, O, blockBytes);
  const slots = Math.ceil(blockTiles / 8) * 8; // M's row length: whole 8-column panels
  const rowsO = Math.ceil(O / 4) * 4; // U's and M's rows: whole 4-row blocks
  const { placeLeft, paddedW, planeBytes, readOffset } = paddedRow(g);
  const uXiBytes = skewed(rowsO * C) * 4, vXiBytes = skewed(C * slots) * 4, mXiBytes = skewed(rowsO * slots) * 4;
  const at = scratchLayout({
    image: C * paddedW + 8,
    v: POINTS * skewed(C * slots),
    m: POINTS * skewed(rowsO * slots),
  });
  const xImageBytes = C * g.inW * 4, yImageBytes = O * g.outW * 4;
  const cutChannels = O > CUT_CHANNELS_FROM * tiles * g.batch;
  const [lo, hi] = clampBounds(g);
  return {
    scratchFloats: at.total,
    callsOnly: true,
    shared: {
      floats: POINTS * skewed(rowsO * C),
      key: `winograd F(4,3) U ${O}×${C} ${filters.rowStride} ${filters.colStride}${filters.flip ? ' flipped' : ''}`,
      prepare(k, p, u) {
        k.f32_winograd_filter_4_3(p.w, O, C, filters.rowStride, filters.colStride, filters.flip ? 1 : 0, u, uXiBytes);
      },
    },
    prepare() {},
    images(k, p, scratch, u) {
      for (let n = 0; n < g.batch; n++) imageTiles(k, p, scratch, u, n, 0, O, 0, tiles, n === 0);
    },
    outputBlocks: cutChannels ? {
      cuts: 'channels',
      units: O,
      prepare() {},
      // the block's output channels of every image (from U in the shared block), each block
      // transforming all of an image's tiles
      block(k, p, scratch, from, to, u) {
        for (let n = 0; n < g.batch; n++) imageTiles(k, p, scratch, u, n, from, to, 0, tiles, n === 0);
      },
    } : {
      cuts: 'tiles',
      units: tiles,
      prepare() {},
      // tiles [from, to) of every image (a tile's outputs depend on its own window alone)
      block(k, p, scratch, from, to, u) {
        for (let n = 0; n < g.batch; n++) imageTiles(k, p, scratch, u, n, 0, O, from, to, n === 0);
      },
    },
  };

  /**
   * Output channels [rowFrom, rowTo) (rowFrom a multiple of 4: U's and M's 4-row blocks) of
   * tiles [from, to) of image n, in blocks of at most blockTiles; `firstImage`: the call's (or
   * thread block's) first image, whose first block streams U in.
   */
  function imageTiles(k: KernelExports, p: ForwardPointers, scratch: number, u: number, n: number,
    rowFrom: number, rowTo: number, from: number, to: number, firstImage: boolean): void {
    const image = scratch + at.image, v = scratch + at.v, m = scratch + at.m + rowFrom * slots * 4;
    const rows = rowTo - rowFrom;
    const y = p.y + n * yImageBytes + rowFrom * g.outW * 4;
    const bias = p.bias ? p.bias + rowFrom * 4 : 0;
    k.f32_pad_image(p.x + n * xImageBytes, C, 1, g.inW, 0, placeLeft, 1, paddedW, image);
    for (let first = from; first < to; first += blockTiles) {
      const count = Math.min(blockTiles, to - first);
      k.f32_winograd_input_4_3(image + readOffset, C, planeBytes, first, count, v, vXiBytes);
      const streamU = firstImage && first === from;
      k.f32_winograd_gemm(POINTS, rows, count, C, u + rowFrom * C * 4, uXiBytes, v, vXiBytes, m, mXiBytes, slots * 4, 0, streamU ? 1 : 0);
      k.f32_winograd_output_4_3(m, mXiBytes, slots * 4, rows, first, count, bias, lo, hi, y, g.outW);
    }
  }
}

/** dW (and db) of the 3-tap, stride-1 conv1d `g` by Winograd (see the top of the file). */
function winograd1dFilterGradient(g: ConvGeometry): StagedPass<FilterGradientPointers> {
  const C = g.inChannels, O = g.outChannels;
  const tiles = Math.ceil(g.outW / TILE);
  const colsC = Math.ceil(C / 8) * 8; // M's rows: whole 8-channel panels of V
  const rowsO = Math.ceil(O / 4) * 4; // E's and M's rows: whole 4-row blocks
  const blockTiles = tilesPerBlock1d(tiles, colsC, rowsO, BLOCK_BYTES);
  const { placeLeft, paddedW, planeBytes, readOffset } = paddedRow(g);
  // dY zero-padded to whole tiles, so a tile past the output's edge reads zeros
  const dyW = tiles * TILE;
  const vXiBytes = skewed(colsC * blockTiles) * 4, eXiBytes = skewed(rowsO * blockTiles) * 4;
  const mRowBytes = colsC * 4, mXiBytes = skewed(rowsO * colsC) * 4;
  const at = scratchLayout({
    image: C * paddedW + 8,
    dy: O * dyW + 8,
    v: POINTS * skewed(colsC * blockTiles),
    e: POINTS * skewed(rowsO * blockTiles),
    m: POINTS * skewed(rowsO * colsC),
  });
  const xImageBytes = C * g.inW * 4, yImageBytes = O * g.outW * 4;
  return {
    scratchFloats: at.total,
    callsOnly: true,
    prepare() {},
    images(k, p, scratch) {
      const image = scratch + at.image, dy = scratch + at.dy;
      const v = scratch + at.v, e = scratch + at.e, m = scratch + at.m;
      k.f32_zero(m, POINTS * skewed(rowsO * colsC));
      k.f32_zero(p.db, O);
      for (let n = 0; n < g.batch; n++) {
        const dyN = p.dy + n * yImageBytes;
        k.f32_rowsum_accumulate(dyN, O, g.outW, p.db);
        k.f32_pad_image(p.x + n * xImageBytes, C, 1, g.inW, 0, placeLeft, 1, paddedW, image);
        k.f32_pad_image(dyN, O, 1, g.outW, 0, 0, 1, dyW, dy);
        for (let first = 0; first < tiles; first += blockTiles) {
          const count = Math.min(blockTiles, tiles - first);
          k.f32_winograd_input_by_channel_4_3(image + readOffset, C, planeBytes, first, count, v, vXiBytes);
          k.f32_winograd_dy_4_3(dy, O, dyW * 4, first, count, e, eXiBytes);
          // E was just written: no stream-in
          k.f32_winograd_gemm(POINTS, O, C, count, e, eXiBytes, v, vXiBytes, m, mXiBytes, mRowBytes, 1, 0);
        }
      }
      k.f32_winograd_filter_grad_4_3(m, mXiBytes, mRowBytes, O, C, p.dw);
    },
  };
}
