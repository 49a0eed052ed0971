// `npm run check:torchvision`: real exports, not hand-built graphs. Exports torchvision
// architectures (random weights from a fixed seed; nothing downloaded) with PyTorch's own
// torch.onnx.export at each opset (scripts/pytorch/export-torchvision.py, Debian's python3-torch
// and python3-torchvision), imports each with nn.fromONNX and compares one seeded image's output
// with native onnxruntime-node's: which import, how close they are (max |Δ| / max |y|), and
// how long one image takes on each (1 thread, median of a few runs). A model that does not import
// is listed with the Error it gave. Writes bench/results/torchvision-exports.json. Needs Python
// with torch and torchvision; without them it says so and stops (it never installs them).
// Flags: --opsets 13,17 --models resnet18,mobilenet_v2,… --runs N (5) --cache DIR
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { backend, init, nn } from 'wasmconv';

const MODELS = [
  'resnet18', 'resnet50', 'mobilenet_v2', 'mobilenet_v3_small', 'squeezenet1_1', 'shufflenet_v2_x0_5', 'mnasnet0_5',
  'efficientnet_b0', 'regnet_x_400mf', 'densenet121', 'googlenet', 'convnext_tiny',
];
const { values } = parseArgs({
  options: { opsets: { type: 'string' }, models: { type: 'string' }, runs: { type: 'string' }, cache: { type: 'string' } },
});
const opsets = (values.opsets ?? '13,17').split(',').map(Number);
const models = values.models ? values.models.split(',') : MODELS;
const RUNS = Number(values.runs ?? 5);
const cache = values.cache ?? new URL('../node_modules/.cache/wasmconv/torchvision/', import.meta.url).pathname;
const script = new URL('./pytorch/export-torchvision.py', import.meta.url).pathname;

const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0);
if (!python) {
  console.log('check:torchvision: needs Python with torch and torchvision (Debian: apt-get install python3-torch python3-torchvision); not installed here, nothing to check');
  process.exit(0);
}
const versions = spawnSync(python, ['-c', 'import torch, torchvision; print(torch.__version__, torchvision.__version__)'], { encoding: 'utf8' }).stdout.trim();

/** Exports the models not in the cache yet; returns name → { file, side } or { error }. */
function exportModels(opset) {
  const dir = `${cache}opset${opset}`;
  mkdirSync(dir, { recursive: true });
  const missing = models.filter((m) => !existsSync(`${dir}/${m}-opset${opset}.onnx`));
  const result = new Map(models.filter((m) => !missing.includes(m)).map((m) => [m, { file: `${dir}/${m}-opset${opset}.onnx`, side: m.startsWith('inception') ? 299 : 224 }]));
  if (missing.length) {
    console.log(`exporting ${missing.join(', ')} at opset ${opset} with torch.onnx.export …`);
    const out = spawnSync(python, [script, dir, String(opset), ...missing], { encoding: 'utf8', maxBuffer: 1 << 26 });
    for (const line of out.stdout.split('\n').filter((l) => l.startsWith('{'))) {
      const r = JSON.parse(line);
      result.set(r.name, r.error ? { error: r.error } : { file: r.file, side: r.side });
    }
    for (const m of missing) if (!result.has(m)) result.set(m, { error: `the export script failed: ${out.stderr.trim().split('\n').pop()}` });
  }
  return result;
}

const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];

await init({ threads: 1, isa: 'simd' });
console.log(`check:torchvision — torch ${versions}; wasmconv isa ${backend().isa}, 1 thread; onnxruntime-node 1 thread; median of ${RUNS} runs\n`);
const rows = [];
for (const opset of opsets) {
  const exported = exportModels(opset);
  for (const name of models) {
    const e = exported.get(name);
    const row = { model: name, opset };
    rows.push(row);
    if (e.error) {
      row.status = `torch.onnx.export fails: ${e.error}`;
      continue;
    }
    const bytes = new Uint8Array(readFileSync(e.file));
    const shape = [1, 3, e.side, e.side];
    let seed = 1;
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
    let graph;
    try {
      graph = nn.fromONNX(bytes, { name }).eval();
    } catch (error) {
      row.status = `does not import: ${error.message.replace(/^nn\.fromONNX\([^)]*\): /, '')}`;
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionProviders: ['cpu'] });
      const feeds = { x: new ort.Tensor('float32', data, shape) };
      const ref = (await session.run(feeds)).y.data;
      const ours = graph.run({ x: { data, shape } }).y.data;
      let diff = 0, scale = 0;
      for (let i = 0; i < ref.length; i++) [diff, scale] = [Math.max(diff, Math.abs(ours[i] - ref[i])), Math.max(scale, Math.abs(ref[i]))];
      const oursMs = [], ortMs = [];
      for (let r = 0; r < RUNS; r++) {
        let t = performance.now();
        graph.run({ x: { data, shape } });
        oursMs.push(performance.now() - t);
        t = performance.now();
        await session.run(feeds);
        ortMs.push(performance.now() - t);
      }
      await session.release();
      Object.assign(row, { imports: true, layers: graph.nodes.length, relativeError: diff / scale, oursMs: median(oursMs), ortNodeMs: median(ortMs) });
      row.status = row.relativeError <= 1e-4 ? 'matches' : `differs: max |Δ| ${(row.relativeError).toExponential(2)} of max |y|`;
    } catch (error) {
      row.status = `imports, but running fails: ${error.message}`;
    } finally {
      graph.dispose();
    }
    console.log(`${name} opset ${opset}: ${row.status}`);
  }
}

console.log('\n| model | opset | result | layers | max |Δ| / max |y| | ours ms | onnxruntime-node ms |');
console.log('|---|---:|---|---:|---:|---:|---:|');
for (const r of rows) {
  const n = (v, d) => (v === undefined ? '' : v.toFixed(d));
  console.log(`| ${r.model} | ${r.opset} | ${r.status} | ${r.layers ?? ''} | ${r.relativeError === undefined ? '' : r.relativeError.toExponential(1)} | ${n(r.oursMs, 1)} | ${n(r.ortNodeMs, 1)} |`);
}
mkdirSync(new URL('../bench/results/', import.meta.url), { recursive: true });
writeFileSync(new URL('../bench/results/torchvision-exports.json', import.meta.url),
  JSON.stringify({ date: new Date().toISOString(), torch: versions, isa: backend().isa, rows }, null, 2) + '\n');
console.log('\nwrote bench/results/torchvision-exports.json');
