// nn.mobilenetV2Small on every ISA: its structure and parameter count (computed here from the
// architecture as docs/graph.md describes it), both input sizes and the width multiplier, a few
// training steps on a seeded two-class task lowering the loss, weights files, and the ONNX export
// (onnxruntime-web reproduces it; the round trip is bit-identical).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { maxDiff, runOrt } from './helpers/onnx-models.js';
import { product, randomData, seededRandom } from './helpers/random.js';
import { bands } from './helpers/synthetic.js';

/** stem 32, stages (t, c, n, s), head 256, as the docs list them */
const STAGES = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 2, 2], [6, 64, 2, 2], [6, 96, 1, 1]];

/** Parameters: bias-free convs, BN γ and β, Linear(head, k); channels for width 1. */
function parameters(inC: number, k: number): number {
  const conv = (i: number, o: number, kernel: number, groups = 1) => (i / groups) * o * kernel * kernel;
  const bn = (c: number) => 2 * c;
  let total = conv(inC, 32, 3) + bn(32);
  let c = 32;
  for (const [t, out, n] of STAGES) {
    for (let i = 0; i < n; i++) {
      const hidden = c * t;
      if (t !== 1) total += conv(c, hidden, 1) + bn(hidden);
      total += conv(hidden, hidden, 3, hidden) + bn(hidden) + conv(hidden, out, 1) + bn(out);
      c = out;
    }
  }
  return total + conv(c, 256, 1) + bn(256) + 256 * k + k;
}

