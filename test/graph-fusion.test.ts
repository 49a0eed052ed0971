// nn.Graph's conv → activation fusion: a Conv2d / Conv1d (grouped and depthwise too) whose only
// reader is a ReLU, ReLU6 or Clip computes it in its output epilogue. Outputs, losses and every
// gradient are the unfused graph's bit for bit (fuseActivations: false), in train and eval
// mode, on 1 and 2 threads; the graph's spec, weights file, ONNX export and profile rows are
// unchanged, and the fusion applies after nn.foldBatchNorm and in ONNX imports.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { init, nn, type Tensor } from '../src/index.js';
import { setMinFlopsPerThread } from '../src/ops/passes/parallel.js';
import { randomizeBatchNorms } from './helpers/graphs.js';
import { TEST_ISAS } from './helpers/isas.js';
import { randomData, seededRandom } from './helpers/random.js';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** The same graph and weights, run unfused. */
function unfusedTwin(graph: nn.Graph): nn.Graph {
  const twin = nn.Graph.fromSpec(graph.spec(), { fuseActivations: false });
  twin.loadWeights(graph.saveWeights());
  return graph.training ? twin.train() : twin.eval();
}

/** Forward outputs, loss, every parameter's gradient and dx of `graph` on (x, labels), as bits. */
function passes(graph: nn.Graph, x: Tensor, labels: number[]) {
  const y = graph.forward(x);
  const dy = { data: randomData(y.data.length, seededRandom(3)), shape: y.shape };
  const dx = graph.backward(dy, { inputGradient: true })!;
  const afterBackward = graph.parameters().map((p) => bits(p.readGrad()));
  const loss = graph.gradients(x, labels);
  return {
    y: bits(y.data), dx: bits(dx.data), gradsOfDy: afterBackward,
    loss: loss.loss, grads: graph.parameters().map((p) => bits(p.readGrad())),
  };
}

function expectSameRuns(fused: nn.Graph, x: Tensor, labels: number[]): void {
  const unfused = unfusedTwin(fused);
  try {
    expect(unfused.fusions).toEqual([]);
    const a = passes(fused, x, labels), b = passes(unfused, x, labels);
    expect(a.y).toEqual(b.y);
    expect(a.dx).toEqual(b.dx);
    expect(a.gradsOfDy).toEqual(b.gradsOfDy);
    expect(a.loss).toBe(b.loss);
    expect(a.grads).toEqual(b.grads);
    // and again, now that every buffer and plan exists
    expect(passes(fused, x, labels).y).toEqual(a.y);
  } finally {
    unfused.dispose();
  }
}

/**
 * conv → ReLU, stride-2 conv → ReLU6, depthwise → Clip, 1×1 → ReLU, a conv read twice (not
 * fused), 3×3 at 32 channels → ReLU: Winograd under 'auto' from batch 2 (18 tiles), the GEMM at
 * batch 1. (The algorithm option stays out of a layer's spec, so the unfused twin runs 'auto'.)
 */
function plainGraph(seed: number): nn.Graph {
  const g = new nn.GraphBuilder();
  const x = g.input('x', [3, 12, 12]);
  const a = g.apply(new nn.ReLU(), g.apply(new nn.Conv2d(3, 16, 3, { padding: 1 }), x, 'c1'), 'r1');
  const b = g.apply(new nn.ReLU6(), g.apply(new nn.Conv2d(16, 24, 3, { padding: 1, stride: 2 }), a, 'c2'), 'r2');
  const c = g.apply(new nn.Clip(-0.25, 0.75), g.apply(new nn.Conv2d(24, 24, 3, { padding: 1, groups: 24 }), b, 'c3'), 'r3');
  const d = g.apply(new nn.ReLU(), g.apply(new nn.Conv2d(24, 32, 1), c, 'c4'), 'r4');
  const shared = g.apply(new nn.Conv2d(32, 32, 3, { padding: 1 }), d, 'c5'); // read by r5 and the add: not fused
  const e = g.add(g.apply(new nn.ReLU(), shared, 'r5'), shared, 'add');
  const f = g.apply(new nn.ReLU(), g.apply(new nn.Conv2d(32, 32, 3, { padding: 1 }), e, 'c6'), 'r6');
  const pooled = g.apply(new nn.Flatten(), g.apply(new nn.GlobalAvgPool2d(), f, 'pool'), 'flat');
  return g.build({ outputs: g.apply(new nn.Linear(32, 10), pooled, 'fc'), seed });
}

