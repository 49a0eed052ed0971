// The founding note's worked example (1-D, stride 1, no padding):
// input [1,2,3], filter [0.3,0.5] → output [1.3,2.1]; output deltas [-0.1,0.2] →
// dW = [0.3,0.4], db = 0.1, dX = [-0.03,0.01,0.1].
import { beforeAll, describe, expect, it } from 'vitest';
import { conv1d, conv1dBackward, conv2d, conv2dBackward, init, tensor } from '../src/index.js';
import { conv1dBackwardRef, conv1dRef } from '../src/reference/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { UNIT_ROUNDOFF } from './helpers/tolerance.js';

const expected = { y: [1.3, 2.1], dw: [0.3, 0.4], db: [0.1], dx: [-0.03, 0.01, 0.1] };
// Σ|term| behind each value, for the float32 bound: y0 = 1·0.3 + 2·0.5, dw0 = 1·0.1 + 2·0.2, …
const magnitude = { y: [1.3, 2.1], dw: [0.5, 0.8], db: [0.3], dx: [0.03, 0.11, 0.1] };

describe('worked example, float64 reference', () => {
  it('holds to float64 precision', () => {
    const x = { data: [1, 2, 3], shape: [1, 1, 3] };
    const w = { data: [0.3, 0.5], shape: [1, 1, 2] };
    const y = conv1dRef(x, w, null);
    const g = conv1dBackwardRef({ data: [-0.1, 0.2], shape: [1, 1, 2] }, x, w);
    const close = (got: ArrayLike<number>, want: number[]) =>
      want.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(1e-15));
    close(y.data, expected.y);
    close(g.dw.data, expected.dw);
    close(g.db.data, expected.db);
    close(g.dx.data, expected.dx);
  });
});

for (const isa of TEST_ISAS) {
  describe(`worked example, isa ${isa}`, () => {
    beforeAll(async () => {
      await init({ isa });
    });

    // float32 cannot hold 0.3 or 0.1 exactly: each value must be the exact one up to float32
    // rounding of the inputs and of each operation (4 roundings of the terms' magnitude).
    const expectFloat32 = (got: Float32Array, key: keyof typeof expected) => {
      expect(got.length).toBe(expected[key].length);
      expected[key].forEach((v, i) => {
        expect(Math.abs(got[i] - v), `${key}[${i}] = ${got[i]}`).toBeLessThanOrEqual(4 * UNIT_ROUNDOFF * magnitude[key][i]);
      });
    };

    it('conv1d and conv1dBackward', () => {
      const x = tensor([1, 2, 3], [1, 1, 3]);
      const w = tensor([0.3, 0.5], [1, 1, 2]);
      const y = conv1d(x, w);
      expect(y.shape).toEqual([1, 1, 2]);
      expectFloat32(y.data, 'y');
      const g = conv1dBackward(tensor([-0.1, 0.2], [1, 1, 2]), x, w);
      expect(g.dx.shape).toEqual([1, 1, 3]);
      expect(g.dw.shape).toEqual([1, 1, 2]);
      expect(g.db.shape).toEqual([1]);
      expectFloat32(g.dw.data, 'dw');
      expectFloat32(g.db.data, 'db');
      expectFloat32(g.dx.data, 'dx');
    });

    it('the same example as a 1×3 image through conv2d', () => {
      const x = tensor([1, 2, 3], [1, 1, 1, 3]);
      const w = tensor([0.3, 0.5], [1, 1, 1, 2]);
      expectFloat32(conv2d(x, w).data, 'y');
      const g = conv2dBackward(tensor([-0.1, 0.2], [1, 1, 1, 2]), x, w);
      expectFloat32(g.dw.data, 'dw');
      expectFloat32(g.db.data, 'db');
      expectFloat32(g.dx.data, 'dx');
    });
  });
}
