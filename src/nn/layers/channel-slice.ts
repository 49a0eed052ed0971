// ChannelSlice: channels start … start+count−1 of x [N, C, …] → y [N, count, …] (ONNX's Slice and
// Split along axis 1). Forward copies each image's block of those channels; backward writes dy
// into them and zeros elsewhere.
import { formatShape, sizeOf } from '../../tensor.js';
import { Layer, positiveInteger, type LayerSpec } from '../layer.js';
import { splitRange } from '../parallel.js';
import { Buffer, type Activation } from '../resident.js';

/** Floats below which a copy stays on one thread (as Concat's). */
const MIN_SPLIT = 1 << 18;

export class ChannelSlice extends Layer {
  private readonly y: Buffer;
  private readonly dx: Buffer;
  private inShape: readonly number[] | null = null;

  constructor(readonly start: number, readonly count: number) {
    super('nn.ChannelSlice');
    if (!Number.isInteger(start) || start < 0) throw new Error(`${this.op}: start must be an integer ≥ 0, got ${String(start)}`);
    positiveInteger(this.op, 'count', count);
    this.y = new Buffer(this.backend, this.op);
    this.dx = new Buffer(this.backend, this.op);
  }

  forward(x: Activation): Activation {
    if (x.shape.length < 2 || x.shape[1] < this.start + this.count) {
      throw new Error(`${this.op}: ${this.toString()} needs x [N, ≥ ${this.start + this.count}, …], got ${formatShape(x.shape)}`);
    }
    const [N, C] = x.shape, plane = sizeOf(x.shape.slice(2));
    const block = this.count * plane;
    const outShape = [N, this.count, ...x.shape.slice(2)];
    const y = this.y.reserve(N * block);
    splitRange(this.backend, this.op, N, Math.ceil(MIN_SPLIT / block), (k, n0, n) =>
      k.f32_copy_rows(x.ptr + (n0 * C + this.start) * plane * 4, n, block, C * plane, y + n0 * block * 4, block));
    this.inShape = x.shape;
    return { ptr: y, shape: outShape };
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    const inShape = this.inShape;
    if (!inShape) throw new Error(`${this.op}: backward called before forward`);
    this.checkGradientShape(dy, [inShape[0], this.count, ...inShape.slice(2)]);
    if (!inputGradient) return null;
    const [N, C] = inShape, plane = sizeOf(inShape.slice(2));
    const block = this.count * plane;
    const dx = this.dx.reserve(N * C * plane);
    splitRange(this.backend, this.op, N, Math.ceil(MIN_SPLIT / (C * plane)), (k, n0, n) => {
      k.f32_zero(dx + n0 * C * plane * 4, n * C * plane);
      k.f32_copy_rows(dy.ptr + n0 * block * 4, n, block, block, dx + (n0 * C + this.start) * plane * 4, C * plane);
    });
    return { ptr: dx, shape: inShape };
  }

  spec(): LayerSpec {
    return { type: 'ChannelSlice', start: this.start, count: this.count };
  }

  dispose(): void {
    this.y.dispose();
    this.dx.dispose();
    this.inShape = null;
  }
}
