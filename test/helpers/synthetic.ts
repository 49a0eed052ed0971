// Small seeded image tasks for "the loss goes down" tests of whole models.
import { seededRandom } from './random.js';

/** Two classes of c×size×size images: a bright band in the top or the bottom half, with noise. */
export function bands(n: number, seed: number, size = 28, channels = 1): { x: Float32Array; labels: number[] } {
  const random = seededRandom(seed);
  const plane = size * size, image = channels * plane;
  const x = new Float32Array(n * image), labels: number[] = [];
  const top = Math.round(size / 7), bottom = Math.round((size * 9) / 14);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    labels.push(label);
    const row0 = label === 0 ? top + Math.floor(random() * 6) : bottom + Math.floor(random() * 6);
    for (let p = 0; p < image; p++) {
      const r = Math.floor((p % plane) / size);
      x[i * image + p] = (r >= row0 && r < row0 + 4 ? 1 : 0) + 0.3 * (random() - 0.5);
    }
  }
  return { x, labels };
}
