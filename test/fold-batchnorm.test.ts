// nn.foldBatchNorm: BatchNorm2d (eval mode) folded into the Conv2d before it gives the unfolded
// graph's eval outputs within float32 rounding, with no BatchNorm node left where each reads a
// conv only it reads; BatchNorms that cannot fold stay; the graph given is not changed.
import { afterEach, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { randomizeBatchNorms } from './helpers/graphs.js';
import { TEST_ISAS } from './helpers/isas.js';
import { randomData, seededRandom } from './helpers/random.js';

const relativeDiff = (a: Float32Array, b: Float32Array) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]))) / Math.max(...Array.from(b, Math.abs));

describe.each(TEST_ISAS)('nn.foldBatchNorm, isa %s', (isa) => {
  const owned: Array<{ dispose(): void }> = [];
  afterEach(() => {
    for (const o of owned.splice(0)) o.dispose();
  });

  it('ResNet-20: every BatchNorm folds, eval outputs agree within rounding, the original is unchanged', async () => {
    await init({ isa });
    const model = nn.resnet20({ seed: 5 });
    owned.push(model);
    randomizeBatchNorms(model, 6);
    model.eval();
    const x = { data: randomData(4 * 784, seededRandom(7)), shape: [4, 1, 28, 28] };
    const before = model.forward(x).data;
    const batchNorms = model.nodes.filter((n) => n.layer instanceof nn.BatchNorm2d).length;
    expect(batchNorms).toBe(21);
    const fast = nn.foldBatchNorm(model);
    owned.push(fast);
    expect(fast.training).toBe(false);
    expect(fast.nodes).toHaveLength(model.nodes.length - batchNorms);
    expect(fast.nodes.some((n) => n.layer instanceof nn.BatchNorm2d)).toBe(false);
    expect(relativeDiff(fast.forward(x).data, before)).toBeLessThan(2e-5);
    // the original: same nodes, same outputs, bit for bit
    expect(model.nodes.filter((n) => n.layer instanceof nn.BatchNorm2d)).toHaveLength(batchNorms);
    expect(model.forward(x).data).toEqual(before);
    // the folded graph is a graph like any other: it saves and reloads
    const again = nn.Graph.fromWeights(fast.saveWeights());
    owned.push(again);
    expect(again.eval().forward(x).data).toEqual(fast.forward(x).data);
  });

  it('leaves a BatchNorm whose conv output is read elsewhere, or that follows no conv', async () => {
    await init({ isa });
    const g = new nn.GraphBuilder();
    const x = g.input('x', [3, 6, 6]);
    const pre = g.apply(new nn.BatchNorm2d(3), x, 'pre'); // pre-activation: nothing to fold into
    const conv = g.apply(new nn.Conv2d(3, 4, 3, { padding: 1, seed: 1 }), pre, 'conv');
    const bn = g.apply(new nn.BatchNorm2d(4), conv, 'bn');
    const side = g.apply(new nn.ReLU(), conv, 'side'); // conv is read twice
    const conv2 = g.apply(new nn.Conv2d(4, 4, 1, { bias: false, seed: 2 }), g.add(bn, side, 'sum'), 'conv2');
    const model = g.build({ outputs: g.apply(new nn.BatchNorm2d(4), conv2, 'bn2') });
    owned.push(model);
    randomizeBatchNorms(model, 9);
    model.eval();
    const xs = { data: randomData(2 * 3 * 36, seededRandom(3)), shape: [2, 3, 6, 6] };
    const fast = nn.foldBatchNorm(model);
    owned.push(fast);
    expect(fast.nodes.map((n) => n.name)).toEqual(model.nodes.map((n) => n.name).filter((n) => n !== 'bn2'));
    expect(fast.nodes.find((n) => n.name === 'conv2')!.layer.parameters().map((p) => p.name)).toEqual(['conv2.weight', 'conv2.bias']);
    expect(relativeDiff(fast.forward(xs).data, model.forward(xs).data)).toBeLessThan(2e-5);
    expect(() => nn.foldBatchNorm({} as nn.Graph)).toThrow(/^nn\.foldBatchNorm: expects an nn\.Graph/);
  });
});
