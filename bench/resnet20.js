// `npm run bench:resnet20`: the ResNet-20 rows of `npm run bench:train` on their own (see
// bench/resnet20-rows.js): training steps of nn.resnet20() (1×28×28, batch 128, SGD) on one thread
// and on --threads threads, 'auto' and 'gemm', beside PyTorch where it is installed. Prints a table
// and writes bench/results/resnet20.json.
// Flags: --batch N (128), --threads N (2), --rounds N (4), --steps N (per round, 5), --quick.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { backend, init } from 'wasmconv';
import { relaunchWithRelaxedSimd } from '../dist/node/relaunch.js';
import { resnet20Rows } from './resnet20-rows.js';

relaunchWithRelaxedSimd();

const { values } = parseArgs({
  options: { batch: { type: 'string' }, threads: { type: 'string' }, rounds: { type: 'string' }, steps: { type: 'string' }, quick: { type: 'boolean' } },
});
const quick = values.quick === true;
const BATCH = Number(values.batch ?? 128);
const THREADS = Number(values.threads ?? 2);
const ROUNDS = Number(values.rounds ?? (quick ? 2 : 4));
const STEPS = Number(values.steps ?? (quick ? 2 : 5));
for (const [name, v] of [['batch', BATCH], ['threads', THREADS], ['rounds', ROUNDS], ['steps', STEPS]]) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
}

await init();
console.log(`bench:resnet20 — ResNet-20 (272,186 parameters) training steps, 1×28×28, batch ${BATCH}, SGD; isa ${backend().isa}; ` +
  `${ROUNDS} rounds × ${STEPS} steps; Node ${process.version}; load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}\n`);
const { rows } = await resnet20Rows({ batch: BATCH, threads: THREADS, rounds: ROUNDS, steps: STEPS });

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/resnet20.json', import.meta.url), JSON.stringify({
  date: new Date().toISOString(), node: process.version, isa: backend().isa, loadavg: loadavg(), batch: BATCH, rounds: ROUNDS, stepsPerRound: STEPS, rows,
}, null, 2));
console.log('\nwrote bench/results/resnet20.json');
