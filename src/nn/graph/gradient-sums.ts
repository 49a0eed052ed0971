// The gradients of a Graph's tensors during one backward pass. A tensor read by one layer takes
// that layer's dx as it is (no copy); a tensor read by several gets the sum of their dx, written
// into a buffer of its own. A dx handed over this way stays valid for the rest of the pass: each
// layer runs backward once per pass, and a tensor's sum buffer is written only until its
// producer (which comes after all its readers, in reverse order) has taken it.
import type { Backend } from '../../runtime.js';
import { formatShape, sizeOf } from '../../tensor.js';
import { splitRange } from '../parallel.js';
import { Buffer, type Activation } from '../resident.js';

/** Elements below which a sum stays on one thread (as ReLU's). */
const MIN_SPLIT = 1 << 18;

export class GradientSums {
  private readonly sums = new Map<string, Buffer>();
  private readonly current = new Map<string, Activation>();

  constructor(private readonly backend: Backend, private readonly op: string) {}

  /** Starts a backward pass: no tensor has a gradient yet. */
  clear(): void {
    this.current.clear();
  }

  /** ∂L/∂tensor so far, or undefined when nothing read it on the way to the loss. */
  get(tensor: string): Activation | undefined {
    return this.current.get(tensor);
  }

  /** Adds one reader's contribution g to the tensor's gradient. */
  add(tensor: string, g: Activation): void {
    const prev = this.current.get(tensor);
    if (!prev) {
      this.current.set(tensor, g);
      return;
    }
    if (prev.shape.length !== g.shape.length || prev.shape.some((d, i) => d !== g.shape[i])) {
      throw new Error(`${this.op}: gradients of '${tensor}' have shapes ${formatShape(prev.shape)} and ${formatShape(g.shape)}`);
    }
    let buffer = this.sums.get(tensor);
    if (!buffer) this.sums.set(tensor, (buffer = new Buffer(this.backend, this.op)));
    const count = sizeOf(g.shape);
    const sum = buffer.reserve(count);
    splitRange(this.backend, this.op, count, MIN_SPLIT, (k, start, n) => k.f32_add(prev.ptr + start * 4, g.ptr + start * 4, sum + start * 4, n));
    this.current.set(tensor, { ptr: sum, shape: g.shape });
  }

  dispose(): void {
    for (const b of this.sums.values()) b.dispose();
    this.sums.clear();
    this.current.clear();
  }
}
