// MaxPool2d over x [N, C, H, W] without padding: y [N, C, OH, OW], OH = floor((H − KH)/SH) + 1.
// The forward pass keeps each output's argmax; backward routes dy to it (ties: the first).
import { sizeOf } from '../tensor.js';
import { Layer, positiveInteger, type LayerSpec } from './layer.js';
import { splitRange } from './parallel.js';
import { Buffer, type Activation } from './resident.js';

/**
 * Pooled outputs below which a pass stays on one thread: with the SIMD kernel, LeNet's second
 * pool (32,768 outputs, ~60 µs) ran slower split in two than on one thread, its first
 * (147,456 outputs) faster.
 */
export const MIN_SPLIT_OUTPUTS = 1 << 16;

/** A pooling size given as one number or [h, w], as [h, w]. */
export const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

export class MaxPool2d extends Layer {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  private readonly y: Buffer;
  private readonly argmax: Buffer;
  private readonly dx: Buffer;
  private input: Activation | null = null;
  private outShape: number[] = [];

  /** stride defaults to the kernel size (non-overlapping windows). */
  constructor(kernelSize: number | [number, number], stride?: number | [number, number]) {
    super('nn.MaxPool2d');
    this.kernelSize = pair(kernelSize);
    this.stride = pair(stride ?? kernelSize);
    this.kernelSize.forEach((k, i) => positiveInteger(this.op, `kernelSize[${i}]`, k));
    this.stride.forEach((s, i) => positiveInteger(this.op, `stride[${i}]`, s));
    this.y = new Buffer(this.backend, this.op);
    this.argmax = new Buffer(this.backend, this.op);
    this.dx = new Buffer(this.backend, this.op);
  }

  forward(x: Activation): Activation {
    if (x.shape.length !== 4) {
      throw new Error(`${this.op}: x must have rank 4 ([N,C,H,W]), got shape [${x.shape.join(',')}]`);
    }
    const [N, C, H, W] = x.shape;
    const [kh, kw] = this.kernelSize;
    const [sh, sw] = this.stride;
    if (kh > H || kw > W) {
      throw new Error(`${this.op}: window ${kh}×${kw} is larger than x's ${H}×${W} plane (x [${x.shape.join(',')}])`);
    }
    const OH = Math.floor((H - kh) / sh) + 1, OW = Math.floor((W - kw) / sw) + 1;
    const outShape = [N, C, OH, OW];
    const count = sizeOf(outShape);
    const y = this.y.reserve(count);
    const idx = this.argmax.reserve(count);
    // whole planes per thread: the argmax indices are plane-relative
    splitRange(this.backend, this.op, N * C, MIN_SPLIT_OUTPUTS / (OH * OW), (k, p0, planes) =>
      k.f32_maxpool2d(x.ptr + p0 * H * W * 4, planes, H, W, kh, kw, sh, sw, OH, OW, y + p0 * OH * OW * 4, idx + p0 * OH * OW * 4));
    this.input = x;
    this.outShape = outShape;
    return { ptr: y, shape: outShape };
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    const x = this.lastInput(this.input);
    this.checkGradientShape(dy, this.outShape);
    if (!inputGradient) return null;
    const [N, C, H, W] = x.shape;
    const [, , OH, OW] = this.outShape;
    const dx = this.dx.reserve(sizeOf(x.shape));
    const idx = this.argmax.reserve(0);
    splitRange(this.backend, this.op, N * C, MIN_SPLIT_OUTPUTS / (OH * OW), (k, p0, planes) =>
      k.f32_maxpool2d_backward(dy.ptr + p0 * OH * OW * 4, idx + p0 * OH * OW * 4, planes, H * W, OH * OW, dx + p0 * H * W * 4));
    return { ptr: dx, shape: x.shape };
  }

  spec(): LayerSpec {
    return { type: 'MaxPool2d', kernelSize: this.kernelSize, stride: this.stride };
  }

  dispose(): void {
    this.y.dispose();
    this.argmax.dispose();
    this.dx.dispose();
    this.input = null;
  }
}
