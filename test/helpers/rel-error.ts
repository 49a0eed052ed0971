/** Largest |got − want| relative to the largest |want| (a whole tensor's error on its own scale). */
export function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let e = 0, m = 1e-12;
  for (let i = 0; i < want.length; i++) {
    e = Math.max(e, Math.abs(got[i] - want[i]));
    m = Math.max(m, Math.abs(want[i]));
  }
  return e / m;
}
