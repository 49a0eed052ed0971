// Softmax cross-entropy on resident logits [N, classes] with integer labels: the mean loss over
// the batch, the count of correct argmax predictions, and dlogits = (softmax − target) / N, where
// the target is onehot(label), or with label smoothing ε (PyTorch's label_smoothing)
// (1 − ε)·onehot(label) + ε/classes.
import type { Backend } from '../runtime.js';
import { requireBackend } from '../runtime.js';
import { Buffer, type Activation } from './resident.js';

export interface LossResult {
  /** mean cross-entropy over the batch */
  loss: number;
  /** how many rows' largest logit is at the label */
  correct: number;
}

export interface SoftmaxCrossEntropyOptions {
  /** ε in [0, 1): the share of the target spread evenly over the classes, default 0 */
  labelSmoothing?: number;
}

/** Throws unless ε is a number in [0, 1). */
export function checkLabelSmoothing(op: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) throw new Error(`${op}: labelSmoothing must be a number in [0, 1), got ${String(value)}`);
  return value;
}

export class SoftmaxCrossEntropy {
  private readonly backend: Backend;
  private smoothing: number;
  private readonly labels: Buffer;
  private readonly dz: Buffer;
  private last: Activation | null = null;

  constructor(backend?: Backend, opts: SoftmaxCrossEntropyOptions = {}) {
    this.backend = backend ?? requireBackend('nn.SoftmaxCrossEntropy');
    this.smoothing = checkLabelSmoothing('nn.SoftmaxCrossEntropy', opts.labelSmoothing ?? 0);
    this.labels = new Buffer(this.backend, 'nn.SoftmaxCrossEntropy');
    this.dz = new Buffer(this.backend, 'nn.SoftmaxCrossEntropy');
  }

  /** ε, the label smoothing; may be changed between steps. */
  get labelSmoothing(): number {
    return this.smoothing;
  }

  set labelSmoothing(value: number) {
    this.smoothing = checkLabelSmoothing('nn.SoftmaxCrossEntropy', value);
  }

  /** Loss of logits against labels (integers in [0, classes)); keeps dlogits for backward(). */
  forward(logits: Activation, labels: ArrayLike<number>): LossResult {
    const op = 'nn.SoftmaxCrossEntropy';
    if (logits.shape.length !== 2) {
      throw new Error(`${op}: logits must be [N, classes], got shape [${logits.shape.join(',')}]`);
    }
    const [N, classes] = logits.shape;
    if (labels.length !== N) {
      throw new Error(`${op}: labels has ${labels.length} entries but logits [${logits.shape.join(',')}] has ${N} rows`);
    }
    const labelsPtr = this.labels.reserve(N);
    const dz = this.dz.reserve(N * classes);
    const { kernels, arena } = this.backend;
    const i32 = arena.i32();
    for (let r = 0; r < N; r++) {
      const label = labels[r];
      if (!Number.isInteger(label) || label < 0 || label >= classes) {
        throw new Error(`${op}: labels[${r}] is ${label}; labels must be integers in [0, ${classes})`);
      }
      i32[(labelsPtr >>> 2) + r] = label;
    }
    // count correct predictions before the kernel (dz is a separate buffer, logits stay intact)
    const f32 = arena.f32();
    let correct = 0;
    for (let r = 0; r < N; r++) {
      const row = (logits.ptr >>> 2) + r * classes;
      let best = 0;
      for (let j = 1; j < classes; j++) if (f32[row + j] > f32[row + best]) best = j;
      if (best === labels[r]) correct++;
    }
    const sum = kernels.f32_softmax_xent(logits.ptr, labelsPtr, N, classes, dz, 1 / N, this.smoothing);
    this.last = { ptr: dz, shape: logits.shape };
    return { loss: sum / N, correct };
  }

  /** dlogits of the last forward(): ∂(mean loss)/∂logits. */
  backward(): Activation {
    if (!this.last) throw new Error('nn.SoftmaxCrossEntropy: backward called before forward');
    return this.last;
  }

  dispose(): void {
    this.labels.dispose();
    this.dz.dispose();
    this.last = null;
  }
}
