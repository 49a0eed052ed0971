// nn.fromONNX against onnxruntime-web: ONNX models built in code (seeded random weights) —
// a small ResNet (Conv+BN+ReLU, residual Adds, MaxPool, GlobalAveragePool, Flatten, Gemm), a
// LeNet chain (with Flatten, and with the Shape→Gather→Unsqueeze→Concat→Reshape subgraph older
// PyTorch exports write for view(n, -1)), and a model with the rest of the supported attributes
// — imported and run in eval mode on every ISA and on 2 threads: max |Δ| ≤ 1e-4·max |y|. Also:
// BatchNorm folding (on and off, same outputs), initializers listed as graph inputs, opsets 11,
// 13 and 21, and fine-tuning an imported model with trainStep lowers its loss.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { attr, lenetModel, maxDiff, OnnxBuilder, resnetModel, runOrt, zooModel } from './helpers/onnx-models.js';
import { product, randomData, seededRandom } from './helpers/random.js';

/** The tolerance of the issue: float32 rounding differences between two summation orders. */
const RELATIVE = 1e-4;

interface Case {
  name: string;
  bytes: () => Uint8Array;
  shape: number[];
  /** layers the import must produce (BatchNorm2d count, for the folding cases) */
  batchNorms?: number;
  opts?: nn.FromONNXOptions;
}

const CASES: Case[] = [
  { name: 'ResNet-style, BatchNorm folded', bytes: () => resnetModel(1), shape: [3, 3, 16, 16], batchNorms: 0 },
  { name: 'ResNet-style, foldBatchNorm false', bytes: () => resnetModel(1), shape: [3, 3, 16, 16], batchNorms: 6, opts: { foldBatchNorm: false } },
  { name: 'ResNet-style, opset 21', bytes: () => resnetModel(2, 21), shape: [2, 3, 16, 16], batchNorms: 0 },
  { name: 'LeNet, Flatten', bytes: () => lenetModel(3), shape: [4, 1, 28, 28] },
  { name: 'LeNet, view(n, -1) subgraph, opset 13', bytes: () => lenetModel(4, { view: true }), shape: [4, 1, 28, 28] },
  { name: 'LeNet, view(n, -1) subgraph, opset 11, initializers as inputs', bytes: () => lenetModel(5, { view: true, opset: 11, initializersAsInputs: true }), shape: [2, 1, 28, 28] },
  { name: 'attributes (SAME_UPPER, asymmetric pads, groups, dilation, pools, Concat, Dropout, Identity, Constant, unfoldable BN)', bytes: () => zooModel(6), shape: [3, 4, 12, 10], batchNorms: 2 },
  { name: 'attributes, spatial size left open in the file', bytes: () => zooModel(8, 13, ['N', 4, 'H', 'W']), shape: [2, 4, 12, 10], batchNorms: 2 },
  { name: 'attributes, opset 11', bytes: () => zooModel(7, 11), shape: [2, 4, 12, 10], batchNorms: 2 },
];

/** AveragePool with ceil_mode and pads, where the last window overhangs (ONNX's and PyTorch's rule). */
function ceilPoolModel(H: number, W: number, countIncludePad: number): Uint8Array {
  const b = new OnnxBuilder(1);
  const y = b.node('AveragePool', ['x'], [attr.ints('kernel_shape', [3, 2]), attr.ints('strides', [2, 2]), attr.ints('pads', [1, 1, 1, 1]),
    attr.int('ceil_mode', 1), attr.int('count_include_pad', countIncludePad)], ['y']);
  return b.encode([{ name: 'x', dims: ['N', 2, H, W] }], [y]);
}
for (const [H, W] of [[6, 5], [7, 8], [5, 9]]) {
  for (const cip of [0, 1]) CASES.push({ name: `AveragePool ceil_mode, ${H}×${W}, count_include_pad ${cip}`, bytes: () => ceilPoolModel(H, W, cip), shape: [2, 2, H, W] });
}

