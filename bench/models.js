// bench:models — whole torchvision models imported with nn.fromONNX (ResNet-18, MobileNetV2,
// SqueezeNet 1.1; built in code as torch.onnx.export writes them: bench/models/torchvision.js)
// against onnxruntime-web (wasm) and onnxruntime-node (native MLAS), batch 1 and 8, 1 and 2
// threads. Every implementation × thread count × model runs in a child process of its own
// (bench/models/child.js): onnxruntime-web takes env.wasm.numThreads only before its first
// session, relaxed SIMD needs Node's flag. The children of one model and thread count run back to
// back, so the ratios in a row were measured within a minute of each other on a noisy machine.
// Each child's logits for the first image are checked against onnxruntime-node's.
// Writes a table, the JSON (bench/results/models.json) and a chart (the same name, .svg).
//
//   node bench/models.js [--quick] [--models ResNet-18,MobileNetV2] [--batches 1,8] [--threads 1,2]
//                        [--no-relaxed] [--out bench/results/models.json]
//   BENCH_QUICK=1 is --quick: batch 1 only, a short time budget per case (a smoke run).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init, nn } from 'wasmconv';
import { machineInfo } from './machine.js';
import { modelBenchOptions } from './models/run-options.js';
import { MODELS } from './models/torchvision.js';
import { renderModelsSvg } from './report/models-svg.js';

const { args, quick: QUICK, batches, threads: THREADS, policy: POLICY } = modelBenchOptions({ out: 'bench/results/models.json' });
const BATCHES = batches.join(',');
const IMPLS = [
  { key: 'simd', name: 'wasmconv simd', impl: 'ours', isa: 'simd' },
  ...(args['no-relaxed'] ? [] : [{ key: 'relaxed', name: 'wasmconv relaxed-simd', impl: 'ours', isa: 'relaxed-simd', flags: ['--experimental-wasm-relaxed-simd'] }]),
  { key: 'ortWeb', name: 'onnxruntime-web', impl: 'ort-web' },
  { key: 'ortNode', name: 'onnxruntime-node', impl: 'ort-node' },
];
const TOLERANCE = 1e-4; // max |Δ| ≤ 1e-4·max |y| against onnxruntime-node, as the tests hold the importer

const machine = machineInfo();
console.log('bench:models — whole models through nn.fromONNX vs onnxruntime-web (wasm) and onnxruntime-node (native)');
console.log(`machine: ${machine.cpu}, ${machine.cores} logical cores, Node ${machine.node}, load ${machine.loadAverage.join(' ')} (shared: timings are noisy)`);
console.log(`${QUICK ? 'quick run' : 'full run'}: batches ${BATCHES}, threads ${THREADS.join(', ')}, tinybench ${POLICY.budget} ms and ≥ ${POLICY.minSamples} samples per case\n`);

