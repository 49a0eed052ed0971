// nn.Graph on every ISA: a chain equals the Sequential of the same layers bit for bit; a residual
// block's loss and every gradient match the float64 reference path, itself checked by float64
// finite differences; tensors read by several layers get their gradients summed; run() with
// named inputs and outputs; train/eval modes; weights files (and Sequential's old files); errors.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { loadGraph, loadModel, saveModel } from '../src/node/index.js';
import {
  addRef, batchNorm2dBackwardRef, batchNorm2dRef, conv2dBackwardRef, conv2dRef, globalAvgPool2dBackwardRef, globalAvgPool2dRef,
  linearBackwardRef, linearRef, reluBackwardRef, reluRef, softmaxCrossEntropyRef,
} from '../src/reference/index.js';
import { gradCheck } from './helpers/gradcheck.js';
import { TEST_ISAS } from './helpers/isas.js';
import { product, randomData, seededRandom } from './helpers/random.js';

/** Largest |got − want| relative to the largest |want|. */
function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let e = 0, m = 1e-12;
  for (let i = 0; i < want.length; i++) {
    e = Math.max(e, Math.abs(got[i] - want[i]));
    m = Math.max(m, Math.abs(want[i]));
  }
  return e / m;
}

const CHAIN: nn.LayerSpec[] = [
  { type: 'Conv2d', inChannels: 2, outChannels: 4, kernelSize: [3, 3], stride: 1, padding: 1, dilation: 1, groups: 1, bias: true },
  { type: 'ReLU' },
  { type: 'MaxPool2d', kernelSize: [2, 2], stride: [2, 2] },
  { type: 'Conv2d', inChannels: 4, outChannels: 6, kernelSize: [3, 3], stride: 1, padding: 0, dilation: 1, groups: 1, bias: true },
  { type: 'ReLU' },
  { type: 'Flatten' },
  { type: 'Linear', inFeatures: 24, outFeatures: 5, bias: true },
];

/** The residual block of the tests: conv → BN → ReLU → conv → BN, + x, ReLU, pool, linear. */
function residualBlock(): nn.Graph {
  const g = new nn.GraphBuilder();
  const x = g.input('x', [3, 6, 6]);
  let h = g.apply(new nn.Conv2d(3, 4, 3, { padding: 1 }), x, 'conv1');
  h = g.apply(new nn.BatchNorm2d(4), h, 'bn1');
  h = g.apply(new nn.ReLU(), h, 'relu1');
  h = g.apply(new nn.Conv2d(4, 3, 3, { padding: 1 }), h, 'conv2');
  h = g.apply(new nn.BatchNorm2d(3), h, 'bn2');
  h = g.apply(new nn.ReLU(), g.add(h, x, 'add'), 'relu2');
  h = g.apply(new nn.Flatten(), g.apply(new nn.GlobalAvgPool2d(), h, 'pool'), 'flatten');
  return g.build({ outputs: { logits: g.apply(new nn.Linear(3, 5), h, 'fc') }, seed: 7 });
}

type Params = Record<string, { data: Float64Array; shape: number[] }>;

