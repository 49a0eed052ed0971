// `npm run bench`: wasmconv (each ISA) against the JS reference and the peers (tfjs-cpu,
// tfjs-wasm, onnxruntime-web) on DESIGN.md's shapes S1–S8, passes forward, dX and dW+db, on one
// thread and on --threads threads (2 by default: rows "simd ×2", …). Prints the machine, the SIMD ceiling, a table and a headline on stdout (progress on
// stderr) and writes bench/results/latest.json and latest.svg. Flags: see options.js.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './machine.js';
import { POLICIES } from './measure.js';
import { USAGE, parseOptions } from './options.js';
import { ALGORITHM_ROWS, oursImpl, oursName, referenceImpl, supportedIsas } from './ours.js';
import { measureCeiling } from './probe/simd-ceiling.js';
import { addDerived, headline, threadScaling, winogradSpeedup } from './report/ratios.js';
import { renderSvg } from './report/svg.js';
import { headlineTable, resultsTable, threadsTable, winogradTable } from './report/table.js';
import { SHAPES, PASSES } from './shapes.js';
import { runSuite } from './suite.js';

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

let opts;
let IMPL_ORDER;
try {
  opts = parseOptions(process.argv.slice(2));
  const many = (name) => (opts.threads > 1 ? [`${name} ×${opts.threads}`] : []);
  // scalar has no multi-thread row: it would add minutes and say nothing the simd rows do not
  const algorithms = (isa) => ALGORITHM_ROWS.map((a) => oursName(isa, 1, a));
  IMPL_ORDER = [
    'relaxed-simd', ...algorithms('relaxed-simd'), ...many('relaxed-simd'), 'simd', ...algorithms('simd'), ...many('simd'), 'scalar', 'js-reference', 'tfjs-cpu',
    'tfjs-wasm', ...many('tfjs-wasm'), 'onnxruntime-web', ...many('onnxruntime-web'),
  ];
  const unknown = (opts.impls ?? []).filter((n) => !IMPL_ORDER.includes(n));
  if (unknown.length) throw new Error(`--impls: unknown ${unknown.join(', ')}; known: ${IMPL_ORDER.join(', ')}`);
} catch (e) {
  console.error(`${e.message}\n${USAGE}`);
  process.exit(2);
}
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
// the forced-'gemm' rows only on request: by default the plain rows are the library's choice
const wanted = (name, kind) => (opts.impls ? opts.impls.includes(name) : (kind !== 'peer' || opts.peers) && !name.endsWith('-gemm'));
const policy = POLICIES[opts.quick ? 'quick' : 'full'];
const progress = (m) => process.stderr.write(`${m}\n`);
const machine = machineInfo();
const isas = await supportedIsas();

console.log(`wasmconv bench · ${opts.quick ? 'quick' : 'full'} run · one thread${opts.threads > 1 ? ` and ${opts.threads} threads` : ''}`);
console.log(`machine: ${machine.cpu}, ${machine.cores} logical cores, ${machine.platform}, load ${machine.loadAverage.join(' ')}`);
console.log(`Node ${machine.node} (V8 ${machine.v8}); ISAs without flags: ${isas.join(', ')}`);

// 1. This machine's SIMD ceiling, then the relaxed-SIMD child (its ceiling and rows).
progress('SIMD ceiling probe (mul+add)');
const ceilings = { 'mul+add': (await measureCeiling('mul+add', { timeMs: opts.quick ? 300 : 1000 }))?.gflops ?? null };
let relaxed = { available: false, reason: 'not selected (--impls)' };
const threaded = (name) => `${name} ×${opts.threads}`;
const wantedRelaxed = wanted('relaxed-simd', 'ours') || (opts.threads > 1 && wanted(threaded('relaxed-simd'), 'ours')) ||
  ALGORITHM_ROWS.some((a) => wanted(oursName('relaxed-simd', 1, a), 'ours'));
if (wantedRelaxed) {
  relaxed = await runRelaxedChild(isas.includes('relaxed-simd') ? [] : [RELAXED_FLAG]);
  if (relaxed.available) ceilings.relaxed_madd = relaxed.probe?.gflops ?? null;
}

