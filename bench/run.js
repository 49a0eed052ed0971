// `npm run bench`: forward and backward (dX + dW + db) on DESIGN.md's shapes, every ISA this
// engine supports side by side in one run, plus the JS reference where it finishes in time.
// Prints a table (median ms, GFLOP/s, speed-up over the reference or the scalar build) and
// writes bench/results/latest.json. `--quick` runs each task for less time.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { backend, conv1d, conv1dBackward, conv2d, conv2dBackward, init } from 'wasmconv';
import { conv1dBackwardRef, conv1dRef, conv2dBackwardRef, conv2dRef } from 'wasmconv/reference';
import { relaunchWithRelaxedSimd } from '../scripts/relaunch-with-relaxed-simd.js';
import { randomTensor } from './random-tensor.js';
import { SHAPES, flopsPerPass, outputSizes } from './shapes.js';

relaunchWithRelaxedSimd();

const quick = process.argv.includes('--quick');
const TASK_MS = quick ? 150 : 1000;
/** The float64 reference takes seconds per call on most shapes; it runs where a pass is under ~0.1 GFLOP. */
const REFERENCE_MAX_FLOPS = 1e8;

await init();
const isas = backend().supported;
const rows = [];
console.log(`wasmconv bench: ISAs ${isas.join(', ')}; ${quick ? 'quick' : 'full'} run, one thread, Node ${process.version}\n`);

for (const shape of SHAPES) {
  const is2d = shape.x.length === 4;
  const x = randomTensor(shape.x, 1);
  const w = randomTensor(shape.w, 2);
  const dy = randomTensor([shape.x[0], shape.w[0], ...outputSizes(shape)], 3);
  const flops = flopsPerPass(shape);
  const forward = is2d ? () => conv2d(x, w, null, shape.opts) : () => conv1d(x, w, null, shape.opts);
  const backward = is2d ? () => conv2dBackward(dy, x, w, shape.opts) : () => conv1dBackward(dy, x, w, shape.opts);
  const candidates = isas.map((isa) => ({ name: isa, setup: () => init({ isa }), forward, backward }));
  if (flops <= REFERENCE_MAX_FLOPS) {
    candidates.push({
      name: 'js-reference',
      setup: async () => {},
      forward: is2d ? () => conv2dRef(x, w, null, shape.opts) : () => conv1dRef(x, w, null, shape.opts),
      backward: is2d ? () => conv2dBackwardRef(dy, x, w, shape.opts) : () => conv1dBackwardRef(dy, x, w, shape.opts),
    });
  }
  for (const [pass, passFlops] of [['forward', flops], ['dX+dW+db', 2 * flops]]) {
    const measured = [];
    for (const c of candidates) {
      await c.setup();
      const bench = new Bench({ time: TASK_MS, warmupTime: TASK_MS / 4, iterations: 3, warmupIterations: 1 });
      bench.add(c.name, pass === 'forward' ? c.forward : c.backward);
      await bench.run();
      const result = bench.tasks[0].result;
      if (result.state !== 'completed') throw new Error(`${shape.id} ${pass} ${c.name}: ${result.state} ${result.error ?? ''}`);
      const ms = result.latency.p50;
      measured.push({ shape: shape.id, pass, impl: c.name, ms, gflops: passFlops / ms / 1e6, samples: result.latency.samplesCount });
    }
    const baseline = measured.find((m) => m.impl === 'js-reference') ?? measured.find((m) => m.impl === 'scalar');
    for (const m of measured) {
      m.speedup = baseline.ms / m.ms;
      m.baseline = baseline.impl;
      rows.push(m);
    }
  }
}

const header = ['shape', 'pass', 'impl', 'median ms', 'GFLOP/s', 'speed-up'];
const table = rows.map((r) => [r.shape, r.pass, r.impl, r.ms.toFixed(3), r.gflops.toFixed(2), `${r.speedup.toFixed(1)}× ${r.baseline}`]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => (i >= 3 && i < 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w, i) => (i >= 3 && i < 5 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
for (const r of table) console.log(line(r));

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const out = new URL('./results/latest.json', import.meta.url);
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, quick, isas, rows }, null, 2) + '\n');
console.log(`\nwrote ${out.pathname}`);
