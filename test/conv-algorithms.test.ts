// conv2dAlgorithms / conv1dAlgorithms: which kernels a conv runs per pass, and on how many
// threads, without computing it; checked against what conv2d actually computes ('auto' equals
// the named algorithm forced, bit for bit) and against the rules of docs/winograd.md.
import { afterAll, describe, expect, it } from 'vitest';
import { conv1dAlgorithms, conv2d, conv2dAlgorithms, conv2dBackward, init, tensor, type Conv2dOptions } from '../src/index.js';
import { randomData, seededRandom, product } from './helpers/random.js';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('conv2dAlgorithms, conv1dAlgorithms', () => {
  afterAll(() => init({ isa: 'simd', threads: 1 }));

  it('name the kernels of each pass as the rules of docs/winograd.md pick them', async () => {
    await init({ isa: 'simd', threads: 1 });
    // S4: Winograd forward and dX; dW's accumulators (36·128·128) exceed half of x → the GEMM's
    expect(conv2dAlgorithms([8, 128, 28, 28], [128, 128, 3, 3], { padding: 1 }))
      .toEqual({ forward: 'winograd', inputGradient: 'winograd', filterGradient: 'gemm', threads: 1 });
    // x 32,768 floats, accumulators 9,216: dW by Winograd too
    expect(conv2dAlgorithms([32, 16, 8, 8], [16, 16, 3, 3], { padding: 1 }))
      .toEqual({ forward: 'winograd', inputGradient: 'winograd', filterGradient: 'winograd', threads: 1 });
    expect(conv2dAlgorithms([32, 16, 8, 8], [16, 16, 3, 3], { padding: 1, algorithm: 'gemm' }))
      .toEqual({ forward: 'gemm', inputGradient: 'gemm', filterGradient: 'gemm', threads: 1 });
    // 8 channels: below Winograd's 16
    expect(conv2dAlgorithms([32, 8, 8, 8], [8, 8, 3, 3], { padding: 1 }).forward).toBe('gemm');
    expect(conv2dAlgorithms([1, 4, 8, 8], [4, 4, 3, 3], { padding: 1, algorithm: 'winograd' }))
      .toEqual({ forward: 'winograd', inputGradient: 'winograd', filterGradient: 'winograd', threads: 1 });
    expect(conv2dAlgorithms([2, 16, 9, 9], [32, 16, 5, 5]).forward).toBe('gemm');
    expect(conv2dAlgorithms([2, 16, 9, 9], [32, 16, 1, 1])).toEqual({ forward: 'pointwise', inputGradient: 'pointwise', filterGradient: 'pointwise', threads: 1 });
    expect(conv2dAlgorithms([2, 16, 9, 9], [16, 1, 3, 3], { groups: 16, padding: 1 }).forward).toBe('depthwise');
    expect(conv1dAlgorithms([2, 4, 16], [8, 4, 3]).forward).toBe('gemm');
    expect(conv1dAlgorithms([2, 4, 16], [8, 4, 1]).forward).toBe('pointwise');
  });

  it("agree with what conv2d computes: 'auto' equals the algorithm they name, forced, bit for bit", async () => {
    await init({ isa: 'simd', threads: 1 });
    const random = seededRandom(2);
    const cases: Array<[number[], number[], Conv2dOptions]> = [
      [[32, 16, 8, 8], [16, 16, 3, 3], { padding: 1 }],
      [[4, 16, 8, 8], [16, 16, 3, 3], { padding: 1 }],
      [[2, 24, 12, 12], [32, 24, 3, 3], { padding: 1 }],
      [[2, 8, 12, 12], [8, 8, 3, 3], { padding: 1 }],
    ];
    for (const [xShape, wShape, opts] of cases) {
      const x = tensor(randomData(product(xShape), random), xShape), w = tensor(randomData(product(wShape), random), wShape);
      const picks = conv2dAlgorithms(xShape, wShape, opts);
      const forced = (pass: 'forward' | 'filterGradient') => ({ ...opts, algorithm: picks[pass] === 'winograd' ? 'winograd' as const : 'gemm' as const });
      const label = `x ${xShape} w ${wShape}: ${JSON.stringify(picks)}`;
      const y = conv2d(x, w, null, opts);
      expect(bits(y.data), label).toEqual(bits(conv2d(x, w, null, forced('forward')).data));
      const dy = tensor(randomData(y.data.length, random), y.shape);
      expect(bits(conv2dBackward(dy, x, w, opts).dw.data), label).toEqual(bits(conv2dBackward(dy, x, w, forced('filterGradient')).dw.data));
    }
  });

  it('tell the threads a call splits across', async () => {
    await init({ isa: 'simd', threads: 2 });
    expect(conv2dAlgorithms([8, 128, 28, 28], [128, 128, 3, 3], { padding: 1 }).threads).toBe(2);
    expect(conv2dAlgorithms([1, 1, 4, 4], [1, 1, 3, 3]).threads).toBe(1);
  });

  it('give the Errors conv2d gives for shapes and options it refuses', async () => {
    await init({ isa: 'simd', threads: 1 });
    expect(() => conv2dAlgorithms([1, 4, 8], [4, 4, 3, 3])).toThrow(/^conv2dAlgorithms: xShape must have rank 4 \(\[N,C,H,W\]\), got \[1,4,8\]/);
    expect(() => conv2dAlgorithms([1, 4, 8, 8], [4, 4, 5, 5], { algorithm: 'winograd' }))
      .toThrow(/^conv2dAlgorithms: algorithm 'winograd' cannot compute this convolution: the kernel is 5×5, not 3×3/);
    expect(() => conv2dAlgorithms([1, 3, 8, 8], [4, 4, 3, 3])).toThrow(/^conv2dAlgorithms: w has 4 input channels per group but x has 3 channels/);
    expect(() => conv1dAlgorithms([1, 4, 8], [4, 4, 3], { stride: 0 })).toThrow(/^conv1dAlgorithms: stride/);
  });
});
