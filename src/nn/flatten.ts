// Flatten: [N, ...] → [N, product of the rest]; forward and backward only relabel the shape.
import { sizeOf } from '../tensor.js';
import { Layer, type LayerSpec } from './layer.js';
import type { Activation } from './resident.js';

/** Flatten: [N, ...] → [N, product of the rest]. A reshape: no data moves. */
export class Flatten extends Layer {
  private inShape: readonly number[] | null = null;

  constructor() {
    super('nn.Flatten');
  }

  forward(x: Activation): Activation {
    this.inShape = x.shape;
    return { ptr: x.ptr, shape: [x.shape[0], sizeOf(x.shape.slice(1))] };
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    if (!this.inShape) throw new Error(`${this.op}: backward called before forward`);
    this.checkGradientShape(dy, [this.inShape[0], sizeOf(this.inShape.slice(1))]);
    return inputGradient ? { ptr: dy.ptr, shape: this.inShape } : null;
  }

  spec(): LayerSpec {
    return { type: 'Flatten' };
  }

  dispose(): void {
    this.inShape = null;
  }
}
