// Table-driven cases (test/helpers/cases.ts) on every ISA: each checks forward and all gradients
// against the reference, and the output shape against the hand-computed one.
import { beforeAll, describe, expect, it } from 'vitest';
import { conv1d, conv2d, init, tensor, type Conv1dOptions, type Conv2dOptions } from '../src/index.js';
import { TABLE_CASES as cases } from './helpers/cases.js';
import { checkConvCase } from './helpers/check-conv.js';
import { TEST_ISAS } from './helpers/isas.js';

for (const isa of TEST_ISAS) {
  describe(`table cases, isa ${isa}`, () => {
    beforeAll(async () => {
      await init({ isa });
    });
    for (const c of cases) {
      it(c.name, () => {
        const x = tensor(new Float32Array(c.xShape.reduce((a, b) => a * b)), c.xShape);
        const w = tensor(new Float32Array(c.wShape.reduce((a, b) => a * b)), c.wShape);
        const y = c.xShape.length === 4 ? conv2d(x, w, null, c.opts as Conv2dOptions) : conv1d(x, w, null, c.opts as Conv1dOptions);
        expect(y.shape).toEqual(c.outShape);
        checkConvCase(isa, c);
      });
    }
  });
}