describe.each(TEST_ISAS)('nn.mobilenetV2Small, isa %s', (isa) => {
  const owned: Array<{ dispose(): void }> = [];
  beforeAll(async () => {
    await init({ isa });
  });
  afterEach(() => {
    for (const o of owned.splice(0)) o.dispose();
  });

  it('has the inverted-residual structure and parameter count, for 1×28×28 and 3×32×32, and scales with width', () => {
    const m1 = nn.mobilenetV2Small(), m3 = nn.mobilenetV2Small({ inChannels: 3, classes: 7 }), half = nn.mobilenetV2Small({ width: 0.5 });
    owned.push(m1, m3, half);
    const count = (m: nn.Graph) => m.parameters().reduce((s, p) => s + p.size, 0);
    expect(count(m1)).toBe(parameters(1, 10));
    expect(count(m1)).toBe(209674);
    expect(count(m3)).toBe(parameters(3, 7));
    const specs = m1.nodes.map((n) => n.layer.spec());
    const convs = specs.filter((s): s is Extract<nn.LayerSpec, { type: 'Conv2d' }> => s.type === 'Conv2d');
    const depthwise = convs.filter((s) => s.groups > 1);
    expect(depthwise.length).toBe(8);
    expect(depthwise.every((s) => s.groups === s.inChannels && s.inChannels === s.outChannels && s.kernelSize[0] === 3)).toBe(true);
    expect(depthwise.filter((s) => s.stride === 2).map((s) => s.inChannels)).toEqual([96, 144, 192]);
    expect(convs.every((s) => !s.bias)).toBe(true);
    expect(specs.filter((s) => s.type === 'BatchNorm2d').length).toBe(convs.length);
    // ReLU6 after every BN but the projections'
    expect(specs.filter((s) => s.type === 'ReLU6').length).toBe(convs.length - 8);
    // residual adds: the second block of stages 2, 3 and 4 (stride 1, same channels)
    expect(m1.nodes.filter((n) => n.layer instanceof nn.Add).map((n) => [n.name, ...n.inputs])).toEqual([
      ['block3.add', 'block3.project.bn', 'block2.project.bn'],
      ['block5.add', 'block5.project.bn', 'block4.project.bn'],
      ['block7.add', 'block7.project.bn', 'block6.project.bn'],
    ]);
    expect(specs.at(-1)).toEqual({ type: 'Linear', inFeatures: 256, outFeatures: 10, bias: true });
    // width 0.5: channels halved and rounded to multiples of 8 as torchvision does (12 → 16), the head kept at 256
    const halfConvs = half.nodes.map((n) => n.layer.spec()).filter((s): s is Extract<nn.LayerSpec, { type: 'Conv2d' }> => s.type === 'Conv2d');
    expect(halfConvs[0].outChannels).toBe(16);
    expect(halfConvs.filter((s) => s.kernelSize[0] === 1).map((s) => s.outChannels)).toEqual([8, 48, 16, 96, 16, 96, 16, 96, 16, 96, 32, 192, 32, 192, 48, 256]);
    for (const m of [m1, m3, half]) m.eval();
    expect(m1.forward({ data: new Float32Array(2 * 784), shape: [2, 1, 28, 28] }).shape).toEqual([2, 10]);
    expect(m3.forward({ data: new Float32Array(3 * 1024), shape: [1, 3, 32, 32] }).shape).toEqual([1, 7]);
    expect(half.forward({ data: new Float32Array(784), shape: [1, 1, 28, 28] }).shape).toEqual([1, 10]);
    expect(() => nn.mobilenetV2Small({ width: 0 })).toThrow(/^nn\.mobilenetV2Small: width must be a positive number, got 0$/);
    expect(() => nn.mobilenetV2Small({ classes: 1.5 })).toThrow(/^nn\.mobilenetV2Small: classes must be a positive integer, got 1\.5$/);
  }, 60_000);

  it('trains: a few SGD steps on a seeded two-class task lower the loss (28×28 and 32×32), and the seed fixes the weights', () => {
    for (const [inChannels, size] of [[1, 28], [3, 32]]) {
      const model = nn.mobilenetV2Small({ seed: 3, classes: 2, inChannels });
      const same = nn.mobilenetV2Small({ seed: 3, classes: 2, inChannels });
      const opt = new nn.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      owned.push(model, same, opt);
      expect(same.parameters()[0].read()).toEqual(model.parameters()[0].read());
      const { x, labels } = bands(16, 1, size, inChannels);
      const batch = { data: x, shape: [16, inChannels, size, size] };
      const losses: number[] = [];
      for (let step = 0; step < 8; step++) losses.push(model.trainStep(batch, labels, opt).loss);
      expect(losses.every(Number.isFinite), `${isa} losses ${losses}`).toBe(true);
      expect(losses.at(-1)!, `${isa} ${size}×${size} losses ${losses}`).toBeLessThan(0.5 * losses[0]);
    }
  }, 120_000);

  it('weights files and ONNX: fromWeights gives the same outputs; onnxruntime-web reproduces the export; its round trip is bit-identical', async () => {
    const model = nn.mobilenetV2Small({ seed: 4, inChannels: 3 });
    owned.push(model);
    const random = seededRandom(5);
    const shape = [4, 3, 32, 32];
    const x = { data: randomData(product(shape), random), shape };
    // a few steps so the running statistics are not the defaults
    const opt = new nn.SGD(model.parameters(), { lr: 0.02, momentum: 0.9 });
    owned.push(opt);
    for (let step = 0; step < 2; step++) model.trainStep(x, [0, 1, 2, 3], opt);
    model.eval();
    const ours = model.forward(x).data.slice();
    const again = nn.Graph.fromWeights(model.saveWeights());
    owned.push(again);
    expect(again.eval().forward(x).data).toEqual(ours);

    const bytes = nn.toONNX(model);
    const ref = (await runOrt(bytes, { x })).logits;
    const { diff, scale } = maxDiff(ours, ref);
    expect(diff, `max |Δ| ${diff} vs max |y| ${scale}`).toBeLessThanOrEqual(1e-4 * scale);
    const imported = nn.fromONNX(bytes, { foldBatchNorm: false });
    owned.push(imported);
    expect(imported.nodes.filter((n) => n.layer instanceof nn.ReLU6).length).toBe(model.nodes.filter((n) => n.layer instanceof nn.ReLU6).length);
    const back = imported.eval().forward(x).data;
    expect(back.every((v, i) => Object.is(v, ours[i]))).toBe(true);
  }, 120_000);
});
