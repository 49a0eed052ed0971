// GlobalAvgPool2d: x [N, C, H, W] → y [N, C, 1, 1], each plane's mean (ONNX's GlobalAveragePool,
// PyTorch's AdaptiveAvgPool2d(1)); backward spreads dy[n, c] / (H·W) over the plane.
import { formatShape, sizeOf } from '../../tensor.js';
import { Layer, type LayerSpec } from '../layer.js';
import { splitRange } from '../parallel.js';
import { Buffer, type Activation } from '../resident.js';

/** Input elements below which a pass stays on one thread. */
const MIN_SPLIT = 1 << 18;

export class GlobalAvgPool2d extends Layer {
  private readonly y: Buffer;
  private readonly dx: Buffer;
  private inShape: readonly number[] | null = null;

  constructor() {
    super('nn.GlobalAvgPool2d');
    this.y = new Buffer(this.backend, this.op);
    this.dx = new Buffer(this.backend, this.op);
  }

  forward(x: Activation): Activation {
    if (x.shape.length !== 4) throw new Error(`${this.op}: x must have rank 4 ([N,C,H,W]), got shape ${formatShape(x.shape)}`);
    const [N, C, H, W] = x.shape;
    const plane = H * W;
    const y = this.y.reserve(N * C);
    splitRange(this.backend, this.op, N * C, Math.ceil(MIN_SPLIT / plane), (k, p0, planes) =>
      k.f32_global_avgpool(x.ptr + p0 * plane * 4, planes, plane, y + p0 * 4));
    this.inShape = x.shape;
    return { ptr: y, shape: [N, C, 1, 1] };
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    if (!this.inShape) throw new Error(`${this.op}: backward called before forward`);
    const [N, C, H, W] = this.inShape;
    this.checkGradientShape(dy, [N, C, 1, 1]);
    if (!inputGradient) return null;
    const plane = H * W;
    const dx = this.dx.reserve(sizeOf(this.inShape));
    splitRange(this.backend, this.op, N * C, Math.ceil(MIN_SPLIT / plane), (k, p0, planes) =>
      k.f32_global_avgpool_backward(dy.ptr + p0 * 4, planes, plane, dx + p0 * plane * 4));
    return { ptr: dx, shape: this.inShape };
  }

  spec(): LayerSpec {
    return { type: 'GlobalAvgPool2d' };
  }

  dispose(): void {
    this.y.dispose();
    this.dx.dispose();
    this.inShape = null;
  }
}
