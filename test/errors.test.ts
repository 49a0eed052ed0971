// Every bad-input rule of API.md: an Error whose message names the argument (and the shapes
// where shapes are involved), inputs untouched, and a correct call right after still works.
import { beforeAll, describe, expect, it } from 'vitest';
import { conv1d, conv1dBackward, conv1dBackwardFilter, conv2d, conv2dBackward, conv2dBackwardInput, init, tensor, type Tensor } from '../src/index.js';
import { conv2dRef } from '../src/reference/index.js';

const x4 = tensor(Array.from({ length: 2 * 4 * 5 * 5 }, (_, i) => Math.sin(i)), [2, 4, 5, 5]);
const w4 = tensor(Array.from({ length: 6 * 4 * 3 * 3 }, (_, i) => Math.cos(i)), [6, 4, 3, 3]);
const x3 = tensor(Array.from({ length: 2 * 4 * 9 }, (_, i) => Math.sin(i)), [2, 4, 9]);
const w3 = tensor(Array.from({ length: 6 * 4 * 3 }, (_, i) => Math.cos(i)), [6, 4, 3]);
const dy4 = tensor(new Float32Array(2 * 6 * 3 * 3).fill(0.5), [2, 6, 3, 3]);
const dy3 = tensor(new Float32Array(2 * 6 * 7).fill(0.5), [2, 6, 7]);
const raw = (data: ArrayLike<number>, shape: number[]) => ({ data, shape }) as unknown as Tensor;

/** [what is wrong, the call, patterns the message must contain] */
const badCalls: Array<[string, () => unknown, RegExp[]]> = [
  ['channel mismatch', () => conv2d(x4, tensor(new Float32Array(6 * 3 * 9), [6, 3, 3, 3])), [/^conv2d: /, /w has 3 input channels per group but x has 4 channels/, /x \[2,4,5,5\]/, /w \[6,3,3,3\]/]],
  ['channel mismatch with groups', () => conv2d(x4, w4, null, { groups: 2 }), [/conv2d: w has 4 input channels per group but x has 4 channels with groups=2/, /w\.shape\[1\]·groups/]],
  ['x of the wrong rank', () => conv2d(tensor(new Float32Array(20), [4, 5]), w4), [/conv2d: x must have rank 4/, /\[4,5\]/]],
  ['w of the wrong rank', () => conv1d(x3, w4), [/conv1d: w must have rank 3/, /\[6,4,3,3\]/]],
  ['data length ≠ product(shape)', () => conv2d(raw(new Float32Array(99), [2, 4, 5, 5]), w4), [/conv2d: x\.data has 99 elements/, /\[2,4,5,5\] needs 200/]],
  ['Float64Array data', () => conv2d(raw(new Float64Array(200), [2, 4, 5, 5]), w4), [/conv2d: x\.data must be a Float32Array/, /Float64Array/]],
  ['plain Array data', () => conv2d(x4, raw(new Array(216).fill(0), [6, 4, 3, 3])), [/conv2d: w\.data must be a Float32Array/, /Array/]],
  ['not a tensor', () => conv2d(null as unknown as Tensor, w4), [/conv2d: x must be a Tensor/, /null/]],
  ['a zero dimension', () => conv2d(raw(new Float32Array(0), [0, 4, 5, 5]), w4), [/conv2d: x\.shape \[0,4,5,5\]/, /positive integer/]],
  ['non-integer stride', () => conv2d(x4, w4, null, { stride: 1.5 }), [/conv2d: stride must be a positive integer/, /1\.5/]],
  ['zero stride in a pair', () => conv2d(x4, w4, null, { stride: [1, 0] }), [/conv2d: stride\[1\] must be a positive integer/]],
  ['stride pair of length 3', () => conv2d(x4, w4, null, { stride: [1, 1, 1] as unknown as [number, number] }), [/conv2d: stride must be a number or 2 numbers/]],
  ['negative dilation', () => conv2d(x4, w4, null, { dilation: -1 }), [/conv2d: dilation must be a positive integer/, /-1/]],
  ['zero groups', () => conv2d(x4, w4, null, { groups: 0 }), [/conv2d: groups must be a positive integer/]],
  ['non-integer groups', () => conv1d(x3, w3, null, { groups: 2.5 }), [/conv1d: groups must be a positive integer/]],
  ['C not divisible by groups', () => conv2d(x4, w4, null, { groups: 3 }), [/conv2d: x has 4 channels, not divisible by groups=3/, /x \[2,4,5,5\]/]],
  ['O not divisible by groups', () => conv2d(x4, tensor(new Float32Array(6 * 1 * 9), [6, 1, 3, 3]), null, { groups: 4 }), [/conv2d: w has 6 output channels, not divisible by groups=4/, /w \[6,1,3,3\]/]],
  ['kernel larger than padded input', () => conv2d(x4, tensor(new Float32Array(6 * 4 * 7 * 7), [6, 4, 7, 7])), [/conv2d: w's kernel height 7 is larger than x's padded height 5/, /x \[2,4,5,5\]/, /w \[6,4,7,7\]/]],
  ['dilated kernel larger than padded input', () => conv1d(x3, w3, null, { dilation: 5 }), [/conv1d: w's kernel length 3 \(dilated to 11\) is larger than x's padded length 9/]],
  ['negative padding', () => conv2d(x4, w4, null, { padding: -1 }), [/conv2d: padding must be a non-negative integer/, /-1/]],
  ['non-integer padding', () => conv2d(x4, w4, null, { padding: [1, 0.5] }), [/conv2d: padding\[1\] must be a non-negative integer/]],
  ['unknown padding string', () => conv2d(x4, w4, null, { padding: 'full' as 'same' }), [/conv2d: padding must be/, /"full"/]],
  ['padding tuple of length 3', () => conv2d(x4, w4, null, { padding: [1, 1, 1] as unknown as [number, number] }), [/conv2d: padding must have 2 .* or 4 .* entries, got 3/]],
  ['1-D padding tuple of length 4', () => conv1d(x3, w3, null, { padding: [1, 1, 1, 1] as unknown as [number, number] }), [/conv1d: padding must have 2 entries/]],
  ['unknown option', () => conv2d(x4, w4, null, { strides: 2 } as never), [/conv2d: unknown option 'strides'/]],
  ['bias of the wrong length', () => conv2d(x4, w4, tensor([1, 2, 3], [3])), [/conv2d: bias has shape \[3\]/, /w \[6,4,3,3\]/, /\[6\]/]],
  ['dy of the wrong shape', () => conv2dBackward(tensor(new Float32Array(2 * 6 * 5 * 5), [2, 6, 5, 5]), x4, w4), [/conv2dBackward: dy has shape \[2,6,5,5\]/, /gives \[2,6,3,3\]/]],
  ['1-D dy of the wrong shape', () => conv1dBackward(dy4, x3, w3), [/conv1dBackward: dy must have rank 3/]],
  ['xShape not an array', () => conv2dBackwardInput(dy4, w4, 'big' as unknown as number[]), [/conv2dBackwardInput: xShape must be an array of positive integers/, /"big"/]],
  ['xShape of the wrong rank', () => conv2dBackwardInput(dy4, w4, [2, 4, 5]), [/conv2dBackwardInput: xShape must have rank 4/, /\[2,4,5\]/]],
  ['xShape that does not give dy', () => conv2dBackwardInput(dy4, w4, [2, 4, 6, 6]), [/conv2dBackwardInput: dy has shape \[2,6,3,3\]/, /x \[2,4,6,6\]/, /gives \[2,6,4,4\]/]],
  ['wShape with a zero', () => conv1dBackwardFilter(dy3, x3, [6, 0, 3]), [/conv1dBackwardFilter: wShape \[6,0,3\] has a dimension 0/]],
  ['wShape channel mismatch', () => conv1dBackwardFilter(dy3, x3, [6, 2, 3]), [/conv1dBackwardFilter: w has 2 input channels per group but x has 4/, /w \[6,2,3\]/]],
  ['bad option in backward', () => conv1dBackward(dy3, x3, w3, { stride: 0 }), [/conv1dBackward: stride must be a positive integer/]],
];

