// One epoch of minibatch training over an in-memory data set.
import { formatShape, sizeOf, type Tensor } from '../tensor.js';
import type { ImageAugment } from './augment.js';
import { clipGradNorm } from './clip.js';
import type { Optimizer } from './optim.js';
import type { LrSchedule } from './schedule.js';
import type { Random } from './random.js';
import type { Sequential } from './sequential.js';

export interface EpochOptions {
  batchSize: number;
  /** shuffles the samples (no shuffle without it) */
  random?: Random;
  /** called after every batch with the running mean loss and the samples seen so far */
  onBatch?: (progress: { samples: number; loss: number; correct: number }) => void;
  /** applied to every batch before its step (random crops, flips) */
  augment?: ImageAugment;
  /** clips the gradients to this global norm before every step (clipGradNorm) */
  clipNorm?: number;
  /** sets optimizer.lr = lrSchedule(firstStep + batch index) before every step */
  lrSchedule?: LrSchedule;
  /** the global index of this epoch's first step, for lrSchedule (default 0) */
  firstStep?: number;
}

export interface EpochResult {
  /** mean training loss over the epoch's batches */
  loss: number;
  /** training accuracy over the epoch (on the batches as trained) */
  accuracy: number;
  samples: number;
  /** optimiser steps taken (batches) */
  steps: number;
  seconds: number;
}

/** Trains `model` (a Sequential or a Graph) for one pass over x [N, ...] and labels; the last partial batch is used too. */
export function trainEpoch(model: Pick<Sequential, 'gradients' | 'parameters'>, optimizer: Optimizer, x: Tensor, labels: ArrayLike<number>, opts: EpochOptions): EpochResult {
  const N = x.shape[0];
  if (labels.length !== N) throw new Error(`trainEpoch: labels has ${labels.length} entries but x ${formatShape(x.shape)} has ${N} samples`);
  const batchSize = opts.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`trainEpoch: batchSize must be a positive integer, got ${batchSize}`);
  const per = sizeOf(x.shape.slice(1));
  const order = opts.random ? opts.random.permutation(N) : Uint32Array.from({ length: N }, (_, i) => i);
  const xb = new Float32Array(Math.min(batchSize, N) * per);
  const yb = new Int32Array(Math.min(batchSize, N));
  if (opts.clipNorm !== undefined && !(opts.clipNorm > 0)) throw new Error(`trainEpoch: clipNorm must be a number > 0, got ${opts.clipNorm}`);
  const params = opts.clipNorm !== undefined ? model.parameters() : [];
  const t0 = performance.now();
  let lossSum = 0, correct = 0, samples = 0, steps = 0;
  for (let start = 0; start < N; start += batchSize) {
    const n = Math.min(batchSize, N - start);
    for (let i = 0; i < n; i++) {
      const j = order[start + i];
      xb.set(x.data.subarray(j * per, (j + 1) * per), i * per);
      yb[i] = labels[j];
    }
    let batch: Tensor = { data: xb.subarray(0, n * per), shape: [n, ...x.shape.slice(1)] };
    if (opts.augment) batch = opts.augment.apply(batch);
    if (opts.lrSchedule) optimizer.lr = opts.lrSchedule((opts.firstStep ?? 0) + steps);
    const r = model.gradients(batch, yb.subarray(0, n));
    if (opts.clipNorm !== undefined) clipGradNorm(params, opts.clipNorm);
    optimizer.step();
    steps++;
    lossSum += r.loss * n;
    correct += r.correct;
    samples += n;
    opts.onBatch?.({ samples, loss: lossSum / samples, correct });
  }
  return { loss: lossSum / samples, accuracy: correct / samples, samples, steps, seconds: (performance.now() - t0) / 1000 };
}
