// MaxPool2d over x [N, C, H, W], PyTorch's rules: y [N, C, OH, OW] with
// OH = ⌊(H + 2·padH − KH)/SH⌋ + 1 (⌈…⌉ with ceilMode, dropping a last window that would start
// past the input and its top/left padding); padding is at most half the kernel and never wins a
// window. The forward pass keeps each output's argmax; backward routes dy to it (ties: the first).
import { formatShape, sizeOf } from '../tensor.js';
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

/** Output length of one pooled axis (PyTorch's pooling_output_shape). */
export function poolOutputLength(size: number, kernel: number, stride: number, pad: number, ceil: boolean): number {
  const span = size + 2 * pad - kernel;
  let out = Math.floor((span + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return out;
}

/** Checks pooling padding: integers from 0 to half the kernel (PyTorch's limit). */
export function checkPoolPadding(op: string, padding: [number, number], kernelSize: [number, number]): void {
  padding.forEach((p, i) => {
    if (!Number.isInteger(p) || p < 0 || 2 * p > kernelSize[i]) {
      throw new Error(`${op}: padding[${i}] must be an integer from 0 to half the kernel (${Math.floor(kernelSize[i] / 2)}), got ${String(p)}`);
    }
  });
}

export interface MaxPool2dOptions {
  /** default: the kernel size */
  stride?: number | [number, number];
  /** cells added on each side, which never win a window; at most half the kernel (default 0) */
  padding?: number | [number, number];
  /** round the output size up (default false) */
  ceilMode?: boolean;
}

export class MaxPool2d extends Layer {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly ceilMode: boolean;
  private readonly y: Buffer;
  private readonly argmax: Buffer;
  private readonly dx: Buffer;
  private input: Activation | null = null;
  private outShape: number[] = [];

  /**
   * The second argument is the stride (default: the kernel size, non-overlapping windows) or
   * the options { stride, padding, ceilMode }.
   */
  constructor(kernelSize: number | [number, number], strideOrOptions?: number | [number, number] | MaxPool2dOptions) {
    super('nn.MaxPool2d');
    const opts: MaxPool2dOptions = typeof strideOrOptions === 'number' || Array.isArray(strideOrOptions)
      ? { stride: strideOrOptions } : strideOrOptions ?? {};
    this.kernelSize = pair(kernelSize);
    this.stride = pair(opts.stride ?? kernelSize);
    this.padding = pair(opts.padding ?? 0);
    this.ceilMode = opts.ceilMode === true;
    this.kernelSize.forEach((k, i) => positiveInteger(this.op, `kernelSize[${i}]`, k));
    this.stride.forEach((s, i) => positiveInteger(this.op, `stride[${i}]`, s));
    checkPoolPadding(this.op, this.padding, this.kernelSize);
    this.y = new Buffer(this.backend, this.op);
    this.argmax = new Buffer(this.backend, this.op);
    this.dx = new Buffer(this.backend, this.op);
  }

  forward(x: Activation): Activation {
    if (x.shape.length !== 4) {
      throw new Error(`${this.op}: x must have rank 4 ([N,C,H,W]), got shape [${x.shape.join(',')}]`);
    }
    const [N, C, H, W] = x.shape;
    const [kh, kw] = this.kernelSize, [sh, sw] = this.stride, [ph, pw] = this.padding;
    if (kh > H + 2 * ph || kw > W + 2 * pw) {
      const padded = ph || pw ? ` with padding ${ph}×${pw}` : '';
      throw new Error(`${this.op}: window ${kh}×${kw} is larger than x's ${H}×${W} plane${padded} (x ${formatShape(x.shape)})`);
    }
    const OH = poolOutputLength(H, kh, sh, ph, this.ceilMode), OW = poolOutputLength(W, kw, sw, pw, this.ceilMode);
    const outShape = [N, C, OH, OW];
    const count = sizeOf(outShape);
    const y = this.y.reserve(count);
    const idx = this.argmax.reserve(count);
    // whole planes per thread: the argmax indices are plane-relative
    splitRange(this.backend, this.op, N * C, MIN_SPLIT_OUTPUTS / (OH * OW), (k, p0, planes) =>
      k.f32_maxpool2d(x.ptr + p0 * H * W * 4, planes, H, W, kh, kw, sh, sw, ph, pw, OH, OW, y + p0 * OH * OW * 4, idx + p0 * OH * OW * 4));
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
    // padding and ceilMode only when set: specs (and weights files) of unpadded pools stay as before
    const padded = this.padding[0] || this.padding[1] ? { padding: this.padding } : {};
    return { type: 'MaxPool2d', kernelSize: this.kernelSize, stride: this.stride, ...padded, ...(this.ceilMode ? { ceilMode: true } : {}) };
  }

  dispose(): void {
    this.y.dispose();
    this.argmax.dispose();
    this.dx.dispose();
    this.input = null;
  }
}
