// Whole models at batch 1 through nn.fromONNX, two wasmconv builds side by side with
// onnxruntime-web (wasm), in one process and interleaved: each round runs every implementation
// once, in turn, so a busy machine slows them alike and the ratios stay comparable. For
// before/after figures of a kernel change (docs/benchmarks.md): build the baseline in a scratch
// copy of the repository (its package.json, dist/, build/ and bench/, node_modules linked) and
// pass it as --before; "after" is this checkout's build.
//
//   node bench/compare-builds.js --before ../wasmconv-main [--model MobileNetV2] [--rounds 60] [--isa simd]
//   (relaxed-simd needs node --experimental-wasm-relaxed-simd)
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { MODELS } from './models/torchvision.js';
import { seededRandom } from './models/resnet18.js';

const { values: args } = parseArgs({
  options: {
    before: { type: 'string' }, model: { type: 'string', default: 'MobileNetV2' },
    rounds: { type: 'string', default: '60' }, isa: { type: 'string', default: 'simd' },
  },
});
if (!args.before) throw new Error('compare-builds: --before <dir> (a built copy of the baseline) is required');
if (!MODELS[args.model]) throw new Error(`compare-builds: unknown --model '${args.model}' (known: ${Object.keys(MODELS).join(', ')})`);
const rounds = Number(args.rounds);
const bytes = MODELS[args.model]();
const shape = [1, 3, 224, 224];
const x = seededRandom(224).uniform(3 * 224 * 224, -1, 1); // bench:models' input

/** Our graph of the model, from the build whose dist/ is under `dir`. */
async function ours(dir) {
  const { init, nn, backend } = await import(pathToFileURL(resolve(dir, 'dist/index.js')).href);
  await init({ isa: args.isa, threads: 1 });
  if (backend().isa !== args.isa) throw new Error(`compare-builds: asked for ${args.isa}, ${dir} runs ${backend().isa}`);
  const graph = nn.fromONNX(bytes).eval();
  return async () => graph.run({ input: { data: x, shape } }).logits.data;
}

const require = createRequire(import.meta.url);
const ort = await import('onnxruntime-web');
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = dirname(require.resolve('onnxruntime-web')) + '/';
ort.env.logLevel = 'error';
const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
const runners = {
  before: await ours(args.before),
  after: await ours(new URL('..', import.meta.url).pathname),
  'ort-web': async () => {
    const { logits } = await session.run({ input: new ort.Tensor('float32', x, shape) });
    const y = logits.data;
    logits.dispose();
    return y;
  },
};

const outputs = {};
for (const [name, run] of Object.entries(runners)) outputs[name] = await run(); // also warms up
const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const maxAbs = outputs['ort-web'].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
console.log(`${args.model}, batch 1, 1 thread, ${args.isa}, ${rounds} rounds; max |Δ| vs onnxruntime-web: before ${maxDiff(outputs.before, outputs['ort-web']).toExponential(1)}, ` +
  `after ${maxDiff(outputs.after, outputs['ort-web']).toExponential(1)} (max |y| ${maxAbs.toFixed(3)})`);
const times = Object.fromEntries(Object.keys(runners).map((name) => [name, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of Object.entries(runners)) {
    const t = performance.now();
    await run();
    times[name].push(performance.now() - t);
  }
}
const stats = Object.fromEntries(Object.entries(times).map(([name, t]) => {
  const sorted = [...t].sort((a, b) => a - b);
  return [name, { median: sorted[Math.floor(sorted.length / 2)], fastest: sorted[0] }];
}));
for (const [name, s] of Object.entries(stats)) console.log(`  ${name.padEnd(8)} median ${s.median.toFixed(1)} ms, fastest ${s.fastest.toFixed(1)} ms`);
const ratio = (a, b) => `${(stats[a].median / stats[b].median).toFixed(2)}× / ${(stats[a].fastest / stats[b].fastest).toFixed(2)}×`;
console.log(`  median / fastest: ORT-web ÷ before ${ratio('ort-web', 'before')}, ORT-web ÷ after ${ratio('ort-web', 'after')}, before ÷ after ${ratio('before', 'after')}`);
process.exit(0); // onnxruntime-web's and our pools would keep the process alive
