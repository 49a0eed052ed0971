// The plan f32_subconv_dx runs, written by src/ops/passes/subconv-dx.ts into scratch memory
// (i32 fields in exactly this order).
//
// A conv of stride (sh, 2) splits dX into stride phases: the rows ih = sh·a + s (row phase s)
// and the columns iw = 2·m + r (column phase r). Each phase of dX is a stride-1 correlation of
// dY with the taps of W that reach it: dX[c][sh·a + s][2m + r] = Σ_taps Σ_o W[o][c][kh][kw] ·
// dY[o][a + δh][m + δw]. So dX is gathered, written once: no column matrix, no scatter, no
// zero-fill. dY is read from a zero-padded copy, whose margins absorb every δ out of range.

/** One image and group. Byte sizes and offsets throughout. `regions` SubconvRegions follow it. */
@unmanaged
export class SubconvPlan {
  /** input channels of the group (1 to 3) */
  channels: i32;
  /** output channels of the group: the dY planes each tap sums over */
  outChannels: i32;
  /** bytes between padded dY planes */
  dyPlaneBytes: i32;
  /** bytes between dX planes */
  dxPlaneBytes: i32;
  /** dX width and its count of column pairs, ceil(width / 2) */
  width: i32;
  pairs: i32;
  regions: i32;
}

/**
 * One row phase: rows a < rows of dX row dxOffset + a·dxRowStride, each reading padded dY row
 * a·dyRowStride. taps0 taps reach column phase 0, then taps1 reach phase 1; their packed
 * weights start at aOffset0, aOffset1 (outChannels × 16 bytes per tap, f32_pack_a_x4's layout).
 * Followed by taps0 + taps1 i32 byte offsets into padded dY: where tap t reads for a = m = 0.
 */
@unmanaged
export class SubconvRegion {
  rows: i32;
  dxOffset: i32;
  dxRowStride: i32;
  dyRowStride: i32;
  taps0: i32;
  aOffset0: i32;
  taps1: i32;
  aOffset1: i32;
}

@inline
export function firstRegion(plan: SubconvPlan): SubconvRegion {
  return changetype<SubconvRegion>(changetype<usize>(plan) + offsetof<SubconvPlan>());
}

@inline
export function tapsOf(region: SubconvRegion): usize {
  return changetype<usize>(region) + offsetof<SubconvRegion>();
}

@inline
export function nextRegion(region: SubconvRegion): SubconvRegion {
  return changetype<SubconvRegion>(tapsOf(region) + (<usize>(region.taps0 + region.taps1) << 2));
}

/** Columns a tile covers in each phase: 8 pairs, 16 dX columns. */
export const TILE_PAIRS: i32 = 8;
