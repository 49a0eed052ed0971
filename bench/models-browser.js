// bench:models:browser — bench:models' whole models (ResNet-18, MobileNetV2, SqueezeNet 1.1 built
// as torch.onnx.export writes them: bench/models/torchvision.js) in Chromium: ours (nn.fromONNX,
// eval; simd and relaxed-simd) against onnxruntime-web (wasm), batch 1 and 8, 1 and 2 threads.
// Debian's Chromium is driven by playwright-core; the page (bench/models/browser/) is bundled by
// Vite and served cross-origin isolated (COOP/COEP: both libraries' threads need
// SharedArrayBuffer), with onnxruntime-web's own files under /ort/ and the models under /models/.
// Every implementation × thread count × model runs in a fresh page: onnxruntime-web reads
// env.wasm.numThreads only before its first session. Each page times every batch with tinybench;
// every implementation's logits for the first image are checked against onnxruntime-web's on one
// thread (max |Δ| ≤ 1e-4·max |y|). Writes a table, the JSON (bench/results/models-browser.json)
// and a chart (the same name, .svg).
//
//   node bench/models-browser.js [--quick] [--models ResNet-18,MobileNetV2] [--batches 1,8] [--threads 1,2]
//                                [--size 224] [--no-relaxed] [--out bench/results/models-browser.json]
//   BENCH_QUICK=1 is --quick: batch 1 only, a short time budget per case (a smoke run).
//   WASMCONV_CHROMIUM: the browser binary (default /usr/bin/chromium).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { machineInfo } from './machine.js';
import { modelBenchOptions } from './models/run-options.js';
import { MODELS } from './models/torchvision.js';
import { renderModelsSvg } from './report/models-svg.js';

const { args, quick: QUICK, batches: BATCHES, threads: THREADS, policy: POLICY } = modelBenchOptions({
  out: 'bench/results/models-browser.json',
  extra: { size: { type: 'string', default: '224' } },
});
const SIZE = Number(args.size);
const IMPLS = [
  { key: 'simd', name: 'wasmconv simd', impl: 'ours', isa: 'simd' },
  ...(args['no-relaxed'] ? [] : [{ key: 'relaxed', name: 'wasmconv relaxed-simd', impl: 'ours', isa: 'relaxed-simd' }]),
  { key: 'ortWeb', name: 'onnxruntime-web', impl: 'ort-web' },
];
const TOLERANCE = 1e-4; // max |Δ| ≤ 1e-4·max |y| against onnxruntime-web on one thread, as the tests hold the importer
const CHROMIUM = process.env.WASMCONV_CHROMIUM ?? '/usr/bin/chromium';
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const require = createRequire(import.meta.url);
const PAGE = fileURLToPath(new URL('./models/browser/', import.meta.url));
const ORT_DIST = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
const TYPES = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream' };

/** The page imports 'wasmconv' by name; inside the package Vite would not resolve it: the built dist/ through the exports map. */
const thisPackage = {
  name: 'wasmconv-by-name',
  enforce: 'pre',
  resolveId: (id) => (id === 'wasmconv' || id.startsWith('wasmconv/') ? require.resolve(id) : null),
};