const PLAIN_FUSIONS = [
  { conv: 'c1', activation: 'r1' }, { conv: 'c2', activation: 'r2' }, { conv: 'c3', activation: 'r3' },
  { conv: 'c4', activation: 'r4' }, { conv: 'c6', activation: 'r6' },
];

const batchOf = (n: number, sample: number[], seed: number): Tensor => ({ data: randomData(n * sample.reduce((a, b) => a * b, 1), seededRandom(seed)), shape: [n, ...sample] });
const labelsOf = (n: number) => Array.from({ length: n }, (_, i) => (i * 7) % 10);

for (const isa of TEST_ISAS) {
  for (const threads of [1, 2]) {
    describe(`Graph conv → activation fusion, isa ${isa}, ${threads} thread(s)`, () => {
      const owned: Array<{ dispose(): void }> = [];
      let threshold = 0;
      afterEach(() => {
        for (const o of owned.splice(0)) o.dispose();
      });
      afterAll(async () => {
        if (threads > 1) setMinFlopsPerThread(threshold);
        await init({ isa, threads: 1 });
      });
      const start = async () => {
        await init({ isa, threads });
        if (threads > 1) threshold = setMinFlopsPerThread(0); // split the small test shapes too
      };

      it('a plain graph in train mode: the pairs that qualify fuse, and every output and gradient matches unfused bit for bit', async () => {
        await start();
        const model = plainGraph(1);
        owned.push(model);
        expect(model.fusions).toEqual(PLAIN_FUSIONS);
        for (const batch of [1, 3]) expectSameRuns(model, batchOf(batch, [3, 12, 12], batch), labelsOf(batch));
        model.eval();
        expectSameRuns(model, batchOf(2, [3, 12, 12], 9), labelsOf(2));
      }, 300_000);

      it('Conv1d → ReLU fuses too, and a conv that is a graph output does not', async () => {
        await start();
        const g = new nn.GraphBuilder();
        const x = g.input('x', [4, 20]);
        const h = g.apply(new nn.ReLU(), g.apply(new nn.Conv1d(4, 8, 3, { padding: 1 }), x, 'c1'), 'r1');
        const out = g.apply(new nn.Conv1d(8, 8, 3), h, 'c2');
        const model = g.build({ outputs: { y: g.apply(new nn.ReLU(), out, 'r2'), raw: out }, seed: 2 });
        owned.push(model);
        expect(model.fusions).toEqual([{ conv: 'c1', activation: 'r1' }]);
        const twin = unfusedTwin(model);
        owned.push(twin);
        const feeds = { x: batchOf(3, [4, 20], 5) };
        const a = model.run(feeds), b = twin.run(feeds);
        expect(bits(a.y.data)).toEqual(bits(b.y.data));
        expect(bits(a.raw.data)).toEqual(bits(b.raw.data));
        expect(a.raw.data.some((v) => v < 0)).toBe(true); // the output conv's raw values: unclamped
      }, 300_000);

      it('ResNet-20 after foldBatchNorm (eval): conv → ReLU pairs fuse; outputs and gradients match unfused', async () => {
        await start();
        const model = nn.resnet20({ seed: 4 });
        owned.push(model);
        randomizeBatchNorms(model, 5);
        expect(model.fusions).toEqual([]); // BatchNorm sits between every conv and its ReLU
        const folded = nn.foldBatchNorm(model.eval());
        owned.push(folded);
        // the stem and each block's first conv; a block's second conv feeds the residual add
        expect(folded.fusions).toHaveLength(10);
        expectSameRuns(folded, batchOf(2, [1, 28, 28], 6), labelsOf(2));
      }, 300_000);

      it('MobileNetV2 (small): none fuse in train mode (BatchNorm between), the expansion and depthwise convs after folding', async () => {
        await start();
        const model = nn.mobilenetV2Small({ seed: 7 });
        owned.push(model);
        randomizeBatchNorms(model, 8);
        expect(model.fusions).toEqual([]);
        expectSameRuns(model, batchOf(2, [1, 28, 28], 9), labelsOf(2));
        const folded = nn.foldBatchNorm(model.eval());
        owned.push(folded);
        expect(folded.fusions.length).toBeGreaterThan(10);
        expect(folded.fusions.every((f) => /\.(conv|expand\.conv|dw\.conv)$/.test(f.conv) && f.activation === f.conv.replace(/conv$/, 'relu'))).toBe(true);
        expectSameRuns(folded, batchOf(1, [1, 28, 28], 10), labelsOf(1));
      }, 300_000);
    });
  }

  describe(`what the fusion leaves unchanged, isa ${isa}`, () => {
    const owned: Array<{ dispose(): void }> = [];
    afterEach(() => {
      for (const o of owned.splice(0)) o.dispose();
    });

    it('spec, weights file, ONNX export; profile names the conv an activation is fused into', async () => {
      await init({ isa });
      const model = plainGraph(3);
      const twin = unfusedTwin(model);
      owned.push(model, twin);
      expect(model.spec()).toEqual(twin.spec());
      expect(Array.from(model.saveWeights({ a: 1 }))).toEqual(Array.from(twin.saveWeights({ a: 1 })));
      expect(Array.from(nn.toONNX(model))).toEqual(Array.from(nn.toONNX(twin)));
      const x = batchOf(2, [3, 12, 12], 4);
      const fusedProfile = model.profile({ x }, { runs: 2 });
      const plainProfile = twin.profile({ x }, { runs: 2 });
      expect(fusedProfile.nodes.map((n) => [n.name, n.layer])).toEqual(plainProfile.nodes.map((n) => [n.name, n.layer]));
      expect(bits(fusedProfile.outputs.y.data)).toEqual(bits(plainProfile.outputs.y.data));
      const fusedInto = Object.fromEntries(fusedProfile.nodes.filter((n) => n.fusedInto).map((n) => [n.name, n.fusedInto]));
      expect(fusedInto).toEqual(Object.fromEntries(PLAIN_FUSIONS.map((f) => [f.activation, f.conv])));
      for (const n of fusedProfile.nodes) if (n.fusedInto) expect(n.ms).toBe(0);
      expect(plainProfile.nodes.some((n) => n.fusedInto !== undefined)).toBe(false);
    }, 300_000);

    it('an ONNX import fuses Conv → Relu / Clip, with the unfused outputs bit for bit', async () => {
      await init({ isa });
      const model = plainGraph(6);
      owned.push(model);
      const imported = nn.fromONNX(nn.toONNX(model));
      owned.push(imported);
      expect(imported.fusions.length).toBe(PLAIN_FUSIONS.length);
      const twin = unfusedTwin(imported);
      owned.push(twin);
      const x = batchOf(2, [3, 12, 12], 8);
      expect(bits(imported.forward(x).data)).toEqual(bits(twin.forward(x).data));
      expect(bits(imported.forward(x).data)).toEqual(bits(model.forward(x).data));
    }, 300_000);

    it('fuseActivations: false keeps every pair apart, from the builder and from a spec', async () => {
      await init({ isa });
      const spec = plainGraph(1);
      owned.push(spec);
      const model = nn.Graph.fromSpec(spec.spec(), { fuseActivations: false });
      owned.push(model);
      expect(model.fusions).toEqual([]);
      const g = new nn.GraphBuilder();
      const built = g.build({ outputs: g.apply(new nn.ReLU(), g.apply(new nn.Conv2d(2, 2, 1), g.input('x'))), fuseActivations: false });
      owned.push(built);
      expect(built.fusions).toEqual([]);
    }, 300_000);
  });
}
