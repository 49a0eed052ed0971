// One check per implementation, shape and pass before anything is timed: a peer wired with the
// wrong layout or padding would otherwise produce a fast, meaningless number.

/** Relative tolerance: max |got − expected| ≤ RTOL · max |expected| (float32 sums over ≤ ~1e5 terms). */
export const RTOL = 1e-3;

/** Largest |got − expected| and largest |expected| of two equal-length arrays. */
export function maxAbsDiff(got, expected) {
  if (got.length !== expected.length) return { diff: Infinity, scale: 0 };
  let diff = 0, scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(got[i] - expected[i]);
    if (!(d <= diff)) diff = d; // NaN wins, so a NaN result fails
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return { diff, scale };
}

/**
 * Compares every named output ({ y } or { dx } or { dw, db }) with ours; throws a message naming
 * the implementation, shape, pass and output if one disagrees. Returns the worst relative error.
 */
export function verifyOutputs(label, got, expected) {
  let worst = 0;
  for (const [name, want] of Object.entries(expected)) {
    if (!got[name]) throw new Error(`${label}: no '${name}' output to check`);
    const { diff, scale } = maxAbsDiff(got[name], want);
    const rel = diff / Math.max(scale, Number.MIN_VALUE);
    if (!(rel <= RTOL)) {
      throw new Error(
        `${label}: ${name} disagrees with wasmconv: max |diff| ${diff} vs max |ours| ${scale} ` +
          `(relative ${rel.toExponential(2)} > ${RTOL}; lengths ${got[name].length} vs ${want.length}). ` +
          'A layout or padding is mis-wired; refusing to time it.',
      );
    }
    worst = Math.max(worst, rel);
  }
  return worst;
}
