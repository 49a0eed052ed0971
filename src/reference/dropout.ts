// Dropout's mask as plain JS: element i of a pass with `key` is kept (scaled by 1/(1 − p)) when
// lowbias32(i·φ + key) ≥ threshold; the kernels must produce it bit for bit.

function lowbias32(v: number): number {
  let h = v >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** mask[i] = 0 or scale, for elements 0 … count−1 of a pass with `key`. */
export function dropoutMaskRef(count: number, key: number, threshold: number, scale: number): Float64Array {
  const mask = new Float64Array(count);
  for (let i = 0; i < count; i++) mask[i] = lowbias32((Math.imul(i, 0x9e3779b9) + key) >>> 0) >= threshold ? scale : 0;
  return mask;
}

/** y = x·mask; and, for dy, dx = dy·mask */
export function dropoutRef(x: ArrayLike<number>, mask: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v, i) => v * mask[i]);
}
