// nn.toONNX: a Graph using every exportable layer (Conv2d with each padding form, strides,
// dilation, groups; BatchNorm2d with trained running statistics; ReLU, MaxPool2d and AvgPool2d with
// padding, ceilMode and both divisors; GlobalAvgPool2d, Flatten, Add, Concat, Dropout, Linear with
// and without bias), resnet20 and a Sequential (lenet): onnxruntime-web reproduces our eval outputs
// (max |Δ| ≤ 1e-4·max |y|), and fromONNX(toONNX(m)) (BatchNorm unfolded) gives them bit for bit.
import { describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { maxDiff, runOrt } from './helpers/onnx-models.js';
import { product, randomData, seededRandom } from './helpers/random.js';

const RELATIVE = 1e-4;

function everyLayer(): nn.Graph {
  const g = new nn.GraphBuilder();
  const x = g.input('image', [3, 13, 12]);
  const a = g.apply(new nn.ReLU(), g.apply(new nn.BatchNorm2d(8), g.apply(new nn.Conv2d(3, 8, 3, { padding: 'same', bias: false }), x, 'stem'), 'stem.bn'), 'stem.relu');
  const b = g.apply(new nn.Conv2d(8, 8, 3, { padding: [0, 2, 1, 1], groups: 4 }), a, 'grouped');    // asymmetric [top, bottom, left, right]
  const c = g.apply(new nn.Conv2d(8, 8, 3, { padding: [2, 1], dilation: [2, 1], groups: 8 }), a, 'depthwise');
  const d = g.apply(new nn.BatchNorm2d(16, { eps: 1e-3, momentum: 0.3 }), g.concat([b, c], 'cat'), 'cat.bn');
  const e = g.add(g.apply(new nn.AvgPool2d(3, { stride: 1, padding: 1, countIncludePad: false }), d, 'avg.exclude'),
    g.apply(new nn.AvgPool2d(3, { stride: 1, padding: 1 }), d, 'avg.include'), 'avg.sum');
  const f = g.apply(new nn.Conv2d(16, 12, [3, 2], { stride: 2, padding: 'valid' }), g.apply(new nn.Dropout(0.25), e, 'drop'), 'strided');
  const p = g.apply(new nn.MaxPool2d(2), f, 'maxpool');                                                 // [N, 12, 3, 2]
  const q = g.apply(new nn.AvgPool2d(2, { ceilMode: true }), f, 'avg.ceil');                            // [N, 12, 3, 3]
  const head = g.apply(new nn.Linear(12 * 9, 10, { bias: false }), g.apply(new nn.Flatten(), q, 'flat.q'), 'head.q');
  const pp = g.apply(new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }), f, 'maxpool.pad');  // [N, 12, 4, 4]
  const gap = g.add(g.apply(new nn.Flatten(), g.apply(new nn.GlobalAvgPool2d(), p, 'gap'), 'flat.p'),
    g.apply(new nn.Flatten(), g.apply(new nn.GlobalAvgPool2d(), pp, 'gap.pad'), 'flat.pad'), 'gap.sum');
  const logits = g.add(head, g.apply(new nn.Linear(12, 10), gap, 'head.p'), 'logits.sum');
  return g.build({ outputs: { logits }, seed: 3 });
}

/** A few training steps, so BatchNorm's running statistics are not the defaults. */
function trainABit(model: nn.Graph | nn.Sequential, shape: number[], classes: number): void {
  const random = seededRandom(21);
  const x = { data: randomData(product(shape), random), shape };
  const labels = Array.from({ length: shape[0] }, (_, i) => i % classes);
  const opt = new nn.SGD(model.parameters(), { lr: 0.02, momentum: 0.9 });
  if (model instanceof nn.Graph) model.train();
  for (let step = 0; step < 3; step++) model.trainStep(x, labels, opt);
}

interface Case {
  name: string;
  make: () => nn.Graph | nn.Sequential;
  shape: number[];
  classes: number;
}

const CASES: Case[] = [
  { name: 'a Graph of every exportable layer', make: everyLayer, shape: [4, 3, 13, 12], classes: 10 },
  { name: 'resnet20', make: () => nn.resnet20({ seed: 4, inChannels: 3 }), shape: [2, 3, 32, 32], classes: 10 },
  { name: 'a Sequential (lenet)', make: () => nn.lenet({ seed: 5 }), shape: [3, 1, 28, 28], classes: 10 },
];

describe.each(TEST_ISAS)('nn.toONNX, isa %s', (isa) => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: onnxruntime-web reproduces our outputs; the round trip gives them bit for bit', async (_, c) => {
    await init({ isa });
    const model = c.make();
    let again: nn.Graph | null = null;
    try {
      trainABit(model, c.shape, c.classes);
      if (model instanceof nn.Graph) model.eval();
      const x = { data: randomData(product(c.shape), seededRandom(22)), shape: c.shape };
      const ours = model.forward(x).data;
      const bytes = nn.toONNX(model);

      const ref = await runOrt(bytes, { [model instanceof nn.Graph ? model.inputs[0].name : 'x']: x });
      const [name] = Object.keys(ref);
      expect(name).toBe(model instanceof nn.Graph ? model.outputs[0].name : 'y');
      const { diff, scale } = maxDiff(ours, ref[name]);
      expect(scale).toBeGreaterThan(0);
      expect(diff, `max |Δ| ${diff} vs max |y| ${scale}`).toBeLessThanOrEqual(RELATIVE * scale);

      again = nn.fromONNX(bytes, { foldBatchNorm: false });
      const back = again.eval().forward(x).data;
      expect(back.length).toBe(ours.length);
      expect(back.every((v, i) => Object.is(v, ours[i]))).toBe(true);
      expect(again.parameters().map((p) => p.size)).toEqual(model.parameters().map((p) => p.size));
    } finally {
      model.dispose();
      again?.dispose();
    }
  });
});