/** MaxPool with pads and ceil_mode, where the last window overhangs (PyTorch's rule; padded cells never win). */
function maxPoolModel(H: number, W: number, kernel: [number, number], pads: number[], ceil: number): Uint8Array {
  const b = new OnnxBuilder(1);
  const y = b.node('MaxPool', ['x'], [attr.ints('kernel_shape', kernel), attr.ints('strides', [2, 2]), attr.ints('pads', pads), attr.int('ceil_mode', ceil)], ['y']);
  return b.encode([{ name: 'x', dims: ['N', 3, H, W] }], [y]);
}
for (const [H, W] of [[7, 8], [6, 9]]) {
  for (const ceil of [0, 1]) {
    CASES.push({ name: `MaxPool 3×3/2 pads 1, ceil_mode ${ceil}, ${H}×${W}`, bytes: () => maxPoolModel(H, W, [3, 3], [1, 1, 1, 1], ceil), shape: [2, 3, H, W] });
    CASES.push({ name: `MaxPool 2×3/2 pads [0,1], ceil_mode ${ceil}, ${H}×${W}`, bytes: () => maxPoolModel(H, W, [2, 3], [0, 1, 0, 1], ceil), shape: [2, 3, H, W] });
  }
}

async function compare(c: Case, seed: number) {
  const bytes = c.bytes();
  const x = { data: randomData(product(c.shape), seededRandom(seed)), shape: c.shape };
  const model = nn.fromONNX(bytes, c.opts);
  try {
    if (c.batchNorms !== undefined) expect(model.nodes.filter((n) => n.layer instanceof nn.BatchNorm2d)).toHaveLength(c.batchNorms);
    const ours = model.eval().run({ x });
    const ref = await runOrt(bytes, { x });
    const [name] = Object.keys(ref);
    expect(Object.keys(ours)).toEqual([name]);
    expect(ours[name].data.length).toBe(ref[name].length);
    const { diff, scale } = maxDiff(ours[name].data, ref[name]);
    expect(scale).toBeGreaterThan(0);
    expect(diff, `${c.name}: max |Δ| ${diff} vs max |y| ${scale}`).toBeLessThanOrEqual(RELATIVE * scale);
    return ours[name].data;
  } finally {
    model.dispose();
  }
}

/** One Conv (+ Relu) and one AveragePool node with random attributes, as a fuzz case. */
const convPoolCase = fc.record({
  n: fc.integer({ min: 1, max: 3 }), groups: fc.constantFrom(1, 2, 4), cPer: fc.integer({ min: 1, max: 3 }), oPer: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 5, max: 14 }), w: fc.integer({ min: 5, max: 14 }), kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
  sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }), dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }),
  pads: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }), autoPad: fc.constantFrom('NOTSET', 'NOTSET', 'VALID', 'SAME_UPPER'),
  bias: fc.boolean(), pk: fc.integer({ min: 1, max: 3 }), ps: fc.integer({ min: 1, max: 2 }), ceil: fc.constantFrom(0, 1), cip: fc.constantFrom(0, 1),
  seed: fc.integer({ min: 0, max: 1e6 }),
})
  .filter((c) => c.h + 2 >= c.dh * (c.kh - 1) + 1 + c.pk && c.w + 2 >= c.dw * (c.kw - 1) + 1 + c.pk)
  // onnxruntime refuses dilation with SAME_UPPER ("Dilation not supported"): no reference there
  .map((c) => (c.autoPad === 'SAME_UPPER' ? { ...c, dh: 1, dw: 1 } : c));

type ConvPoolCase = typeof convPoolCase extends fc.Arbitrary<infer T> ? T : never;

