// `npm run bench:resnet20`: ResNet-20 training steps (nn.resnet20(), 1×28×28, batch 128, SGD
// with momentum) on one thread and on --threads threads, with the convs' algorithm 'auto'
// (Winograd where it pays) and 'gemm', the configurations taking turns over several rounds so
// that a burst of another job lands on all of them. PyTorch, where `python3 -c 'import torch'`
// works, runs the same model as the native anchor (bench/pytorch/resnet20.py), in the same
// rounds; otherwise its row says "not installed" (the bench never installs Python packages).
// Prints a table (median and fastest step, images/s, ratios) and writes bench/results/resnet20.json.
// Flags: --batch N (128), --threads N (2), --rounds N (4), --steps N (per round, 5), --quick.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { backend, init, nn } from 'wasmconv';
import { relaunchWithRelaxedSimd } from '../dist/node/relaunch.js';

relaunchWithRelaxedSimd();

const { values } = parseArgs({
  options: { batch: { type: 'string' }, threads: { type: 'string' }, rounds: { type: 'string' }, steps: { type: 'string' }, quick: { type: 'boolean' } },
});
const quick = values.quick === true;
const BATCH = Number(values.batch ?? 128);
const THREADS = Number(values.threads ?? 2);
const ROUNDS = Number(values.rounds ?? (quick ? 2 : 4));
const STEPS = Number(values.steps ?? (quick ? 2 : 5));
const WARM = 3;
for (const [name, v] of [['batch', BATCH], ['threads', THREADS], ['rounds', ROUNDS], ['steps', STEPS]]) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
}

const x = { data: new Float32Array(BATCH * 784).map((_, i) => 0.5 + 0.5 * Math.sin(i)), shape: [BATCH, 1, 28, 28] };
const labels = Int32Array.from({ length: BATCH }, (_, i) => i % 10);

/** `steps` timed training steps (ms each) of a fresh model after WARM untimed ones. */
async function oursSteps(threads, algorithm, steps) {
  await init({ threads });
  const model = nn.resnet20({ seed: 1, algorithm });
  const opt = new nn.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  for (let i = 0; i < WARM; i++) model.trainStep(x, labels, opt);
  const ms = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    model.trainStep(x, labels, opt);
    ms.push(performance.now() - start);
  }
  opt.dispose();
  model.dispose();
  return ms;
}

// Debian's python3-torch is for the system Python, which may not be the first python3 on PATH
const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
const hasTorch = python !== undefined;
const script = new URL('./pytorch/resnet20.py', import.meta.url).pathname;
function torchSteps(threads, steps) {
  const out = execFileSync(python, [script, String(BATCH), String(threads), String(steps), String(WARM)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()).ms;
}

const configs = [];
for (const threads of THREADS > 1 ? [1, THREADS] : [1]) {
  for (const algorithm of ['auto', 'gemm']) configs.push({ name: `wasmconv ${algorithm}${threads > 1 ? ` ×${threads}` : ''}`, run: (n) => oursSteps(threads, algorithm, n), threads, algorithm });
  configs.push({ name: `PyTorch${threads > 1 ? ` ×${threads}` : ''}`, run: hasTorch ? async (n) => torchSteps(threads, n) : null, threads });
}

await init();
console.log(`bench:resnet20 — ResNet-20 (272,186 parameters) training steps, 1×28×28, batch ${BATCH}, SGD; isa ${backend().isa}; ` +
  `${ROUNDS} rounds × ${STEPS} steps; Node ${process.version}; load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}\n`);
const samples = new Map(configs.map((c) => [c.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const c of configs) if (c.run) samples.get(c.name).push(...(await c.run(STEPS)));
}

const median = (a) => { const s = [...a].sort((p, q) => p - q); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const rows = configs.map((c) => {
  const ms = samples.get(c.name);
  if (!c.run) return { name: c.name, status: 'not installed (import torch fails in python3 and /usr/bin/python3)' };
  return { name: c.name, threads: c.threads, algorithm: c.algorithm, steps: ms.length, medianMs: median(ms), fastestMs: Math.min(...ms), ms };
});
const byName = new Map(rows.map((r) => [r.name, r]));
const fmt = (v, d = 0) => v.toFixed(d);
console.log('| implementation | steps | median step | fastest step | images/s (median / fastest) | vs PyTorch, same threads (median / fastest) |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  if (!r.medianMs) {
    console.log(`| ${r.name} | — | — | — | ${r.status} | |`);
    continue;
  }
  const torch = byName.get(`PyTorch${r.threads > 1 ? ` ×${r.threads}` : ''}`);
  const vs = torch?.medianMs && !r.name.startsWith('PyTorch') ? `${fmt(torch.medianMs / r.medianMs, 2)}× / ${fmt(torch.fastestMs / r.fastestMs, 2)}×` : '';
  console.log(`| ${r.name} | ${r.steps} | ${fmt(r.medianMs)} ms | ${fmt(r.fastestMs)} ms | ${fmt((BATCH / r.medianMs) * 1000)} / ${fmt((BATCH / r.fastestMs) * 1000)} | ${vs} |`);
}
const one = byName.get('wasmconv auto'), many = byName.get(`wasmconv auto ×${THREADS}`), gemm = byName.get('wasmconv gemm');
console.log(`\n'auto' ÷ 'gemm', one thread: ${fmt(gemm.medianMs / one.medianMs, 2)}× (median) / ${fmt(gemm.fastestMs / one.fastestMs, 2)}× (fastest)`);
if (many) console.log(`${THREADS} threads ÷ 1, 'auto': ${fmt(one.medianMs / many.medianMs, 2)}× (median) / ${fmt(one.fastestMs / many.fastestMs, 2)}× (fastest)`);

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/resnet20.json', import.meta.url), JSON.stringify({
  date: new Date().toISOString(), node: process.version, isa: backend().isa, loadavg: loadavg(), batch: BATCH, rounds: ROUNDS, stepsPerRound: STEPS, rows,
}, null, 2));
console.log('\nwrote bench/results/resnet20.json');