// 2. Everything else in this process.
const impls = [];
for (const isa of isas.filter((i) => i !== 'relaxed-simd')) {
  if (wanted(isa, 'ours')) impls.push(oursImpl(isa));
  for (const a of ALGORITHM_ROWS) if (isa !== 'scalar' && wanted(oursName(isa, 1, a), 'ours')) impls.push(oursImpl(isa, 1, a));
  if (isa !== 'scalar' && opts.threads > 1 && wanted(threaded(isa), 'ours')) impls.push(oursImpl(isa, opts.threads));
}
if (wanted('js-reference', 'reference')) impls.push(referenceImpl());
if (wanted('tfjs-cpu', 'peer') || wanted('tfjs-wasm', 'peer')) {
  const { tfjsImpl } = await import('./peers/tfjs.js');
  for (const b of ['cpu', 'wasm']) if (wanted(`tfjs-${b}`, 'peer')) impls.push(tfjsImpl(b));
}
if (opts.threads > 1 && wanted(threaded('tfjs-wasm'), 'peer')) {
  const { tfjsWasmThreadedImpl } = await import('./peers/tfjs.js');
  impls.push(tfjsWasmThreadedImpl(opts.threads));
}
if (wanted('onnxruntime-web', 'peer')) {
  const { onnxruntimeImpl } = await import('./peers/onnxruntime.js');
  impls.push(onnxruntimeImpl());
}
if (opts.threads > 1 && wanted(threaded('onnxruntime-web'), 'peer')) {
  const { onnxruntimeThreadedImpl } = await import('./peers/onnxruntime.js');
  impls.push(onnxruntimeThreadedImpl(opts.threads));
}

const rows = await runSuite({
  impls, shapes: opts.shapes, passes: opts.passes, policy,
  checkIsa: isas.includes('simd') ? 'simd' : 'scalar', progress,
});
if (relaxed.available) rows.push(...relaxed.rows);
else if (wantedRelaxed) {
  const names = ['relaxed-simd', ...ALGORITHM_ROWS.map((a) => oursName('relaxed-simd', 1, a)), ...(opts.threads > 1 ? [threaded('relaxed-simd')] : [])]
    .filter((n) => wanted(n, 'ours'));
  for (const shape of opts.shapes) for (const pass of opts.passes) for (const impl of names) {
    rows.push({ shape: shape.id, pass: pass.label, passId: pass.id, impl, kind: 'ours', status: 'unsupported', reason: `not available: ${relaxed.reason}` });
  }
}

// 3. Report.
const order = (list, key) => (r) => list.findIndex((x) => x === r[key]);
const byShape = order(SHAPES.map((s) => s.id), 'shape'), byPass = order(PASSES.map((p) => p.id), 'passId'), byImpl = order(IMPL_ORDER, 'impl');
rows.sort((a, b) => byShape(a) - byShape(b) || byPass(a) - byPass(b) || byImpl(a) - byImpl(b));
const derived = addDerived(rows, ceilings);
const report = {
  date: new Date().toISOString(),
  quick: opts.quick,
  policy,
  machine,
  isas: relaxed.available ? ['relaxed-simd', ...isas.filter((i) => i !== 'relaxed-simd')] : isas,
  relaxedSimd: relaxed.available ? { available: true, flag: RELAXED_FLAG } : { available: false, reason: relaxed.reason },
  ceilings,
  implementations: Object.fromEntries(impls.map((i) => [i.name, i.describe()])),
  rows: derived,
  headline: headline(derived),
  threadScaling: threadScaling(derived),
  winogradSpeedup: winogradSpeedup(derived),
};

console.log(`relaxed SIMD: ${relaxed.available ? `measured in a child process started with ${RELAXED_FLAG}` : relaxed.reason}`);
console.log(`SIMD ceiling (12 independent f32x4 accumulators, fastest call): ${Object.entries(ceilings).map(([k, v]) => `${k} ${v == null ? 'n/a' : `${v.toFixed(1)} GFLOP/s`}`).join(', ')}`);
console.log('% ceiling: of relaxed_madd for relaxed-simd rows, of mul+add for the rest. vs best peer: GFLOP/s ÷ the fastest peer\'s on that shape and pass.');
for (const [name, what] of Object.entries(report.implementations)) console.log(`  ${name}: ${what}`);
console.log(`\n${resultsTable(derived)}\n`);
console.log(`Headline: our fastest ISA against the fastest peer, one thread each\n\n${headlineTable(report.headline)}\n`);
if (report.winogradSpeedup.length > 0) {
  console.log(`Winograd against the GEMM path (algorithm: 'winograd' vs 'gemm'), same ISA, same run, interleaved rounds\n\n${winogradTable(report.winogradSpeedup)}\n`);
}
if (opts.threads > 1) console.log(`Threads: ${opts.threads} threads against one, same ISA, same run\n\n${threadsTable(report.threadScaling)}\n`);

const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('latest.json', dir), JSON.stringify(report, null, 2) + '\n');
writeFileSync(new URL('latest.svg', dir), renderSvg(report));
console.log(`wrote ${fileURLToPath(new URL('latest.json', dir))} and latest.svg`);

/** Runs bench/relaxed-child.js with the same flags; its stdout is one JSON object. */
function runRelaxedChild(nodeFlags) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, fileURLToPath(new URL('./relaxed-child.js', import.meta.url)), ...process.argv.slice(2)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 9) return resolve({ available: false, reason: `this Node does not know ${RELAXED_FLAG}` });
      if (code !== 0) return reject(new Error(`relaxed-simd child exited with ${code}`));
      resolve(JSON.parse(stdout));
    });
  });
}