function convPoolModel(c: ConvPoolCase): { bytes: Uint8Array; shape: number[] } {
  const b = new OnnxBuilder(c.seed);
  const C = c.cPer * c.groups, O = c.oPer * c.groups;
  const pads = c.autoPad === 'NOTSET' ? [attr.ints('pads', c.pads)] : [attr.string('auto_pad', c.autoPad)];
  const inputs = ['x', b.weight('w', [O, c.cPer, c.kh, c.kw]), ...(c.bias ? [b.weight('b', [O])] : [])];
  const conv = b.node('Conv', inputs, [attr.ints('strides', [c.sh, c.sw]), attr.ints('dilations', [c.dh, c.dw]), attr.int('group', c.groups), ...pads]);
  const p = Math.floor(c.pk / 2);
  const y = b.node('AveragePool', [b.node('Relu', [conv])], [attr.ints('kernel_shape', [c.pk, c.pk]), attr.ints('strides', [c.ps, c.ps]),
    attr.ints('pads', [p, p, p, p]), attr.int('ceil_mode', c.ceil), attr.int('count_include_pad', c.cip)], ['y']);
  return { bytes: b.encode([{ name: 'x', dims: ['N', C, c.h, c.w] }], [y]), shape: [c.n, C, c.h, c.w] };
}

describe.each(TEST_ISAS)('nn.fromONNX matches onnxruntime-web, isa %s', (isa) => {
  it('fuzz: 40 random Conv (pads, auto_pad, strides, dilations, groups, bias) + AveragePool (pads, ceil_mode, count_include_pad) models', async () => {
    await init({ isa });
    await fc.assert(fc.asyncProperty(convPoolCase, async (c) => {
      const { bytes, shape } = convPoolModel(c);
      const x = { data: randomData(product(shape), seededRandom(c.seed + 1)), shape };
      const ref = await runOrt(bytes, { x });
      const model = nn.fromONNX(bytes);
      try {
        const ours = model.eval().run({ x }).y.data;
        const { diff, scale } = maxDiff(ours, ref.y);
        expect(diff).toBeLessThanOrEqual(RELATIVE * Math.max(scale, 1e-6));
      } finally {
        model.dispose();
      }
    }), { numRuns: 40, seed: 16 });
  });

  for (const threads of [1, 2]) {
    it.each(CASES.map((c) => [c.name, c] as const))(`${threads} thread(s): %s`, async (_, c) => {
      await init({ isa, threads });
      await compare(c, 11);
    });
  }

  it('folding BatchNorm into the Conv gives the unfolded model\'s outputs within rounding', async () => {
    await init({ isa });
    const x = { data: randomData(2 * 3 * 16 * 16, seededRandom(12)), shape: [2, 3, 16, 16] };
    const folded = nn.fromONNX(resnetModel(9)), plain = nn.fromONNX(resnetModel(9), { foldBatchNorm: false });
    try {
      const a = folded.eval().forward(x).data, b = plain.eval().forward(x).data;
      const { diff, scale } = maxDiff(a, b);
      expect(diff).toBeLessThanOrEqual(RELATIVE * scale);
      expect(folded.parameters().length).toBeLessThan(plain.parameters().length);
    } finally {
      folded.dispose();
      plain.dispose();
    }
  });

  it('an imported model fine-tunes: trainStep (BatchNorm in train mode) lowers its loss', async () => {
    await init({ isa });
    const model = nn.fromONNX(resnetModel(10), { foldBatchNorm: false });
    try {
      const random = seededRandom(13);
      const N = 16, x = { data: randomData(N * 3 * 16 * 16, random), shape: [N, 3, 16, 16] };
      const labels = Array.from({ length: N }, (_, i) => i % 10);
      const before = model.evaluate(x, labels).loss;
      const bn = model.nodes.find((n) => n.layer instanceof nn.BatchNorm2d)!.layer as nn.BatchNorm2d;
      const meanBefore = bn.runningMean.read().slice();
      const opt = new nn.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      model.train();
      const first = model.trainStep(x, labels, opt).loss;
      let last = first;
      for (let step = 0; step < 20; step++) last = model.trainStep(x, labels, opt).loss;
      expect(last).toBeLessThan(first / 2);
      expect(model.evaluate(x, labels).loss).toBeLessThan(before);
      // BatchNorm trained as a BatchNorm2d (its running statistics moved), not frozen
      expect(Array.from(bn.runningMean.read())).not.toEqual(Array.from(meanBefore));
    } finally {
      model.dispose();
    }
  });
});
