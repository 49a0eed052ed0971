// Add: y = a + b for two inputs of the same shape (the residual connection). Backward hands dy
// to both inputs as it is: ∂(a + b)/∂a = ∂(a + b)/∂b = 1, so nothing is computed or copied.
import { formatShape, sizeOf } from '../../tensor.js';
import { MergeLayer } from '../merge-layer.js';
import type { LayerSpec } from '../layer.js';
import { splitRange } from '../parallel.js';
import { Buffer, type Activation } from '../resident.js';

/** Elements below which the sum stays on one thread (as ReLU's). */
const MIN_SPLIT = 1 << 18;

export class Add extends MergeLayer {
  private readonly y: Buffer;
  private outShape: readonly number[] | null = null;

  constructor() {
    super('nn.Add', 2);
    this.y = new Buffer(this.backend, this.op);
  }

  forward(xs: readonly Activation[]): Activation {
    if (!Array.isArray(xs as unknown) || xs.length !== 2) throw new Error(`${this.op}: takes 2 inputs, got ${Array.isArray(xs) ? xs.length : String(xs)}`);
    const [a, b] = xs;
    if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
      throw new Error(`${this.op}: the inputs must have the same shape, got a ${formatShape(a.shape)} and b ${formatShape(b.shape)}`);
    }
    const count = sizeOf(a.shape);
    const y = this.y.reserve(count);
    splitRange(this.backend, this.op, count, MIN_SPLIT, (k, start, n) => k.f32_add(a.ptr + start * 4, b.ptr + start * 4, y + start * 4, n));
    this.outShape = a.shape;
    return { ptr: y, shape: a.shape };
  }

  backward(dy: Activation, inputGradients: readonly boolean[]): (Activation | null)[] {
    if (!this.outShape) throw new Error(`${this.op}: backward called before forward`);
    const shape = this.outShape;
    if (dy.shape.length !== shape.length || dy.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`${this.op}: dy has shape ${formatShape(dy.shape)} but the last forward pass output ${formatShape(shape)}`);
    }
    return [inputGradients[0] ? dy : null, inputGradients[1] ? dy : null];
  }

  spec(): LayerSpec {
    return { type: 'Add' };
  }

  dispose(): void {
    this.y.dispose();
    this.outShape = null;
  }
}
