// Deterministic test data from a seed (mulberry32), so a failing case can be replayed.
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** size values uniform in [-1, 1), as float32. */
export function randomData(size: number, random: () => number): Float32Array {
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = random() * 2 - 1;
  return data;
}

export const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
