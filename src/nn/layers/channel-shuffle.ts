// ChannelShuffle (ShuffleNet): x [N, C, …] with C = groups·k channels, seen as [N, groups, k, …],
// transposed to [N, k, groups, …]: y[n, j·groups + i] = x[n, i·k + j]. Forward and backward
// (the inverse permutation) are strided plane copies, one per image and group.
import { formatShape, sizeOf } from '../../tensor.js';
import { Layer, positiveInteger, type LayerSpec } from '../layer.js';
import { splitRange } from '../parallel.js';
import { Buffer, type Activation } from '../resident.js';

/** Floats below which a copy stays on one thread (as Concat's). */
const MIN_SPLIT = 1 << 18;

export class ChannelShuffle extends Layer {
  private readonly y: Buffer;
  private readonly dx: Buffer;
  private inShape: readonly number[] | null = null;

  constructor(readonly groups: number) {
    super('nn.ChannelShuffle');
    positiveInteger(this.op, 'groups', groups);
    this.y = new Buffer(this.backend, this.op);
    this.dx = new Buffer(this.backend, this.op);
  }

  forward(x: Activation): Activation {
    if (x.shape.length < 2 || x.shape[1] % this.groups !== 0) {
      throw new Error(`${this.op}: x must be [N, C, …] with C a multiple of ${this.groups} groups, got ${formatShape(x.shape)}`);
    }
    const y = this.y.reserve(sizeOf(x.shape));
    this.permute(x.shape, x.ptr, y, false);
    this.inShape = x.shape;
    return { ptr: y, shape: x.shape };
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    if (!this.inShape) throw new Error(`${this.op}: backward called before forward`);
    this.checkGradientShape(dy, this.inShape);
    if (!inputGradient) return null;
    const dx = this.dx.reserve(sizeOf(dy.shape));
    this.permute(dy.shape, dy.ptr, dx, true);
    return { ptr: dx, shape: dy.shape };
  }

  spec(): LayerSpec {
    return { type: 'ChannelShuffle', groups: this.groups };
  }

  dispose(): void {
    this.y.dispose();
    this.dx.dispose();
    this.inShape = null;
  }

  /** Group i's k planes (consecutive in x) to every groups-th plane of y from i; inverse: back. */
  private permute(shape: readonly number[], src: number, dst: number, inverse: boolean): void {
    const [N, C] = shape, g = this.groups, k = C / g, plane = sizeOf(shape.slice(2));
    splitRange(this.backend, this.op, N, Math.ceil(MIN_SPLIT / (C * plane)), (kern, n0, n) => {
      for (let image = n0; image < n0 + n; image++) {
        for (let i = 0; i < g; i++) {
          const grouped = (image * C + i * k) * plane * 4, shuffled = (image * C + i) * plane * 4;
          if (inverse) kern.f32_copy_rows(src + shuffled, k, plane, g * plane, dst + grouped, plane);
          else kern.f32_copy_rows(src + grouped, k, plane, plane, dst + shuffled, g * plane);
        }
      }
    });
  }
}