describe('bad input', () => {
  beforeAll(async () => {
    await init({ isa: 'simd' });
  });
  const snapshot = () => [x4, w4, x3, w3, dy4, dy3].map((t) => t.data.slice());
  const before = snapshot();
  const expectedY = conv2dRef(x4, w4, null).data;

  for (const [what, call, patterns] of badCalls) {
    it(`${what}: a clear Error, and the library still works`, () => {
      let message = '';
      try {
        call();
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        message = (e as Error).message;
      }
      expect(message, `no Error thrown for ${what}`).not.toBe('');
      for (const pattern of patterns) expect(message).toMatch(pattern);
      // the next correct call still gives the right answer
      const y = conv2d(x4, w4);
      y.data.forEach((v, i) => expect(Math.abs(v - expectedY[i])).toBeLessThan(1e-4));
      snapshot().forEach((data, i) => expect(data).toEqual(before[i]));
    });
  }

  it('results are copies: later calls leave them unchanged', () => {
    const y1 = conv2d(x4, w4);
    const kept = y1.data.slice();
    conv2d(x4, tensor(new Float32Array(216).fill(3), [6, 4, 3, 3]));
    conv2dBackward(dy4, x4, w4);
    expect(y1.data).toEqual(kept);
    expect(y1.data.buffer.byteLength).toBe(y1.data.byteLength);
  });

  it('tensor() rejects a shape that does not match its data', () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/tensor: data has 3 elements but shape \[2,2\] needs 4/);
    expect(() => tensor([1, 2], [2, -1])).toThrow(/tensor: shape \[2,-1\] has a dimension -1/);
  });
});
