// Inverted dropout with a counter-based generator: element i of a pass is kept when
// hash(key + i·φ) ≥ threshold (threshold = p·2³²), so the mask depends only on the key and the
// element's index — the same on any thread split, and reproducible from the layer's seed.

/** The 32-bit mixer (Chris Wellons' lowbias32): bits of the counter i·φ + key, spread. */
@inline
export function dropoutHash(i: u32, key: u32): u32 {
  let h = i * 0x9e3779b9 + key;
  h ^= h >>> 16;
  h *= 0x7feb352d;
  h ^= h >>> 15;
  h *= 0x846ca68b;
  h ^= h >>> 16;
  return h;
}

/**
 * Scalar twin of f32_dropout__wasmsimd: for elements first … first+count−1 of the pass,
 * mask[i] = hash ≥ threshold ? scale : 0 and y[i] = x[i]·mask[i]; x, y and mask point at
 * element `first`.
 */
export function f32_dropout__scalar(x: usize, y: usize, mask: usize, count: i32, first: u32, key: u32, threshold: u32, scale: f32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const m: f32 = dropoutHash(first + <u32>i, key) >= threshold ? scale : 0;
    store<f32>(mask + o, m);
    store<f32>(y + o, load<f32>(x + o) * m);
  }
}

/** Scalar twin of f32_mul__wasmsimd: y[i] = a[i]·b[i]. */
export function f32_mul__scalar(a: usize, b: usize, y: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(a + o) * load<f32>(b + o));
  }
}