/** Serves onnxruntime-web's dist/ files under /ort/ and the models (a Map of name → bytes) under /models/, cross-origin isolated. */
function extraFiles(models) {
  const send = (response, type, body) => {
    response.writeHead(200, { 'Content-Type': type, ...ISOLATION });
    response.end(body);
  };
  return {
    name: 'bench-models-files',
    configurePreviewServer(server) {
      server.middlewares.use('/ort/', (request, response, next) => {
        const file = normalize(join(ORT_DIST, decodeURIComponent(request.url.split('?')[0])));
        if (!file.startsWith(ORT_DIST) || !existsSync(file) || !TYPES[extname(file)]) return next();
        send(response, TYPES[extname(file)], readFileSync(file));
      });
      server.middlewares.use('/models/', (request, response, next) => {
        const bytes = models.get(decodeURIComponent(request.url.split('?')[0]).replace(/^\//, ''));
        if (!bytes) return next();
        send(response, TYPES['.onnx'], bytes);
      });
    },
  };
}

if (!existsSync(CHROMIUM)) throw new Error(`bench:models:browser needs Chromium at ${CHROMIUM} (Debian: apt-get install chromium), or WASMCONV_CHROMIUM pointing at one`);
const machine = machineInfo();
const labels = args.models.split(',');
for (const label of labels) if (!MODELS[label]) throw new Error(`unknown model '${label}' (known: ${Object.keys(MODELS).join(', ')})`);
const models = new Map(labels.map((label, i) => [`${i}.onnx`, MODELS[label]({ size: SIZE })]));

const outDir = mkdtempSync(join(tmpdir(), 'wasmconv-models-browser-'));
let server, browser;
const results = [];
try {
  await build({ configFile: false, root: PAGE, logLevel: 'warn', plugins: [thisPackage], build: { outDir, emptyOutDir: true } });
  server = await preview({
    configFile: false, root: PAGE, logLevel: 'warn', plugins: [extraFiles(models)], build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false, headers: ISOLATION },
  });
  const url = server.resolvedUrls.local[0];
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'], headless: true });
  const environment = `Chromium ${browser.version()}`;

  console.log('bench:models:browser — whole models through nn.fromONNX vs onnxruntime-web (wasm), in Chromium');
  console.log(`machine: ${machine.cpu}, ${machine.cores} logical cores, ${environment}, load ${machine.loadAverage.join(' ')} (shared: timings are noisy)`);
  console.log(`${QUICK ? 'quick run' : 'full run'}: input 3×${SIZE}×${SIZE}, batches ${BATCHES.join(', ')}, threads ${THREADS.join(', ')}, tinybench ${POLICY.budget} ms and ≥ ${POLICY.minSamples} samples per case\n`);

  /** One implementation × thread count in a fresh page: what the page's run() returns, or { error }. */
  const measure = async (impl, threads, file) => {
    const page = await browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      await page.goto(url);
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
      const result = await page.evaluate((options) => window.benchModels.run(options), {
        impl: impl.impl, isa: impl.isa, threads, url: `/models/${file}`, size: SIZE, batches: BATCHES, budget: POLICY.budget, minSamples: POLICY.minSamples,
      });
      if (!result.crossOriginIsolated) throw new Error('the page is not cross-origin isolated: no threads');
      if (pageErrors.length) throw new Error(pageErrors.join('; '));
      return result;
    } catch (error) {
      return { error: error.message.split('\n')[0] };
    } finally {
      await page.close();
    }
  };

  for (const [i, label] of labels.entries()) {
    const file = `${i}.onnx`;
    const references = new Map(); // batch → onnxruntime-web's logits on one thread (or on the first thread count run)
    for (const threads of THREADS) {
      console.log(`${label} (${(models.get(file).length / 2 ** 20).toFixed(1)} MiB), ${threads} thread(s):`);
      const byImpl = {};
      for (const impl of IMPLS) {
        byImpl[impl.key] = await measure(impl, threads, file);
        if (byImpl[impl.key].error) console.log(`  ${impl.name} ×${threads}: failed — ${byImpl[impl.key].error}`);
        for (const r of byImpl[impl.key].rows ?? []) {
          console.log(`  ${impl.name} ×${threads}, batch ${r.batch}: median ${r.medianMs.toFixed(1)} ms, fastest ${r.fastestMs.toFixed(1)} ms (${r.samples} samples)`);
        }
      }
      for (const batch of BATCHES) {
        if (!references.has(batch)) {
          const logits = byImpl.ortWeb.rows?.find((r) => r.batch === batch)?.logits;
          if (logits) references.set(batch, { threads, logits });
        }
        const reference = references.get(batch);
        const row = { environment, model: label, size: SIZE, batch, threads, referenceThreads: reference?.threads ?? null };
        for (const impl of IMPLS) {
          const measured = byImpl[impl.key];
          if (measured.error) {
            row[impl.key] = { error: measured.error };
            continue;
          }
          const r = measured.rows.find((x) => x.batch === batch);
          let relDiff = NaN;
          if (reference) {
            const scale = Math.max(...reference.logits.map(Math.abs));
            relDiff = Math.max(...r.logits.map((v, k) => Math.abs(v - reference.logits[k]))) / scale;
          }
          row[impl.key] = { describe: measured.describe, medianMs: r.medianMs, fastestMs: r.fastestMs, samples: r.samples, relDiffVsOrtWeb: relDiff };
          if (!(relDiff <= TOLERANCE)) console.log(`  warning: ${impl.name} ×${threads} batch ${batch}: max |Δ| / max |y| ${relDiff} vs onnxruntime-web exceeds ${TOLERANCE}`);
        }
        results.push(row);
      }
    }
  }
} finally {
  await browser?.close();
  await server?.close();
  rmSync(outDir, { recursive: true, force: true });
}

