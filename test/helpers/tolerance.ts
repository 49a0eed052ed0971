// How close a float32 result must be to the float64 reference.
//
// Every result is a sum of at most `terms` products of float32 inputs. Whatever order a kernel
// adds them in, float32 rounding leaves an error of at most (terms + 2)·u·Σ|term|, u = 2⁻²⁴
// (Higham, Accuracy and Stability of Numerical Algorithms, §3.1: one rounding per product,
// terms − 1 per addition chain, one for the output). `scale` is Σ|term| for each output,
// obtained by running the reference on the absolute values of the inputs. The bound is
// rigorous: a correct kernel never exceeds it, and an index or padding bug does by orders of
// magnitude.
export const UNIT_ROUNDOFF = 2 ** -24;

export interface Comparison {
  /** largest |got − expected| / (u·scale) seen: how many units of roundoff the worst element used */
  worstUlps: number;
}

export function expectWithinRoundoff(
  label: string,
  got: Float32Array,
  expected: ArrayLike<number>,
  scale: ArrayLike<number>,
  terms: number,
  context: () => string,
): Comparison {
  if (got.length !== expected.length) {
    throw new Error(`${label}: length ${got.length}, expected ${expected.length}\n${context()}`);
  }
  let worstUlps = 0;
  for (let i = 0; i < got.length; i++) {
    const error = Math.abs(got[i] - expected[i]);
    const tolerance = (terms + 2) * UNIT_ROUNDOFF * scale[i];
    if (!(error <= tolerance)) {
      throw new Error(
        `${label}[${i}]: expected ${expected[i]}, got ${got[i]} (error ${error.toExponential(3)}, ` +
          `tolerance ${tolerance.toExponential(3)} = (${terms}+2)·2⁻²⁴·${scale[i]})\n${context()}`,
      );
    }
    if (scale[i] > 0) worstUlps = Math.max(worstUlps, error / (UNIT_ROUNDOFF * scale[i]));
  }
  return { worstUlps };
}

export const absolute = (data: ArrayLike<number>): Float64Array => Float64Array.from(data, Math.abs);
