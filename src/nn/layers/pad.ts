// Pad2d: constant padding of x [N, C, H, W] → y [N, C, top+H+bottom, left+W+right] (ONNX's Pad in
// constant mode on the spatial axes). Forward fills y with the value and copies each plane into
// its interior; backward copies the interior of dy back out.
import { formatShape } from '../../tensor.js';
import { Layer, type LayerSpec } from '../layer.js';
import { splitRange } from '../parallel.js';
import { Buffer, type Activation } from '../resident.js';

/** Output floats below which a pass stays on one thread. */
const MIN_SPLIT = 1 << 17;

export class Pad2d extends Layer {
  /** [top, bottom, left, right] */
  readonly padding: [number, number, number, number];
  private readonly y: Buffer;
  private readonly dx: Buffer;
  private readonly fill: Buffer;
  private inShape: readonly number[] | null = null;

  /** @param padding [top, bottom, left, right], each ≥ 0; value fills the border (default 0) */
  constructor(padding: readonly [number, number, number, number], readonly value = 0) {
    super('nn.Pad2d');
    if (!Array.isArray(padding) || padding.length !== 4 || padding.some((p) => !Number.isInteger(p) || p < 0)) {
      throw new Error(`${this.op}: padding must be [top, bottom, left, right], integers ≥ 0, got ${JSON.stringify(padding)}`);
    }
    if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`${this.op}: value must be a number, got ${String(value)}`);
    this.padding = [padding[0], padding[1], padding[2], padding[3]];
    this.y = new Buffer(this.backend, this.op);
    this.dx = new Buffer(this.backend, this.op);
    this.fill = new Buffer(this.backend, this.op);
  }

  forward(x: Activation): Activation {
    if (x.shape.length !== 4) throw new Error(`${this.op}: x must be [N,C,H,W], got ${formatShape(x.shape)}`);
    const [N, C, H, W] = x.shape, [t, b, l, r] = this.padding;
    const OH = t + H + b, OW = l + W + r;
    const y = this.y.reserve(N * C * OH * OW);
    const value = this.fill.reserve(1);
    this.backend.arena.f32()[value >>> 2] = this.value;
    splitRange(this.backend, this.op, N * C, Math.ceil(MIN_SPLIT / (OH * OW)), (k, p0, planes) => {
      k.f32_fill_rows(y + p0 * OH * OW * 4, 1, planes * OH * OW, value);
      for (let p = p0; p < p0 + planes; p++) k.f32_copy_rows(x.ptr + p * H * W * 4, H, W, W, y + (p * OH * OW + t * OW + l) * 4, OW);
    });
    this.inShape = x.shape;
    return { ptr: y, shape: [N, C, OH, OW] };
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    const inShape = this.inShape;
    if (!inShape) throw new Error(`${this.op}: backward called before forward`);
    const [N, C, H, W] = inShape, [t, b, l, r] = this.padding;
    const OH = t + H + b, OW = l + W + r;
    this.checkGradientShape(dy, [N, C, OH, OW]);
    if (!inputGradient) return null;
    const dx = this.dx.reserve(N * C * H * W);
    splitRange(this.backend, this.op, N * C, Math.ceil(MIN_SPLIT / (OH * OW)), (k, p0, planes) => {
      for (let p = p0; p < p0 + planes; p++) k.f32_copy_rows(dy.ptr + (p * OH * OW + t * OW + l) * 4, H, W, OW, dx + p * H * W * 4, W);
    });
    return { ptr: dx, shape: inShape };
  }

  spec(): LayerSpec {
    return { type: 'Pad2d', padding: this.padding, value: this.value };
  }

  dispose(): void {
    for (const b of [this.y, this.dx, this.fill]) b.dispose();
    this.inShape = null;
  }
}
