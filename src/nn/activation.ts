// ReLU: y = max(x, 0); dx = dy where y > 0, else 0.
import { sizeOf } from '../tensor.js';
import { Layer, type LayerSpec } from './layer.js';
import { splitRange } from './parallel.js';
import { Buffer, type Activation } from './resident.js';

/** Elements below which ReLU stays on one thread (~50 µs of work). */
const MIN_SPLIT = 1 << 18;

export class ReLU extends Layer {
  private readonly y: Buffer;
  private readonly dx: Buffer;
  private output: Activation | null = null;

  constructor() {
    super('nn.ReLU');
    this.y = new Buffer(this.backend, this.op);
    this.dx = new Buffer(this.backend, this.op);
  }

  forward(x: Activation): Activation {
    const count = sizeOf(x.shape);
    const y = this.y.reserve(count);
    splitRange(this.backend, this.op, count, MIN_SPLIT, (k, start, n) => k.f32_relu(x.ptr + start * 4, y + start * 4, n));
    this.output = { ptr: y, shape: x.shape };
    return this.output;
  }

  /**
   * @internal nn.Graph's fusion: the conv before this layer computed its output y with the ReLU
   * applied (graph/fusion.ts); backward masks dy by it as by this layer's own output.
   */
  adoptFusedOutput(y: Activation): void {
    this.output = y;
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    const y = this.lastInput(this.output);
    this.checkGradientShape(dy, y.shape);
    if (!inputGradient) return null;
    const count = sizeOf(y.shape);
    const dx = this.dx.reserve(count);
    splitRange(this.backend, this.op, count, MIN_SPLIT, (k, start, n) =>
      k.f32_relu_backward(y.ptr + start * 4, dy.ptr + start * 4, dx + start * 4, n));
    return { ptr: dx, shape: y.shape };
  }

  spec(): LayerSpec {
    return { type: 'ReLU' };
  }

  dispose(): void {
    this.y.dispose();
    this.dx.dispose();
    this.output = null;
  }
}
