// Deterministic benchmark data: a seeded LCG, values in [-1, 1).
import { tensor } from 'wasmconv';

export function randomTensor(shape, seed) {
  let s = seed >>> 0;
  const data = new Float32Array(shape.reduce((a, b) => a * b));
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 31 - 1;
  }
  return tensor(data, shape);
}
