// The plan a depthwise pass runs, written by src/ops/passes/depthwise.ts into scratch memory
// (i32 fields in exactly this order), and helpers shared by the kernel twins.
//
// Every depthwise pass reads its source plane (x, or dy for dX) from a zero-padded copy, so
// the inner loops never test bounds. The copy (f32_dwconv_pad__*) can split columns into
// `phases` (the stride along W): padded column pc goes to phase pc % phases, position
// pc / phases. Then a strided read along W becomes a contiguous one, and every pass sums taps
// over contiguous rows.

/** One pass over one image. Byte sizes and offsets throughout. `regions` DwRegions follow it. */
@unmanaged
export class DwPlan {
  /** input channels (= groups) */
  channels: i32;
  /** output channels per input channel; output channel o reads input channel o / multiplier */
  multiplier: i32;
  /** bytes of one output channel's filter (KH·KW floats) */
  filterBytes: i32;
  /** bytes between planes of the source: x (forward, dW) or dy (dX) */
  srcPlaneBytes: i32;
  /** bytes between planes of the result (y, dx) or, for dW, of dy */
  dstPlaneBytes: i32;
  /** source rows and columns to copy into the padded plane (those the taps can reach) */
  copyRows: i32;
  copyCols: i32;
  srcRowBytes: i32;
  /** padded row and column of the source's (0, 0) */
  top: i32;
  left: i32;
  phases: i32;
  phaseBytes: i32;
  padRowBytes: i32;
  /** bytes of one padded plane; dX pads `padPlanes` planes (one per multiplier) side by side */
  padBytes: i32;
  padPlanes: i32;
  regions: i32;
}

/**
 * dst[i·dstRowStride + j·dstColStride] = Σ_t w[wOffset_t] · padded[srcOffset + i·srcRowStride + srcOffset_t + 4j]
 * for i < rows, j < cols. Followed by `taps` tap entries of TAP_BYTES: srcOffset_t and wOffset_t
 * (i32, from the host), then a slot where bindWeights puts w[wOffset_t] for the channel at hand
 * (the inner loops then load the weight with no indirection), then padding. The padded plane
 * holds at least the reads of j < cols rounded up to a multiple of 4.
 */
@unmanaged
export class DwRegion {
  rows: i32;
  cols: i32;
  srcOffset: i32;
  srcRowStride: i32;
  dstOffset: i32;
  dstRowStride: i32;
  dstColStride: i32;
  taps: i32;
}

export const TAP_BYTES: usize = 16;
/** where a tap entry keeps its bound weight */
export const TAP_WEIGHT: usize = 8;

@inline
export function firstRegion(plan: DwPlan): DwRegion {
  return changetype<DwRegion>(changetype<usize>(plan) + offsetof<DwPlan>());
}

@inline
export function tapsOf(region: DwRegion): usize {
  return changetype<usize>(region) + offsetof<DwRegion>();
}

@inline
export function tapsEnd(region: DwRegion): usize {
  return tapsOf(region) + <usize>region.taps * TAP_BYTES;
}

@inline
export function nextRegion(region: DwRegion): DwRegion {
  return changetype<DwRegion>(tapsEnd(region));
}

/** Puts w[wOffset_t] into each of the region's tap entries. */
@inline
export function bindWeights(region: DwRegion, w: usize): void {
  const end = tapsEnd(region);
  for (let t = tapsOf(region); t < end; t += TAP_BYTES) store<f32>(t, load<f32>(w + <usize>load<i32>(t, 4)), TAP_WEIGHT);
}

/**
 * Source columns [from, cols) of one row, `src`, to their phases of the padded row `row`: column
 * ix lands at padded column pc = ix + left, i.e. phase pc % phases, position pc / phases. The
 * pad twins use it where they have no faster way.
 */
export function scatterPhases(plan: DwPlan, row: usize, src: usize, from: i32, cols: i32): void {
  const phases = plan.phases;
  const phaseBytes = <usize>plan.phaseBytes;
  let phase = (from + plan.left) % phases;
  let out = row + <usize>phase * phaseBytes + (<usize>((from + plan.left) / phases) << 2);
  for (let ix = from; ix < cols; ix++) {
    store<f32>(out, load<f32>(src + (<usize>ix << 2)));
    // the next column: the next phase, or back to phase 0 one position on
    if (++phase < phases) {
      out += phaseBytes;
    } else {
      phase = 0;
      out -= <usize>(phases - 1) * phaseBytes - 4;
    }
  }
}
