// Table-driven cases (test/helpers/cases.ts: shapes peers got wrong, GEMM and depthwise kernel
// edges, large shapes) on every ISA: each checks forward and all gradients against the reference,
// and the output shape against the hand-computed one; and each runs the strategy it should.
import { beforeAll, describe, expect, it } from 'vitest';
import { conv1d, conv2d, init, tensor, type Conv1dOptions, type Conv2dOptions } from '../src/index.js';
import { TABLE_CASES as cases } from './helpers/cases.js';
import { checkConvCase, type ConvCase } from './helpers/check-conv.js';
import { TEST_ISAS } from './helpers/isas.js';
import { convGeometry } from '../src/ops/geometry.js';
import { parseConv1dOptions, parseConv2dOptions } from '../src/ops/options.js';
import { convPasses } from '../src/ops/passes/index.js';
import { useSubconvInputGradient } from '../src/ops/passes/subconv-dx.js';

function geometryOf(c: ConvCase) {
  const params = c.xShape.length === 4 ? parseConv2dOptions('test', c.opts as Conv2dOptions) : parseConv1dOptions('test', c.opts as Conv1dOptions);
  return convGeometry('test', c.xShape, c.wShape, params);
}

/** The strategy a case's convolution runs, as convPasses picks it. */
const strategyOf = (c: ConvCase): string => convPasses(geometryOf(c)).strategy;

describe('strategy choice', () => {
  it('every depthwise case (groups = C > 1) runs the depthwise kernels, the rest do not', () => {
    for (const c of cases) {
      const groups = c.opts.groups ?? 1;
      const depthwise = groups > 1 && c.xShape[1] === groups;
      expect([c.name, strategyOf(c)]).toEqual([c.name, depthwise ? 'depthwise' : expect.not.stringMatching('depthwise')]);
    }
  });
  it('the stride-phase cases take dX by stride phase', () => {
    const phaseCases = cases.filter((c) => c.name.startsWith('stride-phase') || c.name.startsWith('S7'));
    expect(phaseCases.length).toBe(4);
    for (const c of phaseCases) expect([c.name, useSubconvInputGradient(geometryOf(c))]).toEqual([c.name, true]);
  });
});

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
