// AvgPool2d over x [N, C, H, W], PyTorch's rules: y [N, C, OH, OW] with
// OH = ⌊(H + 2·padH − KH)/SH⌋ + 1 (⌈…⌉ with ceilMode, dropping a last window that would start
// past the input and its top/left padding); padding is at most half the kernel; each window's
// sum is divided by its size clipped to the padded input (countIncludePad, the default) or by
// the number of input elements it covers. Backward spreads dy/divisor over each window.
import { formatShape, sizeOf } from '../../tensor.js';
import { Layer, positiveInteger, type LayerSpec } from '../layer.js';
import { splitRange } from '../parallel.js';
// pooled outputs below which a pass stays on one thread: MaxPool2d's threshold serves here too
import { checkPoolPadding, MIN_SPLIT_OUTPUTS, pair, poolOutputLength as outputLength } from '../pool.js';
import { Buffer, type Activation } from '../resident.js';

export interface AvgPool2dOptions {
  /** default: the kernel size */
  stride?: number | [number, number];
  /** zeros added on each side, at most half the kernel (default 0) */
  padding?: number | [number, number];
  /** round the output size up (default false) */
  ceilMode?: boolean;
  /** count the padding in each window's divisor (default true) */
  countIncludePad?: boolean;
}

export class AvgPool2d extends Layer {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  private readonly y: Buffer;
  private readonly dx: Buffer;
  private input: Activation | null = null;
  private outShape: number[] = [];

  constructor(kernelSize: number | [number, number], opts: AvgPool2dOptions = {}) {
    super('nn.AvgPool2d');
    this.kernelSize = pair(kernelSize);
    this.stride = pair(opts?.stride ?? kernelSize);
    this.padding = pair(opts?.padding ?? 0);
    this.ceilMode = opts?.ceilMode === true;
    this.countIncludePad = opts?.countIncludePad !== false;
    this.kernelSize.forEach((k, i) => positiveInteger(this.op, `kernelSize[${i}]`, k));
    this.stride.forEach((s, i) => positiveInteger(this.op, `stride[${i}]`, s));
    checkPoolPadding(this.op, this.padding, this.kernelSize);
    this.y = new Buffer(this.backend, this.op);
    this.dx = new Buffer(this.backend, this.op);
  }

  forward(x: Activation): Activation {
    if (x.shape.length !== 4) throw new Error(`${this.op}: x must have rank 4 ([N,C,H,W]), got shape ${formatShape(x.shape)}`);
    const [N, C, H, W] = x.shape;
    const [kh, kw] = this.kernelSize, [sh, sw] = this.stride, [ph, pw] = this.padding;
    if (kh > H + 2 * ph || kw > W + 2 * pw) {
      throw new Error(`${this.op}: window ${kh}×${kw} is larger than x's ${H}×${W} plane with padding ${ph}×${pw} (x ${formatShape(x.shape)})`);
    }
    const OH = outputLength(H, kh, sh, ph, this.ceilMode), OW = outputLength(W, kw, sw, pw, this.ceilMode);
    const outShape = [N, C, OH, OW];
    const y = this.y.reserve(sizeOf(outShape));
    splitRange(this.backend, this.op, N * C, MIN_SPLIT_OUTPUTS / (OH * OW), (k, p0, planes) =>
      k.f32_avgpool2d(x.ptr + p0 * H * W * 4, planes, H, W, kh, kw, sh, sw, ph, pw, OH, OW, this.countIncludePad ? 1 : 0, y + p0 * OH * OW * 4));
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
    const [kh, kw] = this.kernelSize, [sh, sw] = this.stride, [ph, pw] = this.padding;
    const dx = this.dx.reserve(sizeOf(x.shape));
    splitRange(this.backend, this.op, N * C, MIN_SPLIT_OUTPUTS / (OH * OW), (k, p0, planes) =>
      k.f32_avgpool2d_backward(dy.ptr + p0 * OH * OW * 4, planes, H, W, kh, kw, sh, sw, ph, pw, OH, OW, this.countIncludePad ? 1 : 0, dx + p0 * H * W * 4));
    return { ptr: dx, shape: x.shape };
  }

  spec(): LayerSpec {
    return {
      type: 'AvgPool2d', kernelSize: this.kernelSize, stride: this.stride, padding: this.padding,
      ceilMode: this.ceilMode, countIncludePad: this.countIncludePad,
    };
  }

  dispose(): void {
    this.y.dispose();
    this.dx.dispose();
    this.input = null;
  }
}