/** The residual block on the float64 reference path (training mode): loss, dlogits and every gradient. */
function residualReference(x: Float64Array, xShape: number[], p: Params, labels: number[]) {
  const xr = { data: x, shape: xShape };
  const bn = (name: string) => ({ gamma: p[`${name}.weight`].data, beta: p[`${name}.bias`].data });
  const stats = (C: number) => ({ training: true, runningMean: new Float64Array(C), runningVar: new Float64Array(C).fill(1) });
  const a1 = conv2dRef(xr, p['conv1.weight'], p['conv1.bias'].data, { padding: 1 });
  const n1 = batchNorm2dRef(a1, bn('bn1').gamma, bn('bn1').beta, stats(4));
  const r1 = reluRef(n1.y);
  const a2 = conv2dRef(r1, p['conv2.weight'], p['conv2.bias'].data, { padding: 1 });
  const n2 = batchNorm2dRef(a2, bn('bn2').gamma, bn('bn2').beta, stats(3));
  const s = addRef(n2.y, xr);
  const r2 = reluRef(s);
  const pooled = globalAvgPool2dRef(r2);
  const flat = { data: pooled.data, shape: [xShape[0], 3] };
  const z = linearRef(flat, p['fc.weight'].data, p['fc.bias'].data, 5);
  const { loss, dz } = softmaxCrossEntropyRef(z, labels);
  const fc = linearBackwardRef(dz, flat, p['fc.weight'].data, 5);
  const dr2 = globalAvgPool2dBackwardRef(fc.dx.data, r2.shape);
  const ds = reluBackwardRef(dr2.data, r2);
  const g2 = batchNorm2dBackwardRef(ds.data, a2, bn('bn2').gamma, n2, { training: true });
  const c2 = conv2dBackwardRef(g2.dx, r1, p['conv2.weight'], { padding: 1 });
  const dn1 = reluBackwardRef(c2.dx.data, r1);
  const g1 = batchNorm2dBackwardRef(dn1.data, a1, bn('bn1').gamma, n1, { training: true });
  const c1 = conv2dBackwardRef(g1.dx, xr, p['conv1.weight'], { padding: 1 });
  const grads: Record<string, ArrayLike<number>> = {
    'conv1.weight': c1.dw.data, 'conv1.bias': c1.db.data, 'bn1.weight': g1.dgamma, 'bn1.bias': g1.dbeta,
    'conv2.weight': c2.dw.data, 'conv2.bias': c2.db.data, 'bn2.weight': g2.dgamma, 'bn2.bias': g2.dbeta,
    'fc.weight': fc.dw, 'fc.bias': fc.db,
  };
  const dx = Float64Array.from(c1.dx.data, (v, i) => v + ds.data[i]);
  return { loss, logits: z.data, dz, grads, dx };
}

