import { SubconvPlan, SubconvRegion, TILE_PAIRS, firstRegion, nextRegion, tapsOf } from "./f32-subconv-plan";
import { f32_subconv_tile_3x8__wasmsimd } from "./f32-subconv-3x8-wasmsimd";
import { f32_subconv_tile_3x8__scalar } from "./f32-subconv-3x8-scalar";

/** Bytes of work space f32_subconv_dx needs: two staged 3×8 tiles. */
export const SUBCONV_WORK_BYTES: usize = 2 * 3 * 32;

/**
 * dX of one image and group of a conv with stride (sh, 2) and at most 3 input channels per
 * group, gathered by stride phase (see f32-subconv-plan.ts). For each row phase, each dX row
 * and each run of 16 columns: the tile of column phase 0, then that of phase 1, interleaved
 * as they are stored. `dy` is the zero-padded dY the plan's offsets point into; `packedW`
 * holds each tap's Wᵀ block (f32_pack_a_x4); dx is overwritten.
 */
export function f32_subconv_dx(plan: SubconvPlan, dy: usize, packedW: usize, dx: usize, work: usize): void {
  // plan fields in locals: the stores below could alias them as far as the compiler knows
  const channels = plan.channels;
  const outChannels = plan.outChannels;
  const dyPlaneBytes = <usize>plan.dyPlaneBytes;
  const dxPlaneBytes = <usize>plan.dxPlaneBytes;
  const width = plan.width;
  const pairs = plan.pairs;
  const stage0 = work;
  const stage1 = work + 96;
  let region = firstRegion(plan);
  for (let r = 0; r < plan.regions; r++) {
    const rows = region.rows;
    const dyRowStride = <usize>region.dyRowStride;
    const dxRowStride = <usize>region.dxRowStride;
    const taps0 = tapsOf(region);
    const count0 = region.taps0;
    const taps1 = taps0 + (<usize>count0 << 2);
    const count1 = region.taps1;
    const a0 = packedW + <usize>region.aOffset0;
    const a1 = packedW + <usize>region.aOffset1;
    let dxRow = dx + <usize>region.dxOffset;
    let dyRow = dy;
    for (let a = 0; a < rows; a++) {
      for (let m = 0; m < pairs; m += TILE_PAIRS) {
        const dyTile = dyRow + (<usize>m << 2);
        const dxTile = dxRow + (<usize>m << 3);
        if (ASC_FEATURE_SIMD && 2 * (m + TILE_PAIRS) <= width) {
          f32_subconv_tile_3x8__wasmsimd(taps0, count0, a0, outChannels, dyPlaneBytes, dyTile, stage0, false, 0, 0, 0);
          f32_subconv_tile_3x8__wasmsimd(taps1, count1, a1, outChannels, dyPlaneBytes, dyTile, stage0, true, dxTile, dxPlaneBytes, channels);
        } else {
          tileToStage(taps0, count0, a0, outChannels, dyPlaneBytes, dyTile, stage0);
          tileToStage(taps1, count1, a1, outChannels, dyPlaneBytes, dyTile, stage1);
          storeStagedClipped(stage0, stage1, dxTile, dxPlaneBytes, channels, width - 2 * m);
        }
      }
      dyRow += dyRowStride;
      dxRow += dxRowStride;
    }
    region = nextRegion(region);
  }
}

@inline
function tileToStage(taps: usize, count: i32, a: usize, outChannels: i32, dyPlaneBytes: usize, dy: usize, stage: usize): void {
  if (ASC_FEATURE_SIMD) f32_subconv_tile_3x8__wasmsimd(taps, count, a, outChannels, dyPlaneBytes, dy, stage, false, 0, 0, 0);
  else f32_subconv_tile_3x8__scalar(taps, count, a, outChannels, dyPlaneBytes, dy, stage);
}

/** The two staged phases interleaved into the first `limit` of the tile's 16 dX columns (the row's end). */
function storeStagedClipped(even: usize, odd: usize, dx: usize, dxPlaneBytes: usize, channels: i32, limit: i32): void {
  const columns = min(limit, 2 * TILE_PAIRS);
  for (let i = 0; i < channels; i++) {
    const row = dx + <usize>i * dxPlaneBytes;
    const from = <usize>i << 5;
    for (let col = 0; col < columns; col++) {
      const staged = ((col & 1) ? odd : even) + from + (<usize>(col >> 1) << 2);
      store<f32>(row + (<usize>col << 2), load<f32>(staged));
    }
  }
}
