// ReLU: y = max(x, 0); dx = dy where y > 0, else 0.
import { sizeOf } from '../tensor.js';
import { Layer, type LayerSpec } from './layer.js';
import { Buffer, type Activation } from './resident.js';

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
    this.backend.kernels.f32_relu(x.ptr, y, count);
    this.output = { ptr: y, shape: x.shape };
    return this.output;
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    const y = this.lastInput(this.output);
    this.checkGradientShape(dy, y.shape);
    if (!inputGradient) return null;
    const count = sizeOf(y.shape);
    const dx = this.dx.reserve(count);
    this.backend.kernels.f32_relu_backward(y.ptr, dy.ptr, dx, count);
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