describe.each(TEST_ISAS)('nn.Graph, isa %s', (isa) => {
  const owned: Array<{ dispose(): void }> = [];
  beforeAll(async () => {
    await init({ isa });
  });
  afterEach(() => {
    for (const o of owned.splice(0)) o.dispose();
  });

  it('a chain equals the Sequential of the same layers: outputs, gradients, dx and training steps, bit for bit', () => {
    const seq = nn.Sequential.fromSpec(CHAIN, { seed: 11 });
    const g = new nn.GraphBuilder();
    let h = g.input('x');
    for (const spec of CHAIN) h = g.apply(nn.layerFromSpec(spec), h);
    const graph = g.build({ outputs: h, seed: 11 });
    owned.push(seq, graph);
    expect(graph.parameters().map((p) => p.name)).toEqual(['conv2d1.weight', 'conv2d1.bias', 'conv2d2.weight', 'conv2d2.bias', 'linear1.weight', 'linear1.bias']);
    graph.parameters().forEach((p, i) => expect(p.read()).toEqual(seq.parameters()[i].read()));
    const random = seededRandom(1);
    const x = { data: randomData(3 * 2 * 8 * 8, random), shape: [3, 2, 8, 8] };
    const labels = [4, 0, 2];
    expect(graph.forward(x)).toEqual(seq.forward(x));
    const dy = { data: randomData(15, random), shape: [3, 5] };
    expect(graph.backward(dy, { inputGradient: true })).toEqual(seq.backward(dy, { inputGradient: true }));
    graph.parameters().forEach((p, i) => expect(p.readGrad()).toEqual(seq.parameters()[i].readGrad()));
    const optG = new nn.SGD(graph.parameters(), { lr: 0.1, momentum: 0.9 });
    const optS = new nn.SGD(seq.parameters(), { lr: 0.1, momentum: 0.9 });
    owned.push(optG, optS);
    for (let step = 0; step < 3; step++) expect(graph.trainStep(x, labels, optG)).toEqual(seq.trainStep(x, labels, optS));
    graph.parameters().forEach((p, i) => expect(p.read()).toEqual(seq.parameters()[i].read()));
    expect(graph.evaluate(x, labels)).toEqual(seq.evaluate(x, labels));
  });

  it('a residual block: loss, logits, every gradient and dx match the float64 reference path', () => {
    const model = residualBlock();
    owned.push(model);
    const random = seededRandom(5);
    for (const p of model.parameters()) if (p.name.endsWith('bias')) p.write(randomData(p.size, random).map((v) => v * 0.2));
    for (const p of model.parameters()) if (p.name.startsWith('bn') && p.name.endsWith('weight')) p.write(randomData(p.size, random).map((v) => v + 1.5 * Math.sign(v)));
    const xShape = [2, 3, 6, 6];
    const x = randomData(product(xShape), random);
    const labels = [3, 1];
    const params: Params = Object.fromEntries(model.parameters().map((p) => [p.name, { data: Float64Array.from(p.read()), shape: [...p.shape] }]));
    const result = model.gradients({ data: x, shape: xShape }, labels);
    const ref = residualReference(Float64Array.from(x), xShape, params, labels);
    expect(Math.abs(result.loss - ref.loss) / ref.loss, `loss ${result.loss} vs reference ${ref.loss}`).toBeLessThan(1e-5);
    for (const p of model.parameters()) {
      const got = p.readGrad();
      if (p.name === 'conv1.bias' || p.name === 'conv2.bias') {
        // BatchNorm in training subtracts the batch mean, so a bias before it has gradient 0
        // (the reference's is ~1e-17): ours must be rounding noise next to the weights' gradient
        const weightScale = Math.max(...Array.from(ref.grads[p.name.replace('bias', 'weight')], Math.abs));
        expect(Math.max(...Array.from(got, Math.abs)) / weightScale, `${p.name} gradient`).toBeLessThan(1e-5);
        expect(Math.max(...Array.from(ref.grads[p.name], Math.abs)) / weightScale).toBeLessThan(1e-12);
      } else {
        expect(relError(got, ref.grads[p.name]), `${p.name} gradient`).toBeLessThan(1e-4);
      }
    }
    const logits = model.forward({ data: x, shape: xShape });
    expect(relError(logits.data, ref.logits), 'logits').toBeLessThan(1e-5);
    const dx = model.backward({ data: Float32Array.from(ref.dz), shape: [2, 5] }, { inputGradient: true })!;
    expect(relError(dx.data, ref.dx), 'dx').toBeLessThan(1e-4);
  });

  it('tensors read by several layers get the sum of their gradients (x read three times; a + a)', () => {
    const g = new nn.GraphBuilder();
    const x = g.input('x');
    const c1 = new nn.Conv2d(2, 2, 3, { padding: 1, seed: 1 }), c2 = new nn.Conv2d(2, 2, 1, { seed: 2 });
    const both = g.add(g.apply(c1, x), g.apply(c2, x));
    const h = g.add(both, x);
    const model = g.build({ outputs: g.add(h, h) });
    owned.push(model);
    const random = seededRandom(6);
    const xShape = [2, 2, 4, 5];
    const xs = randomData(product(xShape), random);
    const dy = randomData(xs.length, random);
    model.forward({ data: xs, shape: xShape });
    const dx = model.backward({ data: dy, shape: xShape }, { inputGradient: true })!;
    // y = 2·(c1(x) + c2(x) + x): dx = 2·(c1ᵀdy + c2ᵀdy + dy)
    const xr = { data: xs, shape: xShape }, dyr = { data: dy, shape: xShape };
    const w = (c: nn.Conv2d) => ({ data: c.weight.read(), shape: [...c.weight.shape] });
    const d1 = conv2dBackwardRef(dyr, xr, w(c1), { padding: 1 }).dx.data, d2 = conv2dBackwardRef(dyr, xr, w(c2)).dx.data;
    expect(relError(dx.data, Float64Array.from(dy, (v, i) => 2 * (d1[i] + d2[i] + v)))).toBeLessThan(1e-5);
    // every parameter too, against finite differences (the graph is linear: they are exact up to rounding)
    gradCheck(`${isa} shared tensors`, model, xs, xShape, dy);
  });

  it('run(): named inputs and outputs; a node nothing reads on the way to the loss gets zero gradients', () => {
    const g = new nn.GraphBuilder();
    const a = g.input('a', [3, 4, 4]), b = g.input('b', [3, 4, 4]);
    const s = g.add(g.apply(new nn.Conv2d(3, 3, 3, { padding: 1 }), a, 'conv'), b, 'sum');
    const side = g.apply(new nn.Conv2d(3, 2, 1), a, 'side');
    const pooled = g.apply(new nn.Flatten(), g.apply(new nn.GlobalAvgPool2d(), s));
    const model = g.build({ outputs: { sum: s, pooled, side } });
    owned.push(model);
    const random = seededRandom(7);
    const feeds = { a: { data: randomData(2 * 48, random), shape: [2, 3, 4, 4] }, b: { data: randomData(2 * 48, random), shape: [2, 3, 4, 4] } };
    const out = model.run(feeds);
    expect(Object.keys(out)).toEqual(['sum', 'pooled', 'side']);
    expect(out.sum.shape).toEqual([2, 3, 4, 4]);
    expect(out.side.shape).toEqual([2, 2, 4, 4]);
    const means = Array.from({ length: 6 }, (_, p) => out.sum.data.subarray(p * 16, p * 16 + 16).reduce((x, y) => x + y, 0) / 16);
    expect(relError(out.pooled.data, means)).toBeLessThan(1e-6);
    expect(() => model.forward(feeds.a)).toThrow(/nn\.Graph\.forward: needs a graph with one input and one output; this one has inputs 'a', 'b' and outputs 'sum', 'pooled', 'side' \(use run\(feeds\)\)/);

    const g2 = new nn.GraphBuilder();
    const x = g2.input('x');
    const dead = new nn.Conv2d(1, 1, 1);
    g2.apply(dead, x, 'dead');
    const chain = g2.build({ outputs: g2.apply(new nn.Linear(4, 2), g2.apply(new nn.Flatten(), x)) });
    owned.push(chain);
    dead.weight.write([5]);
    chain.gradients({ data: randomData(8, random), shape: [2, 1, 2, 2] }, [0, 1]);
    expect(Array.from(dead.weight.readGrad())).toEqual([0]);
    expect(chain.parameters().find((p) => p.name === 'linear1.weight')!.readGrad().some((v) => v !== 0)).toBe(true);
  });

  it('train() and eval(): batch vs running statistics; evaluate() runs in eval mode, leaves the running statistics and restores the mode', () => {
    const model = residualBlock();
    owned.push(model);
    const bn = model.nodes.find((n) => n.name === 'bn1')!.layer as nn.BatchNorm2d;
    const random = seededRandom(8);
    const x = { data: randomData(2 * 108, random), shape: [2, 3, 6, 6] };
    expect(model.training).toBe(true);
    const trainOut = model.forward(x).data;
    const rm = bn.runningMean.read();
    expect(rm.some((v) => v !== 0)).toBe(true);
    expect(model.eval()).toBe(model);
    expect(model.training).toBe(false);
    const evalOut = model.forward(x).data;
    expect(evalOut).not.toEqual(trainOut);
    expect(bn.runningMean.read()).toEqual(rm);
    model.train();
    const before = [bn.runningMean.read(), bn.runningVar.read()];
    const r = model.evaluate(x, [0, 1]);
    expect(model.training).toBe(true);
    expect([bn.runningMean.read(), bn.runningVar.read()]).toEqual(before);
    model.eval();
    expect(r.loss).toBe(model.evaluate(x, [0, 1]).loss);
    expect(model.forward(x).data).toEqual(evalOut);
  });

  it('weights files: a Graph round-trips (parameters, running statistics, meta); a Sequential file loads into a Sequential and as a chain Graph', () => {
    const model = residualBlock();
    const opt = new nn.SGD(model.parameters(), { lr: 0.05 });
    owned.push(model, opt);
    const random = seededRandom(9);
    const x = { data: randomData(4 * 108, random), shape: [4, 3, 6, 6] };
    for (let i = 0; i < 3; i++) model.trainStep(x, [0, 1, 2, 3], opt);
    const bytes = model.saveWeights({ epochs: 3 });
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + new DataView(bytes.buffer).getUint32(12, true))));
    expect(new DataView(bytes.buffer).getUint32(8, true)).toBe(1);
    expect(header.graph.inputs).toEqual([{ name: 'x', shape: [3, 6, 6] }]);
    expect(header.graph.nodes.find((n: { name: string }) => n.name === 'add')).toEqual({ name: 'add', inputs: ['bn2', 'x'] });
    expect(header.tensors.map((t: { name: string }) => t.name).slice(0, 6)).toEqual(['conv1.weight', 'conv1.bias', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var']);
    const again = nn.Graph.fromWeights(bytes, 'm.wasmconv');
    owned.push(again);
    [...model.parameters(), ...model.buffers()].forEach((p, i) => expect([...again.parameters(), ...again.buffers()][i].read()).toEqual(p.read()));
    model.eval();
    again.eval();
    expect(again.forward(x)).toEqual(model.forward(x));
    const fresh = residualBlock();
    owned.push(fresh);
    expect(fresh.loadWeights(bytes)).toEqual({ epochs: 3 });
    expect(fresh.eval().forward(x)).toEqual(model.forward(x));

    // a Sequential's file: unchanged format (no "graph"), loads both ways
    const seq = nn.Sequential.fromSpec(CHAIN, { seed: 3 });
    owned.push(seq);
    const seqBytes = seq.saveWeights({ note: 'old' });
    expect(new TextDecoder().decode(seqBytes)).not.toContain('"graph"');
    const seqAgain = nn.Sequential.fromWeights(seqBytes);
    const asGraph = nn.Graph.fromWeights(seqBytes);
    owned.push(seqAgain, asGraph);
    const xs = { data: randomData(2 * 128, random), shape: [2, 2, 8, 8] };
    expect(seqAgain.forward(xs)).toEqual(seq.forward(xs));
    expect(asGraph.forward(xs)).toEqual(seq.forward(xs));
    expect(asGraph.parameters().map((p) => p.name)).toEqual(seq.parameters().map((p) => p.name));
    expect(() => nn.Sequential.fromWeights(bytes, 'g.wasmconv')).toThrow(/^g\.wasmconv: this weights file holds an nn\.Graph, not an nn\.Sequential; load it with nn\.Graph\.fromWeights$/);
    expect(() => seq.loadWeights(bytes, 'g.wasmconv')).toThrow(/holds an nn\.Graph/);
    expect(() => fresh.loadWeights(seqBytes, 's.wasmconv')).toThrow(/^s\.wasmconv: weights of another architecture: the file has 0=Conv2d\(x\) .*; this graph is conv1=Conv2d\(x\) bn1=BatchNorm2d\(conv1\)/);
    // the graph still works, unchanged
    expect(fresh.forward(x)).toEqual(model.forward(x));
  });
});

