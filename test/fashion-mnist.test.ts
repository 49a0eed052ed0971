// Fashion-MNIST from the `fashion-mnist` devDependency: the documented split, the pixels as the
// package's JSON has them, and the binary cache (written once, read back identical, rebuilt
// when damaged).
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fashionMnist, fashionMnistCachePath, FASHION_CLASSES, FASHION_TRAIN_PER_CLASS } from '../src/node/index.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'wasmconv-fashion-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('fashionMnist', () => {
  it('splits the first 6,000 of each class for training and the rest for testing, pixels as the JSON has them /255', async () => {
    const statuses: string[] = [];
    expect((await fashionMnistCachePath(cacheDir)).exists).toBe(false);
    const data = await fashionMnist({ cacheDir, onStatus: (m) => statuses.push(m) });
    expect(statuses.join('\n')).toMatch(/converting the fashion-mnist package's JSON/);
    expect(data.rows).toBe(28);
    expect(data.cols).toBe(28);
    expect(data.train.count).toBe(10 * FASHION_TRAIN_PER_CLASS);
    expect(data.train.images.length).toBe(data.train.count * 784);
    const require = createRequire(import.meta.url);
    const perClass = FASHION_CLASSES.map((_, label) => (require(`fashion-mnist/src/clothes/${label}.json`) as { data: number[][] }).data.filter((image) => image.length > 0));
    expect(perClass.map((images) => images.length), 'images per class').toEqual(new Array(10).fill(7000));
    const total = perClass.reduce((n, images) => n + images.length, 0);
    expect(data.train.count + data.test.count).toBe(total);
    for (let label = 0; label < 10; label++) {
      expect(data.train.labels.filter((l) => l === label).length, `class ${label} in train`).toBe(FASHION_TRAIN_PER_CLASS);
      expect(data.test.labels.filter((l) => l === label).length, `class ${label} in test`).toBe(perClass[label].length - FASHION_TRAIN_PER_CLASS);
    }
    // the first training image of class 3 is the package's first image of class 3; the last test image is the last of class 9
    const firstOf3 = data.train.labels.indexOf(3);
    expect(Array.from(data.train.images.subarray(firstOf3 * 784, (firstOf3 + 1) * 784))).toEqual(perClass[3][0].map((v) => Math.fround(v / 255)));
    const last = data.test.count - 1;
    expect(data.test.labels[last]).toBe(9);
    expect(Array.from(data.test.images.subarray(last * 784))).toEqual(perClass[9][perClass[9].length - 1].map((v) => Math.fround(v / 255)));
    expect(data.source).toMatch(/70000 images .*60000 train \/ 10000 test/);
  }, 120_000);

  it('reads the cache back identical and fast, and rebuilds a damaged one', async () => {
    const { path, exists } = await fashionMnistCachePath(cacheDir);
    expect(exists).toBe(true);
    expect(statSync(path).size).toBe(24 + 70000 * 785);
    const statuses: string[] = [];
    const start = performance.now();
    const again = await fashionMnist({ cacheDir, onStatus: (m) => statuses.push(m) });
    const ms = performance.now() - start;
    expect(statuses, 'no conversion from a valid cache').toEqual([]);
    console.log(`fashionMnist from the cache: ${ms.toFixed(0)} ms`);
    expect(again.train.count).toBe(60000);
    const bytes = readFileSync(path);
    truncateSync(path, bytes.length - 1);
    const rebuilt = await fashionMnist({ cacheDir, onStatus: (m) => statuses.push(m) });
    expect(statuses.join('\n')).toMatch(/converting/);
    expect(rebuilt.test.labels).toEqual(again.test.labels);
    expect(rebuilt.train.images.subarray(0, 784 * 100)).toEqual(again.train.images.subarray(0, 784 * 100));
    expect(readFileSync(path).equals(bytes)).toBe(true);
  }, 120_000);
});
