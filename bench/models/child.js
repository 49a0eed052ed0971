// One implementation × thread count of bench:models, in a process of its own: onnxruntime-web
// reads env.wasm.numThreads only before its first session, and relaxed SIMD needs Node's
// --experimental-wasm-relaxed-simd flag. Started by bench/models.js; times one model file at each
// batch with tinybench and prints one JSON object on stdout (progress on stderr).
//
//   node bench/models/child.js --impl ours|ort-web|ort-node --threads N --model file.onnx --label name
//        --batches 1,8 --budget ms --min-samples n [--isa simd]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { seededRandom } from './resnet18.js';

const { values: args } = parseArgs({
  options: {
    impl: { type: 'string' }, threads: { type: 'string', default: '1' }, isa: { type: 'string', default: 'simd' },
    model: { type: 'string' }, label: { type: 'string', default: '' }, batches: { type: 'string', default: '1,8' },
    budget: { type: 'string', default: '2000' }, 'min-samples': { type: 'string', default: '5' },
  },
});
const THREADS = Number(args.threads);
const bytes = new Uint8Array(readFileSync(args.model));
const require = createRequire(import.meta.url);

/** Sets the implementation up for this thread count; returns { describe, load(bytes) → run(x, shape) → logits }. */
async function implementation(impl) {
  if (impl === 'ours') {
    const { init, backend, nn } = await import('wasmconv');
    await init({ isa: args.isa, threads: THREADS });
    if (backend().isa !== args.isa || backend().threads !== THREADS) {
      throw new Error(`wasmconv: asked for ${args.isa} ×${THREADS}, got ${backend().isa} ×${backend().threads} (${backend().threadsNote ?? ''})`);
    }
    return {
      describe: `wasmconv ${args.isa} (nn.fromONNX, eval)`,
      load: async (model) => {
        const graph = nn.fromONNX(model).eval();
        return (data, shape) => graph.run({ input: { data, shape } }).logits.data;
      },
    };
  }
  if (impl === 'ort-web') {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = THREADS; // only read before the first session: one process per count
    ort.env.wasm.wasmPaths = dirname(require.resolve('onnxruntime-web')) + '/';
    ort.env.logLevel = 'error';
    return {
      describe: `onnxruntime-web ${ort.env.versions?.web ?? ''} (wasm)`,
      load: async (model) => {
        const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
        return async (data, shape) => {
          const { logits } = await session.run({ input: new ort.Tensor('float32', data, shape) });
          const y = logits.data;
          logits.dispose();
          return y;
        };
      },
    };
  }
  if (impl === 'ort-node') {
    const ort = await import('onnxruntime-node');
    return {
      describe: `onnxruntime-node ${require('onnxruntime-node/package.json').version} (native, CPU EP)`,
      load: async (model) => {
        const session = await ort.InferenceSession.create(model, {
          executionProviders: ['cpu'], intraOpNumThreads: THREADS, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
        });
        return async (data, shape) => (await session.run({ input: new ort.Tensor('float32', data, shape) })).logits.data;
      },
    };
  }
  throw new Error(`unknown --impl ${impl}`);
}

const impl = await implementation(args.impl);
const run = await impl.load(bytes);
const rows = [];
for (const batch of args.batches.split(',').map(Number)) {
  const shape = [batch, 3, 224, 224];
  const x = seededRandom(224).uniform(batch * 3 * 224 * 224, -1, 1); // the same input in every process
  const first = await run(x, shape); // checked by the parent against the other implementations; warms up
  const bench = new Bench({
    time: Number(args.budget), iterations: Number(args['min-samples']),
    warmup: true, warmupIterations: 1, warmupTime: 0, retainSamples: true,
  });
  bench.add(`${args.label} ×${batch}`, () => run(x, shape));
  await bench.run();
  const { result } = bench.tasks[0];
  if (result.state !== 'completed') throw new Error(`${args.impl} ${args.label} batch ${batch}: ${result.state} ${result.error?.stack ?? result.error ?? ''}`);
  rows.push({
    batch, medianMs: result.latency.p50, fastestMs: result.latency.min, samples: result.latency.samplesCount,
    // the first image's logits: enough to check agreement, small enough for the pipe
    logits: Array.from(first.subarray(0, 1000)),
  });
  process.stderr.write(`  ${args.label}, batch ${batch}, ${impl.describe} ×${THREADS}: median ${result.latency.p50.toFixed(1)} ms, fastest ${result.latency.min.toFixed(1)} ms (${result.latency.samplesCount} samples)\n`);
}
process.stdout.write(JSON.stringify({ describe: impl.describe, rows }) + '\n');
process.exit(0); // worker pools and ORT threads would keep the process alive