describe.each(TEST_ISAS)('nn.Graph in wasmconv/node and nn.trainEpoch, isa %s', (isa) => {
  beforeAll(async () => {
    await init({ isa });
  });

  it('trainEpoch trains a Graph; saveModel writes it, loadGraph reads it back, loadModel points to loadGraph', async () => {
    const model = residualBlock();
    const opt = new nn.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    try {
      const random = seededRandom(12);
      const N = 12;
      const x = { data: randomData(N * 108, random), shape: [N, 3, 6, 6] };
      const labels = Array.from({ length: N }, (_, i) => i % 5);
      const r = nn.trainEpoch(model, opt, x, labels, { batchSize: 4, random: new nn.Random(1) });
      expect(r.samples).toBe(N);
      const dir = mkdtempSync(join(tmpdir(), 'wasmconv-graph-'));
      const path = join(dir, 'g.wasmconv');
      await saveModel(path, model, { epochs: 1 });
      expect(readdirSync(dir)).toEqual(['g.wasmconv']);
      const { model: again, meta } = await loadGraph(path);
      expect(meta).toEqual({ epochs: 1 });
      expect(again.eval().forward(x)).toEqual(model.eval().forward(x));
      again.dispose();
      await expect(loadModel(path)).rejects.toThrow(/holds an nn\.Graph, not an nn\.Sequential; load it with loadGraph/);
    } finally {
      opt.dispose();
      model.dispose();
    }
  });
});

