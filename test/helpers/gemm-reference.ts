// GEMM kernels' products checked against a float64 loop, element by element, within the
// roundoff bound of tolerance.ts: (k + 3)·u·Σ|terms| (C's old value counted as a term).
import { UNIT_ROUNDOFF } from './tolerance.js';

/**
 * Throws naming the first element got[i·n + j] that is not Σ_p a(i, p)·b(p, j) + c0(i, j)
 * within the bound; the accessors say where each operand's elements lie. `what` names the case.
 */
export function expectGemmWithinBound(
  got: ArrayLike<number>, m: number, n: number, k: number,
  a: (i: number, p: number) => number, b: (p: number, j: number) => number, c0: (i: number, j: number) => number,
  what: string,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = c0(i, j);
      let scale = Math.abs(sum);
      for (let p = 0; p < k; p++) {
        const term = a(i, p) * b(p, j);
        sum += term;
        scale += Math.abs(term);
      }
      const bound = (k + 3) * UNIT_ROUNDOFF * scale;
      const value = got[i * n + j];
      if (!(Math.abs(value - sum) <= bound)) throw new Error(`C[${i}][${j}] = ${value}, expected ${sum} (bound ${bound}); ${what}`);
    }
  }
}

/** The accessors of a row-major m×k A, a k×n B stored row-major or transposed, and C's old m×n values (or none). */
export function denseOperands(a: ArrayLike<number>, b: ArrayLike<number>, c0: ArrayLike<number> | null, n: number, k: number, transposedB: boolean) {
  return {
    a: (i: number, p: number) => a[i * k + p],
    b: (p: number, j: number) => b[transposedB ? j * k + p : p * n + j],
    c0: (i: number, j: number) => (c0 ? c0[i * n + j] : 0),
  };
}
