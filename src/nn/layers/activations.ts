// Element-wise activations beyond ReLU: LeakyReLU, Clip (and ReLU6 = Clip(0, 6)), HardSigmoid,
// HardSwish, Sigmoid, Tanh and SiLU. Each is one kernel over the input and one over the input
// and dy (assembly/f32-activation/): the backward passes read the layer's input x, which stays
// where the previous layer wrote it until that layer's next forward pass. Split across the
// pool's threads by contiguous ranges, so any thread count gives the same bits.
import { sizeOf } from '../../tensor.js';
import type { KernelExports } from '../../loader.js';
import { Layer, type LayerSpec } from '../layer.js';
import { splitRange } from '../parallel.js';
import { Buffer, type Activation } from '../resident.js';

/** Elements below which a pass stays on one thread (as ReLU's). */
const MIN_SPLIT = 1 << 18;

/** The largest float32: the bound an ONNX Clip without min or max stands for. */
export const FLOAT32_MAX = 3.4028234663852886e38;

function finite(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${op}: ${name} must be a finite number, got ${String(value)}`);
  return value;
}

/** What every element-wise activation shares: buffers, threading and the shape checks. */
abstract class ElementwiseActivation extends Layer {
  private readonly y: Buffer;
  private readonly dx: Buffer;
  private input: Activation | null = null;

  protected constructor(op: string) {
    super(op);
    this.y = new Buffer(this.backend, this.op);
    this.dx = new Buffer(this.backend, this.op);
  }

  /** y = f(x) over `count` floats at byte addresses x and y. */
  protected abstract forwardKernel(k: KernelExports, x: number, y: number, count: number): void;
  /** dx = dy·f'(x) over `count` floats. */
  protected abstract backwardKernel(k: KernelExports, x: number, dy: number, dx: number, count: number): void;

  forward(x: Activation): Activation {
    const count = sizeOf(x.shape);
    const y = this.y.reserve(count);
    splitRange(this.backend, this.op, count, MIN_SPLIT, (k, start, n) => this.forwardKernel(k, x.ptr + start * 4, y + start * 4, n));
    this.input = x;
    return { ptr: y, shape: x.shape };
  }

  /** What backward reads as the layer's input (Clip's fusion into a conv, below). */
  protected setInput(x: Activation): void {
    this.input = x;
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    const x = this.lastInput(this.input);
    this.checkGradientShape(dy, x.shape);
    if (!inputGradient) return null;
    const count = sizeOf(x.shape);
    const dx = this.dx.reserve(count);
    splitRange(this.backend, this.op, count, MIN_SPLIT, (k, start, n) =>
      this.backwardKernel(k, x.ptr + start * 4, dy.ptr + start * 4, dx + start * 4, n));
    return { ptr: dx, shape: x.shape };
  }

  dispose(): void {
    this.y.dispose();
    this.dx.dispose();
    this.input = null;
  }
}

/** y = x for x > 0, negativeSlope·x otherwise (PyTorch's LeakyReLU, ONNX's LeakyRelu; default slope 0.01). */
export class LeakyReLU extends ElementwiseActivation {
  readonly negativeSlope: number;

  constructor(negativeSlope = 0.01) {
    super('nn.LeakyReLU');
    this.negativeSlope = finite(this.op, 'negativeSlope', negativeSlope);
  }

  protected forwardKernel(k: KernelExports, x: number, y: number, count: number): void {
    k.f32_leaky_relu(x, y, count, this.negativeSlope);
  }

  protected backwardKernel(k: KernelExports, x: number, dy: number, dx: number, count: number): void {
    k.f32_leaky_relu_backward(x, dy, dx, count, this.negativeSlope);
  }

  spec(): LayerSpec {
    return { type: 'LeakyReLU', negativeSlope: this.negativeSlope };
  }
}

/**
 * y = min(max(x, min), max) (PyTorch's Hardtanh/clamp, ONNX's Clip); the gradient passes where
 * min < x < max, as PyTorch's. Bounds are finite: ±3.4028234663852886e38 (FLOAT32_MAX) for none.
 */
export class Clip extends ElementwiseActivation {
  readonly min: number;
  readonly max: number;

  constructor(min: number, max: number) {
    super('nn.Clip');
    this.min = finite(this.op, 'min', min);
    this.max = finite(this.op, 'max', max);
    if (!(this.min <= this.max)) throw new Error(`${this.op}: min must be ≤ max, got min ${min} and max ${max}`);
  }

  protected forwardKernel(k: KernelExports, x: number, y: number, count: number): void {
    k.f32_clip(x, y, count, this.min, this.max);
  }

  protected backwardKernel(k: KernelExports, x: number, dy: number, dx: number, count: number): void {
    k.f32_clip_backward(x, dy, dx, count, this.min, this.max);
  }

  /**
   * @internal nn.Graph's fusion: the conv before this layer computed its output y with the clamp
   * applied (graph/fusion.ts). Backward reads y in place of x: min < y < max exactly where
   * min < x < max (y = x there, y = min or max elsewhere, NaN both), so dx is the same.
   */
  adoptFusedOutput(y: Activation): void {
    this.setInput(y);
  }

  spec(): LayerSpec {
    return { type: 'Clip', min: this.min, max: this.max };
  }
}

/** y = min(max(x, 0), 6) (MobileNet's activation): Clip(0, 6). */
export class ReLU6 extends Clip {
  constructor() {
    super(0, 6);
  }

  spec(): LayerSpec {
    return { type: 'ReLU6' };
  }
}

export interface HardSigmoidOptions {
  /** slope, default 0.2 (ONNX's HardSigmoid); PyTorch's Hardsigmoid is 1/6 */
  alpha?: number;
  /** offset, default 0.5 (both conventions) */
  beta?: number;
}

/** y = min(max(alpha·x + beta, 0), 1); the gradient is alpha where 0 < alpha·x + beta < 1. */
export class HardSigmoid extends ElementwiseActivation {
  readonly alpha: number;
  readonly beta: number;

  constructor(opts: HardSigmoidOptions = {}) {
    super('nn.HardSigmoid');
    this.alpha = finite(this.op, 'alpha', opts.alpha ?? 0.2);
    this.beta = finite(this.op, 'beta', opts.beta ?? 0.5);
  }

  protected forwardKernel(k: KernelExports, x: number, y: number, count: number): void {
    k.f32_hardsigmoid(x, y, count, this.alpha, this.beta);
  }

  protected backwardKernel(k: KernelExports, x: number, dy: number, dx: number, count: number): void {
    k.f32_hardsigmoid_backward(x, dy, dx, count, this.alpha, this.beta);
  }

  spec(): LayerSpec {
    return { type: 'HardSigmoid', alpha: this.alpha, beta: this.beta };
  }
}

/** y = x·min(max(x/6 + 1/2, 0), 1) (PyTorch's Hardswish, ONNX's HardSwish). */
export class HardSwish extends ElementwiseActivation {
  constructor() {
    super('nn.HardSwish');
  }

  protected forwardKernel(k: KernelExports, x: number, y: number, count: number): void {
    k.f32_hardswish(x, y, count);
  }

  protected backwardKernel(k: KernelExports, x: number, dy: number, dx: number, count: number): void {
    k.f32_hardswish_backward(x, dy, dx, count);
  }

  spec(): LayerSpec {
    return { type: 'HardSwish' };
  }
}

/** y = 1/(1 + e^−x). */
export class Sigmoid extends ElementwiseActivation {
  constructor() {
    super('nn.Sigmoid');
  }

  protected forwardKernel(k: KernelExports, x: number, y: number, count: number): void {
    k.f32_sigmoid(x, y, count);
  }

  protected backwardKernel(k: KernelExports, x: number, dy: number, dx: number, count: number): void {
    k.f32_sigmoid_backward(x, dy, dx, count);
  }

  spec(): LayerSpec {
    return { type: 'Sigmoid' };
  }
}

/** y = tanh(x). */
export class Tanh extends ElementwiseActivation {
  constructor() {
    super('nn.Tanh');
  }

  protected forwardKernel(k: KernelExports, x: number, y: number, count: number): void {
    k.f32_tanh(x, y, count);
  }

  protected backwardKernel(k: KernelExports, x: number, dy: number, dx: number, count: number): void {
    k.f32_tanh_backward(x, dy, dx, count);
  }

  spec(): LayerSpec {
    return { type: 'Tanh' };
  }
}

/** y = x·sigmoid(x) (SiLU, also called Swish). */
export class SiLU extends ElementwiseActivation {
  constructor() {
    super('nn.SiLU');
  }

  protected forwardKernel(k: KernelExports, x: number, y: number, count: number): void {
    k.f32_silu(x, y, count);
  }

  protected backwardKernel(k: KernelExports, x: number, dy: number, dx: number, count: number): void {
    k.f32_silu_backward(x, dy, dx, count);
  }

  spec(): LayerSpec {
    return { type: 'SiLU' };
  }
}