describe.each(TEST_ISAS)('nn.Graph errors, isa %s', (isa) => {
  const owned: Array<{ dispose(): void }> = [];
  beforeAll(async () => {
    await init({ isa });
  });
  afterEach(() => {
    for (const o of owned.splice(0)) o.dispose();
  });

  it('run(): unknown and missing input names, shapes against the declared sample shape, batch sizes', () => {
    const g = new nn.GraphBuilder();
    const model = g.build({ outputs: g.add(g.input('a', [2, 3]), g.input('b')) });
    owned.push(model);
    const t = (shape: number[]) => ({ data: new Float32Array(product(shape)), shape });
    expect(() => model.run({ a: t([1, 2, 3]), b: t([1, 2, 3]), c: t([1]) })).toThrow(/^nn\.Graph\.run: unknown input name 'c'; this graph's inputs are 'a', 'b'$/);
    expect(() => model.run({ a: t([1, 2, 3]) })).toThrow(/^nn\.Graph\.run: no tensor for input 'b'; this graph's inputs are 'a', 'b'$/);
    expect(() => model.run({ a: t([1, 3, 2]), b: t([1, 3, 2]) })).toThrow(/^nn\.Graph\.run: input 'a' has shape \[1,3,2\] but the graph takes \[N,2,3\]$/);
    expect(() => model.run({ a: t([2, 2, 3]), b: t([1, 2, 3]) })).toThrow(/input 'b' has batch 1 but another input has 2/);
    expect(() => model.run({ a: { data: new Float32Array(5), shape: [1, 2, 3] }, b: t([1, 2, 3]) })).toThrow(/input 'a' must be a Tensor/);
    expect(model.run({ a: t([1, 2, 3]), b: t([1, 2, 3]) }).y.shape).toEqual([1, 2, 3]);
  });

  it('Add of two shapes is an Error naming the node, its inputs and both shapes; the graph stays usable', () => {
    const g = new nn.GraphBuilder();
    const x = g.input('x');
    const model = g.build({ outputs: g.add(g.apply(new nn.Conv2d(1, 2, 3), x, 'conv'), g.apply(new nn.Conv2d(1, 2, 1), x, 'proj'), 'sum') });
    owned.push(model);
    const x5 = { data: new Float32Array(2 * 25), shape: [2, 1, 5, 5] };
    expect(() => model.forward(x5)).toThrow(
      /^nn\.Graph: node 'sum' = Add\(\)\('conv', 'proj'\): nn\.Add: the inputs must have the same shape, got a \[2,2,3,3\] and b \[2,2,5,5\]$/,
    );
    expect(() => model.backward({ data: new Float32Array(1), shape: [1] })).toThrow(/call forward first/);
    const x3 = { data: new Float32Array(9), shape: [1, 1, 3, 3] };
    expect(() => model.forward(x3)).toThrow(/\[1,2,1,1\] and b \[1,2,3,3\]/);
  });

  it('build time: unknown tensors, cycles, duplicate names, wrong arity, a layer used twice, foreign tensors', () => {
    const conv = () => new nn.Conv2d(1, 1, 1);
    const bad = (def: nn.GraphDefinition) => () => {
      try {
        owned.push(new nn.Graph(def));
      } finally {
        for (const n of def.nodes) n.layer.dispose();
      }
    };
    expect(bad({ inputs: [{ name: 'x' }], nodes: [{ name: 'a', layer: conv(), inputs: ['nope'] }], outputs: [{ name: 'y', tensor: 'a' }] }))
      .toThrow(/^nn\.Graph: node 'a' reads 'nope', which is no input or node of this graph$/);
    expect(bad({ inputs: [{ name: 'x' }], nodes: [{ name: 'a', layer: conv(), inputs: ['x'] }], outputs: [{ name: 'y', tensor: 'b' }] }))
      .toThrow(/^nn\.Graph: output 'y' is 'b', which is no input or node of this graph$/);
    expect(bad({
      inputs: [{ name: 'x' }],
      nodes: [{ name: 'a', layer: new nn.Add(), inputs: ['x', 'c'] }, { name: 'b', layer: conv(), inputs: ['a'] }, { name: 'c', layer: conv(), inputs: ['b'] }],
      outputs: [{ name: 'y', tensor: 'c' }],
    })).toThrow(/^nn\.Graph: the graph has a cycle: no order computes 'a' \(reads 'x', 'c'\), 'b' \(reads 'a'\), 'c' \(reads 'b'\)$/);
    expect(bad({ inputs: [{ name: 'x' }], nodes: [{ name: 'x', layer: conv(), inputs: ['x'] }], outputs: [{ name: 'y', tensor: 'x' }] }))
      .toThrow(/the name 'x' is used twice/);
    expect(bad({ inputs: [{ name: 'x' }], nodes: [{ name: 'a', layer: new nn.Add(), inputs: ['x'] }], outputs: [{ name: 'y', tensor: 'a' }] }))
      .toThrow(/^nn\.Graph: node 'a' \(Add\(\)\) takes 2 inputs, got \["x"\]$/);
    const shared = conv();
    expect(() => new nn.Graph({ inputs: [{ name: 'x' }], nodes: [{ name: 'a', layer: shared, inputs: ['x'] }, { name: 'b', layer: shared, inputs: ['a'] }], outputs: [{ name: 'y', tensor: 'b' }] }))
      .toThrow(/node 'b' reuses the layer Conv2d\(1→1, 1×1\) of another node/);
    shared.dispose();
    expect(() => nn.Graph.fromSpec({ inputs: [{ name: 'x' }], nodes: [{ name: 'a', inputs: ['x'], layer: { type: 'Nope' } as never }], outputs: [{ name: 'y', tensor: 'a' }] }))
      .toThrow(/^nn\.Graph\.fromSpec: node 'a': unknown layer spec \{"type":"Nope"\}$/);

    const g = new nn.GraphBuilder(), other = new nn.GraphBuilder();
    const x = g.input('x'), y = other.input('y');
    const layer = conv();
    expect(() => g.apply(layer, y)).toThrow(/^nn\.GraphBuilder\.apply: input 0: the tensor 'y' belongs to another GraphBuilder$/);
    const h = g.apply(layer, x, 'h');
    expect(() => g.apply(layer, h)).toThrow(/is already a node of this graph/);
    expect(() => g.apply(conv(), h, 'h')).toThrow(/^nn\.GraphBuilder: the name 'h' is taken/);
    expect(() => g.apply(new nn.Add() as never, h)).toThrow(/use merge\(\) for Add\(\)/);
    expect(() => g.build({ outputs: {} })).toThrow(/outputs must be a tensor or/);
    owned.push(g.build({ outputs: h }));
    expect(() => g.input('z')).toThrow(/build\(\) was called already/);
  });

  it('BatchNorm2d: wrong channels, one value per channel in training, bad options; a Sequential refuses it', () => {
    const bn = new nn.BatchNorm2d(3);
    const g = new nn.GraphBuilder();
    const model = g.build({ outputs: g.apply(bn, g.input('x'), 'bn') });
    owned.push(model);
    expect(() => model.forward({ data: new Float32Array(8), shape: [2, 4, 1, 1] })).toThrow(
      /^nn\.Graph: node 'bn' = BatchNorm2d\(3\)\('x'\): nn\.BatchNorm2d: x has shape \[2,4,1,1\] but BatchNorm2d\(3\) takes \[N,3,H,W\]$/,
    );
    expect(() => model.forward({ data: new Float32Array(3), shape: [1, 3, 1, 1] })).toThrow(/training needs more than one value per channel, got x \[1,3,1,1\]/);
    expect(model.eval().forward({ data: new Float32Array(3), shape: [1, 3, 1, 1] }).shape).toEqual([1, 3, 1, 1]);
    expect(() => new nn.BatchNorm2d(0)).toThrow(/numFeatures must be a positive integer/);
    expect(() => new nn.BatchNorm2d(2, { eps: 0 })).toThrow(/eps must be a finite number > 0, got 0/);
    expect(() => new nn.BatchNorm2d(2, { momentum: 2 })).toThrow(/momentum must be a number in \[0, 1\], got 2/);
    const lone = new nn.BatchNorm2d(2);
    expect(() => new nn.Sequential([lone])).toThrow(/BatchNorm2d\(2\) acts differently in training and inference .* build the model as an nn\.Graph/);
    lone.dispose();
    void isa;
  });
});

describe("the residual block's reference path", () => {
  it('loss gradients (every parameter and x) against float64 finite differences', () => {
    const random = seededRandom(31);
    const shapes: Record<string, number[]> = {
      'conv1.weight': [4, 3, 3, 3], 'conv1.bias': [4], 'bn1.weight': [4], 'bn1.bias': [4],
      'conv2.weight': [3, 4, 3, 3], 'conv2.bias': [3], 'bn2.weight': [3], 'bn2.bias': [3], 'fc.weight': [5, 3], 'fc.bias': [5],
    };
    const params: Params = Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, { data: Float64Array.from(randomData(product(shape), random)), shape }]));
    const xShape = [2, 3, 6, 6];
    const x = Float64Array.from(randomData(product(xShape), random));
    const labels = [3, 1];
    const ref = residualReference(x, xShape, params, labels);
    const h = 1e-6;
    const check = (name: string, values: Float64Array, analytic: ArrayLike<number>) => {
      let worst = 0;
      values.forEach((v, i) => {
        values[i] = v + h;
        const plus = residualReference(x, xShape, params, labels).loss;
        values[i] = v - h;
        const minus = residualReference(x, xShape, params, labels).loss;
        values[i] = v;
        worst = Math.max(worst, Math.abs((plus - minus) / (2 * h) - analytic[i]));
      });
      expect(worst, name).toBeLessThan(1e-7);
    };
    for (const [name, p] of Object.entries(params)) check(name, p.data, ref.grads[name]);
    check('x', x, ref.dx);
  });
});
