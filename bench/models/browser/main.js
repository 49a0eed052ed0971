// The page of bench:models:browser (bench/models-browser.js drives it in Chromium, a fresh page per
// implementation and thread count): times one ONNX model at each batch, either through wasmconv
// (nn.fromONNX, eval) or through onnxruntime-web (its wasm backend). wasmconv is bundled by Vite
// as an app bundles it; onnxruntime-web is the package's own prebuilt bundle, served as it ships
// (/ort/…) and imported at run time, so its .wasm and its worker script are the package's.
import { Bench } from 'tinybench';
import { backend, init, nn } from 'wasmconv';
import { seededRandom } from '../resnet18.js';

/** Sets the implementation up for this thread count; returns { describe, run(x, shape) → logits }. */
async function implementation({ impl, isa, threads, model }) {
  if (impl === 'ours') {
    await init({ isa, threads });
    const info = backend();
    if (info.isa !== isa || info.threads !== threads) {
      throw new Error(`wasmconv: asked for ${isa} ×${threads}, got ${info.isa} ×${info.threads} (${info.threadsNote ?? ''})`);
    }
    const graph = nn.fromONNX(model).eval();
    return { describe: `wasmconv ${isa} (nn.fromONNX, eval)`, run: async (data, shape) => graph.run({ input: { data, shape } }).logits.data };
  }
  if (impl === 'ort-web') {
    const url = '/ort/ort.bundle.min.mjs'; // a variable: Vite leaves the import to the browser
    const ort = await import(/* @vite-ignore */ url);
    ort.env.wasm.numThreads = threads; // read only before the first session: one page per count
    ort.env.wasm.wasmPaths = '/ort/';
    ort.env.logLevel = 'error';
    const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    // onnxruntime-web drops to one thread, silently, where it cannot share memory with workers
    if (ort.env.wasm.numThreads !== threads) throw new Error(`onnxruntime-web: asked for ${threads} threads, runs ${ort.env.wasm.numThreads}`);
    return {
      describe: `onnxruntime-web ${ort.env.versions?.web ?? ''} (wasm)`,
      run: async (data, shape) => {
        const { logits } = await session.run({ input: new ort.Tensor('float32', data, shape) });
        const y = logits.data;
        logits.dispose();
        return y;
      },
    };
  }
  throw new Error(`unknown impl ${impl}`);
}

/**
 * Times the model at `url` at each batch (input 3×size×size, the Node bench's seeded input) with
 * tinybench; returns what bench/models/child.js prints in Node, the first image's logits included.
 */
async function run({ impl, isa, threads, url, size, batches, budget, minSamples }) {
  const model = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const timed = await implementation({ impl, isa, threads, model });
  const rows = [];
  for (const batch of batches) {
    const shape = [batch, 3, size, size];
    const x = seededRandom(224).uniform(batch * 3 * size * size, -1, 1);
    const first = await timed.run(x, shape); // compared by the driver; warms up
    const bench = new Bench({ time: budget, iterations: minSamples, warmup: true, warmupIterations: 1, warmupTime: 0, retainSamples: true });
    bench.add(`batch ${batch}`, () => timed.run(x, shape));
    await bench.run();
    const { result } = bench.tasks[0];
    if (result.state !== 'completed') throw new Error(`${impl} batch ${batch}: ${result.state} ${result.error?.stack ?? result.error ?? ''}`);
    rows.push({ batch, medianMs: result.latency.p50, fastestMs: result.latency.min, samples: result.latency.samplesCount, logits: Array.from(first.subarray(0, 1000)) });
  }
  return { describe: timed.describe, crossOriginIsolated, userAgent: navigator.userAgent, rows };
}

window.benchModels = { run };
document.getElementById('status').textContent = 'ready';
