// The IDX reader, on small files the test writes itself: plain and gzipped, every element type,
// the four MNIST files in a directory, and clear Errors for truncated or foreign files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeIdx, idxDigits, parseIdx, readIdxFile } from '../src/node/index.js';

describe('IDX files', () => {
  it('parses what it encodes, for every element type, big-endian', () => {
    const arrays = [
      { shape: [2, 3], data: Uint8Array.from([0, 1, 2, 253, 254, 255]) },
      { shape: [4], data: Int8Array.from([-128, -1, 0, 127]) },
      { shape: [2, 2], data: Int16Array.from([-30000, -1, 1, 30000]) },
      { shape: [3], data: Int32Array.from([-2e9, 7, 2e9]) },
      { shape: [1, 2, 2], data: Float32Array.from([0.5, -1.25, 3e10, -0]) },
      { shape: [2], data: Float64Array.from([Math.PI, -Math.E]) },
    ];
    for (const a of arrays) {
      const parsed = parseIdx(encodeIdx(a));
      expect(parsed.shape).toEqual(a.shape);
      expect(parsed.data).toEqual(a.data);
    }
    // the first element of a u16-like value shows the byte order: 0x0102 big-endian
    const bytes = encodeIdx({ shape: [1], data: Int16Array.from([0x0102]) });
    expect([...bytes.subarray(-2)]).toEqual([1, 2]);
  });

  it('a truncated file, a foreign file and an unknown type are clear Errors', () => {
    const bytes = encodeIdx({ shape: [10, 4], data: new Uint8Array(40) });
    expect(() => parseIdx(bytes.subarray(0, 30), 'f')).toThrow(/f: IDX shape \[10,4\] of u8 needs 52 bytes but the file has 30 \(truncated\)/);
    expect(() => parseIdx(bytes.subarray(0, 6), 'f')).toThrow(/f: truncated IDX header/);
    expect(() => parseIdx(new TextEncoder().encode('hello world'), 'f')).toThrow(/f: not an IDX file/);
    const odd = bytes.slice();
    odd[2] = 0x42;
    expect(() => parseIdx(odd, 'f')).toThrow(/unknown IDX element type 0x42/);
  });

  it('reads the four MNIST files from a directory (one of them gzipped), scaling pixels to [0, 1]', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmconv-idx-'));
    const images = (n: number) => Uint8Array.from({ length: n * 28 * 28 }, (_, i) => (i * 7) % 256);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), encodeIdx({ shape: [5, 28, 28], data: images(5) }));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx({ shape: [5], data: Uint8Array.from([0, 1, 2, 3, 9]) }));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(encodeIdx({ shape: [3, 28, 28], data: images(3) })));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx({ shape: [3], data: Uint8Array.from([4, 5, 6]) }));
    const data = await idxDigits(dir);
    expect(data.train.count).toBe(5);
    expect(data.test.count).toBe(3);
    expect([...data.train.labels]).toEqual([0, 1, 2, 3, 9]);
    expect([...data.test.labels]).toEqual([4, 5, 6]);
    expect(data.train.images[1]).toBeCloseTo(7 / 255, 6);
    expect(data.test.images[37]).toBeCloseTo(((37 * 7) % 256) / 255, 6);
    expect((await readIdxFile(join(dir, 't10k-images-idx3-ubyte.gz'))).shape).toEqual([3, 28, 28]);
  });

  it('a directory without the files, or labels that do not match the images, is an Error naming them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmconv-idx-'));
    await expect(idxDigits(dir)).rejects.toThrow(/no train-images-idx3-ubyte \(or train-images-idx3-ubyte\.gz\) there/);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), encodeIdx({ shape: [2, 28, 28], data: new Uint8Array(2 * 784) }));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx({ shape: [3], data: new Uint8Array(3) }));
    await expect(idxDigits(dir)).rejects.toThrow(/expected 2 labels \(one per image/);
  });
});