// speed-up of ours over a peer (peer ms ÷ our ms; > 1: ours is faster), median and fastest sample
const timed = (m) => (m && !m.error ? m : null);
const speedup = (ours, peer) => (timed(ours) && timed(peer) ? { median: peer.medianMs / ours.medianMs, fastest: peer.fastestMs / ours.fastestMs } : null);
for (const row of results) {
  const oneThread = results.find((r) => r.model === row.model && r.batch === row.batch && r.threads === 1);
  row.ratios = {
    simdVsOrtWeb: speedup(row.simd, row.ortWeb),
    relaxedVsOrtWeb: speedup(row.relaxed, row.ortWeb),
    simdVsOwn1Thread: row.threads > 1 ? speedup(row.simd, oneThread?.simd) : null,
    ortWebVsOwn1Thread: row.threads > 1 ? speedup(row.ortWeb, oneThread?.ortWeb) : null,
  };
}

const loadAfter = machineInfo().loadAverage;
const report = {
  date: new Date().toISOString(),
  command: `node bench/models-browser.js${QUICK ? ' --quick' : ''} --models ${args.models} --batches ${BATCHES.join(',')} --threads ${args.threads} --size ${SIZE}${args['no-relaxed'] ? ' --no-relaxed' : ''}`,
  environment: results[0]?.environment ?? null,
  machine: { ...machine, loadAverageAfter: loadAfter },
  policy: POLICY,
  models: `torchvision architectures as torch.onnx.export writes them (opset 13, BN folded into Conv), seeded random weights, input 3×${SIZE}×${SIZE} uniform [−1, 1)`,
  ratios: 'speed-ups: peer ms ÷ our ms (> 1: ours faster), from medians and from fastest samples; …VsOwn1Thread: the 1-thread ms ÷ the N-thread ms',
  agreement: `relDiffVsOrtWeb: max |Δ| / max |y| of the first image's logits against onnxruntime-web on ${THREADS.includes(1) ? 'one thread' : 'the first thread count run'}; ≤ ${TOLERANCE} expected`,
  rows: results,
};
writeFileSync(args.out, JSON.stringify(report, null, 2) + '\n');
const chart = args.out.replace(/\.json$/, '') + '.svg';
writeFileSync(chart, renderModelsSvg({
  title: `bench:models in ${report.environment ?? 'Chromium'}, input 3×${SIZE}×${SIZE}: images/s (median; higher is better)`,
  date: report.date, machine: report.machine, rows: results, impls: IMPLS,
}));

const ms = (m) => (timed(m) ? `${m.medianMs.toFixed(1)} / ${m.fastestMs.toFixed(1)}` : m?.error ? 'failed' : '—');
const x = (r) => (r ? `${r.median.toFixed(2)}× / ${r.fastest.toFixed(2)}×` : '—');
console.log('\nms as median / fastest sample; speed-ups as peer ms ÷ ours (median / fastest; > 1: ours faster)\n');
console.log('| environment | model | batch | threads | ours simd ms | ours relaxed ms | ORT-web ms | simd vs ORT-web | relaxed vs ORT-web | simd vs own 1 thread | ORT-web vs own 1 thread |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.environment} | ${r.model} | ${r.batch} | ${r.threads} | ${ms(r.simd)} | ${ms(r.relaxed)} | ${ms(r.ortWeb)} | ` +
    `${x(r.ratios.simdVsOrtWeb)} | ${x(r.ratios.relaxedVsOrtWeb)} | ${x(r.ratios.simdVsOwn1Thread)} | ${x(r.ratios.ortWebVsOwn1Thread)} |`);
}
console.log(`\nwritten to ${args.out} and ${chart}; load average after: ${loadAfter.join(' ')}`);
