import { storeTransposed4x4 } from "./transpose-4x4";

// Pack B panels straight from a zero-padded image, so no column matrix is ever written.
// tapOffsets[t] is the float offset of tap t = (c·KH + kh)·KW + kw in the padded image
// (c·planeStride + kh·dilationH·paddedW + kw·dilationW); output position p = oh·outW + ow
// starts at (oh·strideH)·paddedW + ow·strideW. Every read lands inside the padded image, and
// the image is followed by at least 8 floats of slack for the 8-wide loads.

/** Offset of output position p's window in the padded image. */
@inline
function positionOffset(p: i32, outW: i32, strideH: i32, strideW: i32, paddedW: i32): i32 {
  const oh = p / outW;
  const ow = p - oh * outW;
  return oh * strideH * paddedW + ow * strideW;
}

/**
 * Forward's B = col(X): rows are taps [t0, t0+kc), columns are positions [p0, p0+nc), nc ≤ 8;
 * out[t][0..8), columns past nc zero.
 */
export function f32_pack_im2col_x8(
  kc: i32, t0: i32, nc: i32, p0: i32,
  xPadded: usize, tapOffsets: usize,
  outW: i32, strideH: i32, strideW: i32, paddedW: i32,
  out: usize,
): void {
  let taps = tapOffsets + (<usize>t0 << 2);
  const tapsEnd = taps + (<usize>kc << 2);
  const o0 = positionOffset(p0, outW, strideH, strideW, paddedW);
  const firstRow = outW - (p0 % outW); // positions left on p0's output row
  if (ASC_FEATURE_SIMD && strideW == 1 && nc == 8 && firstRow >= 8) {
    // all 8 positions on one output row: 8 adjacent floats per tap
    const base = xPadded + (<usize>o0 << 2);
    for (; taps < tapsEnd; taps += 4) {
      const src = base + (<usize>load<i32>(taps) << 2);
      v128.store(out, v128.load(src));
      v128.store(out, v128.load(src, 16), 16);
      out += 32;
    }
    return;
  }
  if (ASC_FEATURE_SIMD && strideW == 2 && nc == 8 && firstRow >= 8) {
    // all 8 positions on one output row, stride 2: the even floats of 16 adjacent ones
    const base = xPadded + (<usize>o0 << 2);
    for (; taps < tapsEnd; taps += 4) {
      const src = base + (<usize>load<i32>(taps) << 2);
      v128.store(out, v128.shuffle<f32>(v128.load(src), v128.load(src, 16), 0, 2, 4, 6));
      v128.store(out, v128.shuffle<f32>(v128.load(src, 32), v128.load(src, 48), 0, 2, 4, 6), 16);
      out += 32;
    }
    return;
  }
  if (ASC_FEATURE_SIMD && strideW == 1 && nc == 8 && outW >= 8) {
    // the row breaks after `firstRow` positions: blend the run that starts at p0 with the run
    // that starts firstRow lanes before the next row's first position
    const baseA = xPadded + (<usize>o0 << 2);
    const baseB = xPadded + (<usize>(positionOffset(p0 + firstRow, outW, strideH, strideW, paddedW) - firstRow) << 2);
    const lane = i32x4(0, 1, 2, 3);
    const maskLo = i32x4.lt_s(lane, i32x4.splat(firstRow));
    const maskHi = i32x4.lt_s(i32x4.add(lane, i32x4.splat(4)), i32x4.splat(firstRow));
    for (; taps < tapsEnd; taps += 4) {
      const offset = <usize>load<i32>(taps) << 2;
      const a = baseA + offset;
      const b = baseB + offset;
      v128.store(out, v128.bitselect(v128.load(a), v128.load(b), maskLo));
      v128.store(out, v128.bitselect(v128.load(a, 16), v128.load(b, 16), maskHi), 16);
      out += 32;
    }
    return;
  }
  // any stride or a narrow image: gather lane by lane
  let ow = p0 % outW;
  let rowStart = o0 - ow * strideW;
  for (let j = 0; j < 8; j++) {
    // column j's window offset, or -1 for padding columns past nc
    let offset = -1;
    if (j < nc) {
      offset = rowStart + ow * strideW;
      if (++ow == outW) {
        ow = 0;
        rowStart += strideH * paddedW;
      }
    }
    gatherColumn(out + (<usize>j << 2), offset, xPadded, taps, kc);
  }
}

