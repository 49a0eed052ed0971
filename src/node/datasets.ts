/// <reference types="node" />
// Digit data sets for training: the packaged 10,000 (split 8,000 / 2,000) or the full MNIST
// IDX files in a directory.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { Random } from '../nn/random.js';
import { readIdxFile } from './idx.js';
import { loadPackagedMnist } from './mnist.js';

export interface DigitSplit {
  /** [N, 1, 28, 28] pixel values in [0, 1] */
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

export interface DigitData {
  train: DigitSplit;
  test: DigitSplit;
  rows: number;
  cols: number;
  /** where the data came from, for messages */
  source: string;
}

/** The samples at `indices` (in that order) of images [N, per] and their labels, copied out. */
export function selectSamples(images: Float32Array, labels: ArrayLike<number>, per: number, indices: ArrayLike<number>): DigitSplit {
  const n = indices.length;
  const picked = new Float32Array(n * per), pickedLabels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = indices[i];
    picked.set(images.subarray(j * per, (j + 1) * per), i * per);
    pickedLabels[i] = labels[j];
  }
  return { images: picked, labels: pickedLabels, count: n };
}

/** Seed of the fixed shuffle that splits the packaged digits (not the training seed). */
export const SPLIT_SEED = 20240917;

/**
 * The `mnist` package's 10,000 digits, shuffled once with a fixed seed: the first `trainCount`
 * (default 8,000) for training, the rest for testing. The split is the same on every run.
 */
export async function packagedDigits(trainCount = 8000): Promise<DigitData> {
  const all = await loadPackagedMnist();
  const per = all.rows * all.cols;
  if (!Number.isInteger(trainCount) || trainCount < 1 || trainCount >= all.count) {
    throw new Error(`packagedDigits: trainCount must be an integer in [1, ${all.count - 1}], got ${trainCount}`);
  }
  const order = new Random(SPLIT_SEED).permutation(all.count);
  const take = (from: number, to: number) => selectSamples(all.images, all.labels, per, order.subarray(from, to));
  return { train: take(0, trainCount), test: take(trainCount, all.count), rows: all.rows, cols: all.cols, source: `the mnist package's ${all.count} digits (${trainCount} train / ${all.count - trainCount} test)` };
}

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

async function findFile(dir: string, base: string): Promise<string> {
  for (const name of [base, `${base}.gz`, base.replace('-idx', '.idx')]) {
    const path = join(dir, name);
    try {
      await access(path);
      return path;
    } catch {
      // try the next spelling
    }
  }
  throw new Error(`--data ${dir}: no ${base} (or ${base}.gz) there; expected the four MNIST IDX files ${Object.values(FILES).join(', ')}`);
}

async function idxSplit(imagesPath: string, labelsPath: string): Promise<{ split: DigitSplit; rows: number; cols: number }> {
  const images = await readIdxFile(imagesPath);
  const labels = await readIdxFile(labelsPath);
  if (images.shape.length !== 3 || !(images.data instanceof Uint8Array)) {
    throw new Error(`${imagesPath}: expected u8 images [N, rows, cols], got shape [${images.shape.join(',')}]`);
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new Error(`${labelsPath}: expected ${images.shape[0]} labels (one per image in ${imagesPath}), got shape [${labels.shape.join(',')}]`);
  }
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255;
  return { split: { images: pixels, labels: Int32Array.from(labels.data), count: images.shape[0] }, rows: images.shape[1], cols: images.shape[2] };
}

/** The four MNIST IDX files (plain or .gz) in `dir`: the train and t10k sets as they are. */
export async function idxDigits(dir: string): Promise<DigitData> {
  const train = await idxSplit(await findFile(dir, FILES.trainImages), await findFile(dir, FILES.trainLabels));
  const test = await idxSplit(await findFile(dir, FILES.testImages), await findFile(dir, FILES.testLabels));
  if (train.rows !== test.rows || train.cols !== test.cols) throw new Error(`--data ${dir}: train images are ${train.rows}×${train.cols} but test images ${test.rows}×${test.cols}`);
  return { train: train.split, test: test.split, rows: train.rows, cols: train.cols, source: `IDX files in ${dir} (${train.split.count} train / ${test.split.count} test)` };
}
