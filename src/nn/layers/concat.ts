// Concat along channels: inputs [N, C_i, H, W] (any trailing shape, equal across inputs) →
// y [N, ΣC_i, H, W]. Forward copies each image's block of each input into place; backward copies
// the blocks of dy back out, one dx per input.
import { formatShape, sizeOf } from '../../tensor.js';
import { positiveInteger, type LayerSpec } from '../layer.js';
import { MergeLayer } from '../merge-layer.js';
import { splitRange } from '../parallel.js';
import { Buffer, type Activation } from '../resident.js';

/** Floats below which a copy stays on one thread. */
const MIN_SPLIT = 1 << 18;

export class Concat extends MergeLayer {
  private readonly y: Buffer;
  private readonly dxs: Buffer[];
  private shapes: (readonly number[])[] | null = null;

  /** @param inputs how many tensors it joins (default 2) */
  constructor(inputs = 2) {
    super('nn.Concat', positiveInteger('nn.Concat', 'inputs', inputs));
    if (inputs < 2) throw new Error(`${this.op}: inputs must be at least 2, got ${inputs}`);
    this.y = new Buffer(this.backend, this.op);
    this.dxs = Array.from({ length: inputs }, () => new Buffer(this.backend, this.op));
  }

  forward(xs: readonly Activation[]): Activation {
    if (!Array.isArray(xs as unknown) || xs.length !== this.arity) throw new Error(`${this.op}: takes ${this.arity} inputs, got ${Array.isArray(xs as unknown) ? xs.length : String(xs)}`);
    const [first] = xs;
    const same = (s: readonly number[]) => s.length === first.shape.length && s.length >= 2 && s.every((d, i) => i === 1 || d === first.shape[i]);
    if (!xs.every((x) => same(x.shape))) {
      throw new Error(`${this.op}: the inputs must match in every axis but the channels (axis 1), got ${xs.map((x) => formatShape(x.shape)).join(', ')}`);
    }
    const N = first.shape[0], rest = sizeOf(first.shape.slice(2));
    const channels = xs.reduce((c, x) => c + x.shape[1], 0);
    const outShape = [N, channels, ...first.shape.slice(2)];
    const y = this.y.reserve(sizeOf(outShape));
    let offset = 0;
    for (const x of xs) {
      const block = x.shape[1] * rest, at = offset;
      splitRange(this.backend, this.op, N, Math.ceil(MIN_SPLIT / block), (k, n0, n) =>
        k.f32_copy_rows(x.ptr + n0 * block * 4, n, block, block, y + (n0 * channels * rest + at) * 4, channels * rest));
      offset += block;
    }
    this.shapes = xs.map((x) => x.shape);
    return { ptr: y, shape: outShape };
  }

  backward(dy: Activation, inputGradients: readonly boolean[]): (Activation | null)[] {
    if (!this.shapes) throw new Error(`${this.op}: backward called before forward`);
    const shapes = this.shapes;
    const N = shapes[0][0], rest = sizeOf(shapes[0].slice(2));
    const channels = shapes.reduce((c, s) => c + s[1], 0);
    const expected = [N, channels, ...shapes[0].slice(2)];
    if (dy.shape.length !== expected.length || dy.shape.some((d, i) => d !== expected[i])) {
      throw new Error(`${this.op}: dy has shape ${formatShape(dy.shape)} but the last forward pass output ${formatShape(expected)}`);
    }
    let offset = 0;
    return shapes.map((shape, i) => {
      const block = shape[1] * rest, at = offset;
      offset += block;
      if (!inputGradients[i]) return null;
      const dx = this.dxs[i].reserve(N * block);
      splitRange(this.backend, this.op, N, Math.ceil(MIN_SPLIT / block), (k, n0, n) =>
        k.f32_copy_rows(dy.ptr + (n0 * channels * rest + at) * 4, n, block, channels * rest, dx + n0 * block * 4, block));
      return { ptr: dx, shape };
    });
  }

  spec(): LayerSpec {
    return { type: 'Concat', inputs: this.arity };
  }

  dispose(): void {
    this.y.dispose();
    for (const b of this.dxs) b.dispose();
    this.shapes = null;
  }
}
