// ONNX ConvTranspose: random models (pads, strides, dilations, groups, output_padding, bias,
// auto_pad VALID) imported and run against onnxruntime-web on every ISA and on 2 threads
// (max |Δ| ≤ 1e-4·max |y|); nn.ConvTranspose2d exported and re-imported bit for bit, and the
// export run by onnxruntime-web; the attributes it refuses give Errors naming node and opset.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { attr, maxDiff, OnnxBuilder, runOrt } from './helpers/onnx-models.js';
import { product, randomData, seededRandom } from './helpers/random.js';

const RELATIVE = 1e-4;

const caseArb = fc.record({
  n: fc.integer({ min: 1, max: 2 }), groups: fc.constantFrom(1, 2), cPer: fc.integer({ min: 1, max: 3 }), mPer: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 2, max: 7 }), w: fc.integer({ min: 2, max: 7 }), kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
  sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }), dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }),
  pads: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 4, maxLength: 4 }), extra: fc.tuple(fc.nat(2), fc.nat(2)),
  valid: fc.boolean(), bias: fc.boolean(), relu: fc.boolean(), seed: fc.integer({ min: 0, max: 1e6 }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function model(c: Case): { bytes: Uint8Array; shape: number[] } {
  const b = new OnnxBuilder(c.seed);
  const C = c.cPer * c.groups;
  const inputs = ['x', b.weight('w', [C, c.mPer, c.kh, c.kw]), ...(c.bias ? [b.weight('b', [c.mPer * c.groups])] : [])];
  const attrs = [attr.ints('strides', [c.sh, c.sw]), attr.ints('dilations', [c.dh, c.dw]), attr.int('group', c.groups),
    attr.ints('output_padding', [c.extra[0] % c.sh, c.extra[1] % c.sw]),
    c.valid ? attr.string('auto_pad', 'VALID') : attr.ints('pads', c.pads)];
  let y = b.node('ConvTranspose', inputs, attrs, c.relu ? undefined : ['y']);
  if (c.relu) y = b.node('Relu', [y], [], ['y']);
  return { bytes: b.encode([{ name: 'x', dims: ['N', C, c.h, c.w] }], [y]), shape: [c.n, C, c.h, c.w] };
}

describe.each(TEST_ISAS)('ONNX ConvTranspose, isa %s', (isa) => {
  for (const threads of [1, 2]) {
    it(`${threads} thread(s): 30 random ConvTranspose models match onnxruntime-web`, async () => {
      await init({ isa, threads });
      await fc.assert(fc.asyncProperty(caseArb, async (c) => {
        const { bytes, shape } = model(c);
        const x = { data: randomData(product(shape), seededRandom(c.seed + 1)), shape };
        const ref = await runOrt(bytes, { x });
        const m = nn.fromONNX(bytes);
        try {
          expect(m.nodes.some((n) => n.layer instanceof nn.ConvTranspose2d)).toBe(true);
          const ours = m.eval().run({ x }).y.data;
          const { diff, scale } = maxDiff(ours, ref.y);
          expect(diff, JSON.stringify(c)).toBeLessThanOrEqual(RELATIVE * Math.max(scale, 1e-6));
        } finally {
          m.dispose();
        }
      }), { numRuns: 30, seed: 21 });
      await init({ isa, threads: 1 });
    });
  }

  it('toONNX of a ConvTranspose2d graph: re-import is bit-identical and onnxruntime-web reproduces it', async () => {
    await init({ isa });
    const g = new nn.GraphBuilder();
    const x = g.input('x', [3, 5, 6]);
    const up = g.apply(new nn.ConvTranspose2d(3, 4, [3, 2], { stride: [2, 3], padding: [1, 0, 0, 1], outputPadding: [1, 2], dilation: [1, 2], seed: 4 }), x, 'up');
    const model = g.build({ outputs: g.apply(new nn.ConvTranspose2d(4, 2, 2, { groups: 2, bias: false, seed: 5 }), g.apply(new nn.ReLU(), up), 'up2') });
    const xs = { data: randomData(2 * 3 * 5 * 6, seededRandom(2)), shape: [2, 3, 5, 6] };
    const bytes = nn.toONNX(model);
    const back = nn.fromONNX(bytes);
    try {
      const ours = model.forward(xs).data;
      expect(back.forward(xs).data).toEqual(ours);
      const ref = await runOrt(bytes, { x: xs });
      const { diff, scale } = maxDiff(ours, Object.values(ref)[0]);
      expect(diff).toBeLessThanOrEqual(RELATIVE * scale);
    } finally {
      model.dispose();
      back.dispose();
    }
  });
});

describe('ONNX ConvTranspose: refused attributes', () => {
  const refused = (extra: Parameters<typeof attr.ints>[] | Array<ReturnType<typeof attr.string>>, xDims: number[] = [1, 2, 4, 4]) => {
    const b = new OnnxBuilder(1);
    const y = b.node('ConvTranspose', ['x', b.weight('w', [2, 3, 3, 3])], extra as never, ['y']);
    return b.encode([{ name: 'x', dims: xDims }], [y]);
  };
  it.each([
    ['output_shape', [attr.ints('output_shape', [8, 8])], /node 'convtranspose_1' \(ConvTranspose, opset 13\): output_shape is not supported/],
    ['auto_pad SAME_UPPER', [attr.string('auto_pad', 'SAME_UPPER')], /auto_pad 'SAME_UPPER' is not supported \(NOTSET and VALID are\)/],
    ['output_padding ≥ stride', [attr.ints('strides', [2, 2]), attr.ints('output_padding', [2, 0])], /output_padding \[2,0\] must be below the strides \[2,2\]/],
    ['pads that empty the output', [attr.ints('pads', [3, 0, 3, 0])], /pads \[3,0,3,0\] leave an empty output/],
    ['an unknown attribute', [attr.int('foo', 1)], /foo/],
  ])('%s', async (_, attrs, message) => {
    await init({ isa: 'scalar' });
    expect(() => nn.fromONNX(refused(attrs as never))).toThrow(message);
  });
  it('x channels that do not match W', async () => {
    await init({ isa: 'scalar' });
    expect(() => nn.fromONNX(refused([], [1, 3, 4, 4]))).toThrow(/x has 3 channels but W \[2,3,3,3\] takes 2/);
  });
});