const dir = mkdtempSync(join(tmpdir(), 'wasmconv-models-'));
const results = [];
try {
  await init({ isa: 'simd' });
  for (const label of args.models.split(',')) {
    if (!MODELS[label]) throw new Error(`unknown model '${label}' (known: ${Object.keys(MODELS).join(', ')})`);
    const bytes = MODELS[label]();
    const file = join(dir, `${label.replace(/\W+/g, '_')}.onnx`);
    writeFileSync(file, bytes);
    // what our importer cannot read yet is reported, not benchmarked (the peers still are)
    let unsupported = null;
    try {
      nn.fromONNX(bytes, { name: label }).dispose();
    } catch (error) {
      unsupported = error.message;
      console.log(`${label}: not supported by nn.fromONNX yet — ${unsupported}`);
    }
    for (const threads of THREADS) {
      console.log(`${label} (${(bytes.length / 2 ** 20).toFixed(1)} MiB), ${threads} thread(s):`);
      const byImpl = {};
      for (const impl of IMPLS) {
        if (impl.impl === 'ours' && unsupported) continue;
        const childArgs = [...(impl.flags ?? []), 'bench/models/child.js', '--impl', impl.impl, '--threads', String(threads), '--model', file,
          '--label', label, '--batches', BATCHES, '--budget', String(POLICY.budget), '--min-samples', String(POLICY.minSamples), ...(impl.isa ? ['--isa', impl.isa] : [])];
        try {
          byImpl[impl.key] = JSON.parse(execFileSync(process.execPath, childArgs, { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 }).toString());
        } catch (error) {
          console.log(`  ${impl.name} ×${threads} failed: ${error.message.split('\n')[0]}`);
        }
      }
      for (const batch of BATCHES.split(',').map(Number)) {
        const row = { model: label, batch, threads, unsupported };
        const reference = byImpl.ortNode?.rows.find((r) => r.batch === batch)?.logits;
        for (const impl of IMPLS) {
          const r = byImpl[impl.key]?.rows.find((x) => x.batch === batch);
          if (!r) continue;
          const scale = reference ? Math.max(...reference.map(Math.abs)) : NaN;
          const diff = reference ? Math.max(...r.logits.map((v, i) => Math.abs(v - reference[i]))) : NaN;
          row[impl.key] = { describe: byImpl[impl.key].describe, medianMs: r.medianMs, fastestMs: r.fastestMs, samples: r.samples, relDiffVsOrtNode: diff / scale };
          if (!(diff <= TOLERANCE * scale)) console.log(`  warning: ${impl.name} batch ${batch}: max |Δ| ${diff} vs onnxruntime-node exceeds ${TOLERANCE}·max |y| (${scale})`);
        }
        results.push(row);
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// speed-up of ours over a peer (peer ms ÷ our ms; > 1: ours is faster), median and fastest sample
const speedup = (ours, peer) => (ours && peer ? { median: peer.medianMs / ours.medianMs, fastest: peer.fastestMs / ours.fastestMs } : null);
for (const row of results) {
  const oneThread = results.find((r) => r.model === row.model && r.batch === row.batch && r.threads === 1);
  row.ratios = {
    simdVsOrtWeb: speedup(row.simd, row.ortWeb),
    simdVsOrtNode: speedup(row.simd, row.ortNode),
    relaxedVsOrtWeb: speedup(row.relaxed, row.ortWeb),
    simdVsOwn1Thread: row.threads > 1 ? speedup(row.simd, oneThread?.simd) : null,
  };
}

const loadAfter = machineInfo().loadAverage;
const chart = args.out.replace(/\.json$/, '') + '.svg';
writeFileSync(chart, renderModelsSvg({
  title: 'bench:models in Node, input 3×224×224: images/s (median; higher is better)',
  date: new Date().toISOString(), machine: { ...machine, loadAverageAfter: loadAfter }, rows: results, impls: IMPLS,
}));
writeFileSync(args.out, JSON.stringify({
  date: new Date().toISOString(),
  command: `node bench/models.js${QUICK ? ' --quick' : ''} --models ${args.models} --batches ${BATCHES} --threads ${args.threads}${args['no-relaxed'] ? ' --no-relaxed' : ''}`,
  machine: { ...machine, loadAverageAfter: loadAfter },
  policy: POLICY,
  models: 'torchvision architectures as torch.onnx.export writes them (opset 13, BN folded into Conv), seeded random weights, input 3×224×224 uniform [−1, 1)',
  ratios: 'speed-ups: peer ms ÷ our ms (> 1: ours faster), from medians and from fastest samples; simdVsOwn1Thread: our 1-thread ms ÷ our N-thread ms',
  rows: results,
}, null, 2) + '\n');

const ms = (m) => (m ? `${m.medianMs.toFixed(1)} / ${m.fastestMs.toFixed(1)}` : '—');
const x = (r) => (r ? `${r.median.toFixed(2)}× / ${r.fastest.toFixed(2)}×` : '—');
console.log('\nms as median / fastest sample; speed-ups as peer ms ÷ ours (median / fastest; > 1: ours faster)\n');
console.log('| model | batch | threads | ours simd ms | ours relaxed ms | ORT-web ms | ORT-node ms | simd vs ORT-web | relaxed vs ORT-web | simd vs ORT-node | simd vs own 1 thread |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  const ours = r.unsupported ? 'not supported' : ms(r.simd);
  console.log(`| ${r.model} | ${r.batch} | ${r.threads} | ${ours} | ${r.unsupported ? '—' : ms(r.relaxed)} | ${ms(r.ortWeb)} | ${ms(r.ortNode)} | ` +
    `${x(r.ratios.simdVsOrtWeb)} | ${x(r.ratios.relaxedVsOrtWeb)} | ${x(r.ratios.simdVsOrtNode)} | ${x(r.ratios.simdVsOwn1Thread)} |`);
}
console.log(`\nwritten to ${args.out} and ${chart}; load average after: ${loadAfter.join(' ')}`);
process.exit(0);
