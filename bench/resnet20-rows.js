// ResNet-20 training steps (nn.resnet20(), 1×28×28, SGD with momentum) on one thread and on
// `threads` threads, with the convs' algorithm 'auto' (Winograd where it pays) and 'gemm', the
// configurations taking turns over several rounds so that a burst of another job lands on all of
// them. PyTorch, where `python3 -c 'import torch'` works, runs the same model as the native anchor
// (bench/pytorch/resnet20.py) in the same rounds; otherwise its row says "not installed" (the
// bench never installs Python packages). Shared by `npm run bench:resnet20` and `npm run bench:train`.
import { execFileSync, spawnSync } from 'node:child_process';
import { init, nn } from 'wasmconv';

const WARM = 3;

/** `steps` timed training steps (ms each) of a fresh model after WARM untimed ones. */
async function oursSteps(x, labels, threads, algorithm, steps) {
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

const median = (a) => {
  const s = [...a].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (v, d = 0) => v.toFixed(d);

/**
 * Runs the rounds and prints the table (median and fastest step, images/s, ratios vs PyTorch at
 * the same thread count). Returns the rows and the summary ratios.
 */
export async function resnet20Rows({ batch, threads, rounds, steps, log = console.log }) {
  const x = { data: new Float32Array(batch * 784).map((_, i) => 0.5 + 0.5 * Math.sin(i)), shape: [batch, 1, 28, 28] };
  const labels = Int32Array.from({ length: batch }, (_, i) => i % 10);
  // Debian's python3-torch is for the system Python, which may not be the first python3 on PATH
  const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  const script = new URL('./pytorch/resnet20.py', import.meta.url).pathname;
  const torchSteps = (t, n) => JSON.parse(execFileSync(python, [script, String(batch), String(t), String(n), String(WARM)], { encoding: 'utf8' }).trim().split('\n').pop()).ms;

  const configs = [];
  for (const t of threads > 1 ? [1, threads] : [1]) {
    for (const algorithm of ['auto', 'gemm']) {
      configs.push({ name: `wasmconv ${algorithm}${t > 1 ? ` ×${t}` : ''}`, run: (n) => oursSteps(x, labels, t, algorithm, n), threads: t, algorithm });
    }
    configs.push({ name: `PyTorch${t > 1 ? ` ×${t}` : ''}`, run: python ? async (n) => torchSteps(t, n) : null, threads: t });
  }
  const samples = new Map(configs.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    log(`  round ${round + 1}/${rounds}`);
    for (const c of configs) if (c.run) samples.get(c.name).push(...(await c.run(steps)));
  }

  const rows = configs.map((c) => {
    const ms = samples.get(c.name);
    if (!c.run) return { name: c.name, status: 'not installed (import torch fails in python3 and /usr/bin/python3)' };
    return { name: c.name, threads: c.threads, algorithm: c.algorithm, steps: ms.length, medianMs: median(ms), fastestMs: Math.min(...ms), ms };
  });
  const byName = new Map(rows.map((r) => [r.name, r]));
  log('| implementation | steps | median step | fastest step | images/s (median / fastest) | vs PyTorch, same threads (median / fastest) |');
  log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    if (!r.medianMs) {
      log(`| ${r.name} | — | — | — | ${r.status} | |`);
      continue;
    }
    const torch = byName.get(`PyTorch${r.threads > 1 ? ` ×${r.threads}` : ''}`);
    r.vsPyTorch = torch?.medianMs && !r.name.startsWith('PyTorch') ? { median: torch.medianMs / r.medianMs, fastest: torch.fastestMs / r.fastestMs } : undefined;
    const vs = r.vsPyTorch ? `${fmt(r.vsPyTorch.median, 2)}× / ${fmt(r.vsPyTorch.fastest, 2)}×` : '';
    log(`| ${r.name} | ${r.steps} | ${fmt(r.medianMs)} ms | ${fmt(r.fastestMs)} ms | ${fmt((batch / r.medianMs) * 1000)} / ${fmt((batch / r.fastestMs) * 1000)} | ${vs} |`);
  }
  const one = byName.get('wasmconv auto'), many = byName.get(`wasmconv auto ×${threads}`), gemm = byName.get('wasmconv gemm');
  const summary = {
    autoOverGemm: { median: gemm.medianMs / one.medianMs, fastest: gemm.fastestMs / one.fastestMs },
    threadsOverOne: many ? { threads, median: one.medianMs / many.medianMs, fastest: one.fastestMs / many.fastestMs } : undefined,
  };
  log(`\n'auto' ÷ 'gemm', one thread: ${fmt(summary.autoOverGemm.median, 2)}× (median) / ${fmt(summary.autoOverGemm.fastest, 2)}× (fastest)`);
  if (many) log(`${threads} threads ÷ 1, 'auto': ${fmt(summary.threadsOverOne.median, 2)}× (median) / ${fmt(summary.threadsOverOne.fastest, 2)}× (fastest)`);
  return { rows, summary };
}
