// One epoch of minibatch training over an in-memory data set.
import { formatShape, sizeOf, type Tensor } from '../tensor.js';
import type { Optimizer } from './optim.js';
import type { Random } from './random.js';
import type { Sequential } from './sequential.js';

export interface EpochOptions {
  batchSize: number;
  /** shuffles the samples (no shuffle without it) */
  random?: Random;
  /** called after every batch with the running mean loss and the samples seen so far */
  onBatch?: (progress: { samples: number; loss: number; correct: number }) => void;
}

export interface EpochResult {
  /** mean training loss over the epoch's batches */
  loss: number;
  /** training accuracy over the epoch (on the batches as trained) */
  accuracy: number;
  samples: number;
  seconds: number;
}

/** Trains `model` (a Sequential or a Graph) for one pass over x [N, ...] and labels; the last partial batch is used too. */
export function trainEpoch(model: Pick<Sequential, 'trainStep'>, optimizer: Optimizer, x: Tensor, labels: ArrayLike<number>, opts: EpochOptions): EpochResult {
  const N = x.shape[0];
  if (labels.length !== N) throw new Error(`trainEpoch: labels has ${labels.length} entries but x ${formatShape(x.shape)} has ${N} samples`);
  const batchSize = opts.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`trainEpoch: batchSize must be a positive integer, got ${batchSize}`);
  const per = sizeOf(x.shape.slice(1));
  const order = opts.random ? opts.random.permutation(N) : Uint32Array.from({ length: N }, (_, i) => i);
  const xb = new Float32Array(Math.min(batchSize, N) * per);
  const yb = new Int32Array(Math.min(batchSize, N));
  const t0 = performance.now();
  let lossSum = 0, correct = 0, samples = 0;
  for (let start = 0; start < N; start += batchSize) {
    const n = Math.min(batchSize, N - start);
    for (let i = 0; i < n; i++) {
      const j = order[start + i];
      xb.set(x.data.subarray(j * per, (j + 1) * per), i * per);
      yb[i] = labels[j];
    }
    const r = model.trainStep({ data: xb.subarray(0, n * per), shape: [n, ...x.shape.slice(1)] }, yb.subarray(0, n), optimizer);
    lossSum += r.loss * n;
    correct += r.correct;
    samples += n;
    opts.onBatch?.({ samples, loss: lossSum / samples, correct });
  }
  return { loss: lossSum / samples, accuracy: correct / samples, samples, seconds: (performance.now() - t0) / 1000 };
}
