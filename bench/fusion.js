// The fused conv + bias + activation epilogue against the conv then a separate activation pass:
// nn.Graph with fuseActivations on (default) and off, the same weights, eval mode, batch 1.
// Layers: one Conv → activation pair each, timed per node with graph.profile (the conv's row,
// plus the activation's row unfused), so only the layers' own work counts. Models: whole
// graph.run of torchvision's MobileNetV2 and ResNet-18 as bench:models builds them (nn.fromONNX),
// copy in and out included. Fused and unfused take turns sample by sample, so the machine's
// noise lands on both; ratios are unfused / fused of medians and of fastest samples.
//
//   node bench/fusion.js [--isa simd] [--threads 1] [--samples 15] [--no-models]
import { parseArgs } from 'node:util';
import { backend, init, nn } from 'wasmconv';
import { MODELS } from './models/torchvision.js';

const { values: args } = parseArgs({
  options: {
    isa: { type: 'string', default: 'simd' },
    threads: { type: 'string', default: '1' },
    samples: { type: 'string', default: '15' },
    'no-models': { type: 'boolean', default: false },
  },
});
const SAMPLES = Number(args.samples);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const random = (n, seed) => {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 * 2 - 1;
  }
  return a;
};

/** The graph again, with the same weights, run unfused. */
function unfused(graph) {
  const twin = nn.Graph.fromSpec(graph.spec(), { fuseActivations: false });
  twin.loadWeights(graph.saveWeights());
  return twin.eval();
}

/** Samples of `time(graph)` for the fused graph and its unfused twin, taking turns; checks they agree bit for bit. */
function compare(label, graph, x, time) {
  const plain = unfused(graph);
  const [a, b] = [graph.run(x), plain.run(x)].map((r) => Object.values(r)[0].data);
  if (!a.every((v, i) => Object.is(v, b[i]))) throw new Error(`${label}: fused and unfused outputs differ`);
  const fused = [], apart = [];
  for (let s = 0; s < SAMPLES; s++) {
    fused.push(time(graph));
    apart.push(time(plain));
  }
  plain.dispose();
  graph.dispose();
  const row = {
    label, fusions: graph.fusions.length,
    fusedMedian: median(fused), unfusedMedian: median(apart), fusedFastest: Math.min(...fused), unfusedFastest: Math.min(...apart),
  };
  console.log(
    `${label.padEnd(44)} ${String(row.fusions).padStart(3)}  ${row.unfusedMedian.toFixed(3).padStart(8)} ${row.fusedMedian.toFixed(3).padStart(8)}  ` +
      `${(row.unfusedMedian / row.fusedMedian).toFixed(3)}×   ${row.unfusedFastest.toFixed(3).padStart(8)} ${row.fusedFastest.toFixed(3).padStart(8)}  ${(row.unfusedFastest / row.fusedFastest).toFixed(3)}×`,
  );
  return row;
}

const LAYERS = [
  { label: 'MobileNetV2 expansion 1×1 24→144 + ReLU6, 56²', x: [1, 24, 56, 56], conv: () => new nn.Conv2d(24, 144, 1), act: () => new nn.ReLU6() },
  { label: 'MobileNetV2 depthwise 3×3 144 + ReLU6, 56²', x: [1, 144, 56, 56], conv: () => new nn.Conv2d(144, 144, 3, { padding: 1, groups: 144 }), act: () => new nn.ReLU6() },
  { label: 'ResNet-18 3×3 64→64 (Winograd) + ReLU, 56²', x: [1, 64, 56, 56], conv: () => new nn.Conv2d(64, 64, 3, { padding: 1 }), act: () => new nn.ReLU() },
  { label: 'ResNet-18 3×3/2 64→128 (GEMM) + ReLU, 56²', x: [1, 64, 56, 56], conv: () => new nn.Conv2d(64, 128, 3, { padding: 1, stride: 2 }), act: () => new nn.ReLU() },
];

await init({ isa: args.isa, threads: Number(args.threads) });
const b = backend();
console.log(`wasmconv ${b.isa} × ${b.threads} thread(s), batch 1, ${SAMPLES} samples each; ms: unfused, fused, ratio (median), then the same of fastest samples`);
console.log(`${'case'.padEnd(44)} fus   median ms          ratio    fastest ms         ratio`);
for (const l of LAYERS) {
  const g = new nn.GraphBuilder();
  const graph = g.build({ outputs: g.apply(l.act(), g.apply(l.conv(), g.input('x', l.x.slice(1)), 'conv'), 'act'), seed: 1 }).eval();
  const x = { x: { data: random(l.x.reduce((p, q) => p * q), 3), shape: l.x } };
  // the pair's own time: the conv's row and the activation's (0 when fused)
  compare(l.label, graph, x, (m) => m.profile(x, { runs: 5 }).totalMs);
}
if (!args['no-models']) {
  for (const name of ['MobileNetV2', 'ResNet-18']) {
    const graph = nn.fromONNX(MODELS[name]()).eval();
    const x = { input: { data: random(3 * 224 * 224, 5), shape: [1, 3, 224, 224] } };
    compare(`${name} graph.run (nn.fromONNX)`, graph, x, (m) => {
      const start = performance.now();
      m.run(x);
      return performance.now() - start;
    });
  }
}