/** out[t·8 + 0] for t < kc: the padded image at offset + tapOffsets[t], or zero when offset < 0. */
@inline
function gatherColumn(out: usize, offset: i32, xPadded: usize, taps: usize, kc: i32): void {
  const tapsEnd = taps + (<usize>kc << 2);
  if (offset < 0) {
    for (; taps < tapsEnd; taps += 4) {
      store<f32>(out, 0);
      out += 32;
    }
    return;
  }
  const base = xPadded + (<usize>offset << 2);
  for (; taps < tapsEnd; taps += 4) {
    store<f32>(out, load<f32>(base + (<usize>load<i32>(taps) << 2)));
    out += 32;
  }
}

/**
 * dW's B = row(X) = col(X)ᵀ: rows are positions [p0, p0+kc), columns are taps [t0, t0+nc),
 * nc ≤ 8; out[p][0..8), columns past nc zero.
 */
export function f32_pack_im2row_x8(
  kc: i32, p0: i32, nc: i32, t0: i32,
  xPadded: usize, tapOffsets: usize,
  outW: i32, strideH: i32, strideW: i32, paddedW: i32,
  out: usize,
): void {
  const taps = tapOffsets + (<usize>t0 << 2);
  // the panel's 8 tap offsets in locals; missing taps read the image's first float and are
  // zeroed after the loop
  const t0o = load<i32>(taps);
  const t1o = nc > 1 ? load<i32>(taps, 4) : 0;
  const t2o = nc > 2 ? load<i32>(taps, 8) : 0;
  const t3o = nc > 3 ? load<i32>(taps, 12) : 0;
  const t4o = nc > 4 ? load<i32>(taps, 16) : 0;
  const t5o = nc > 5 ? load<i32>(taps, 20) : 0;
  const t6o = nc > 6 ? load<i32>(taps, 24) : 0;
  const t7o = nc > 7 ? load<i32>(taps, 28) : 0;
  let ow = p0 % outW;
  let rowStart = positionOffset(p0, outW, strideH, strideW, paddedW) - ow * strideW;
  const start = out;
  for (let p = 0; p < kc; p++) {
    const base = xPadded + (<usize>(rowStart + ow * strideW) << 2);
    if (ASC_FEATURE_SIMD && p + 4 <= kc && ow + 4 <= outW && (strideW == 1 || strideW == 2)) {
      // four positions on one output row: one vector per tap (lanes = positions), then two
      // 4×4 transposes give four panel rows of 8 taps each
      const v0 = fourPositions(base, t0o, strideW), v1 = fourPositions(base, t1o, strideW);
      const v2 = fourPositions(base, t2o, strideW), v3 = fourPositions(base, t3o, strideW);
      const v4 = fourPositions(base, t4o, strideW), v5 = fourPositions(base, t5o, strideW);
      const v6 = fourPositions(base, t6o, strideW), v7 = fourPositions(base, t7o, strideW);
      storeTransposed4x4(out, 32, v0, v1, v2, v3);
      storeTransposed4x4(out + 16, 32, v4, v5, v6, v7);
      p += 3;
      ow += 4;
      if (ow == outW) {
        ow = 0;
        rowStart += strideH * paddedW;
      }
      out += 128;
      continue;
    }
    store<f32>(out, load<f32>(base + (<usize>t0o << 2)));
    store<f32>(out, load<f32>(base + (<usize>t1o << 2)), 4);
    store<f32>(out, load<f32>(base + (<usize>t2o << 2)), 8);
    store<f32>(out, load<f32>(base + (<usize>t3o << 2)), 12);
    store<f32>(out, load<f32>(base + (<usize>t4o << 2)), 16);
    store<f32>(out, load<f32>(base + (<usize>t5o << 2)), 20);
    store<f32>(out, load<f32>(base + (<usize>t6o << 2)), 24);
    store<f32>(out, load<f32>(base + (<usize>t7o << 2)), 28);
    if (++ow == outW) {
      ow = 0;
      rowStart += strideH * paddedW;
    }
    out += 32;
  }
  for (let j = nc; j < 8; j++) {
    const column = start + (<usize>j << 2);
    for (let p = 0; p < kc; p++) store<f32>(column + (<usize>p << 5), 0);
  }
}

/** Tap `offset` at four consecutive output positions of one row, stride 1 or 2. */
@inline
function fourPositions(base: usize, offset: i32, strideW: i32): v128 {
  const at = base + (<usize>offset << 2);
  if (strideW == 1) return v128.load(at);
  return v128.shuffle<f32>(v128.load(at), v128.load(at, 16), 0, 2, 4, 6);
}
