// ChannelAffine: y[n, c, …] = x[n, c, …]·scale[c] + shift[c] with constant scale and shift (one
// value for every channel when the layer has 1): what an imported model's Mul / Add / Sub / Div
// by a per-channel or scalar constant computes. The constants are buffers (saved with the
// weights, never trained); backward is dx = dy·scale[c]. Both passes are the BatchNorm kernel
// y = (x − 0)·scale[c] + shift[c], split across threads by image.
import { formatShape, sizeOf } from '../../tensor.js';
import { Layer, positiveInteger, type LayerSpec } from '../layer.js';
import { splitRange } from '../parallel.js';
import { Buffer, Parameter, type Activation } from '../resident.js';

/** Elements below which a pass stays on one thread. */
const MIN_SPLIT = 1 << 17;

export interface ChannelAffineOptions {
  /** per-channel factors (default 1) */
  scale?: ArrayLike<number>;
  /** per-channel terms (default 0) */
  shift?: ArrayLike<number>;
  /** x's rank, ≥ 2 (default 4: [N, C, H, W]); ONNX export writes the constants for it */
  rank?: number;
}

export class ChannelAffine extends Layer {
  readonly rank: number;
  readonly scale: Parameter;
  readonly shift: Parameter;
  private readonly y: Buffer;
  private readonly dx: Buffer;
  /** C zeros: the kernel's center, and the shift of the backward pass */
  private readonly zeros: Buffer;
  private inShape: readonly number[] | null = null;

  /** @param channels C, or 1 for one scale and shift over every element */
  constructor(readonly channels: number, opts: ChannelAffineOptions = {}) {
    super('nn.ChannelAffine');
    positiveInteger(this.op, 'channels', channels);
    this.rank = opts?.rank ?? 4;
    if (!Number.isInteger(this.rank) || this.rank < 2) throw new Error(`${this.op}: rank must be an integer ≥ 2, got ${String(opts?.rank)}`);
    for (const name of ['scale', 'shift'] as const) {
      const v = opts?.[name];
      if (v !== undefined && v.length !== channels) throw new Error(`${this.op}: ${name} has ${v.length} values, the layer ${channels} channels`);
    }
    this.scale = new Parameter(this.backend, 'scale', [channels]);
    this.shift = new Parameter(this.backend, 'shift', [channels]);
    this.scale.write(opts?.scale ? Float32Array.from(opts.scale) : new Float32Array(channels).fill(1));
    if (opts?.shift) this.shift.write(Float32Array.from(opts.shift));
    this.y = new Buffer(this.backend, this.op);
    this.dx = new Buffer(this.backend, this.op);
    this.zeros = new Buffer(this.backend, this.op);
  }

  override buffers(): Parameter[] {
    return [this.scale, this.shift];
  }

  forward(x: Activation): Activation {
    const y = this.y.reserve(sizeOf(x.shape));
    this.apply(x, this.shift.ptr, y);
    this.inShape = x.shape;
    return { ptr: y, shape: x.shape };
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    if (!this.inShape) throw new Error(`${this.op}: backward called before forward`);
    this.checkGradientShape(dy, this.inShape);
    if (!inputGradient) return null;
    const dx = this.dx.reserve(sizeOf(dy.shape));
    this.apply(dy, this.zeroes(), dx);
    return { ptr: dx, shape: dy.shape };
  }

  spec(): LayerSpec {
    return { type: 'ChannelAffine', channels: this.channels, rank: this.rank };
  }

  dispose(): void {
    for (const b of [this.scale, this.shift]) b.dispose();
    for (const b of [this.y, this.dx, this.zeros]) b.dispose();
    this.inShape = null;
  }

  /** out = x·scale[c] + shift[c] (shift a pointer to C floats). */
  private apply(x: Activation, shift: number, out: number): void {
    const C = this.channels;
    if (x.shape.length !== this.rank || (C > 1 && x.shape[1] !== C)) {
      throw new Error(`${this.op}: x has shape ${formatShape(x.shape)} but ${this.toString()} takes rank ${this.rank} with ${C > 1 ? `${C} channels` : 'any channels'}`);
    }
    const N = x.shape[0], image = sizeOf(x.shape.slice(1));
    // one channel broadcasts over the whole image
    const plane = C > 1 ? image / C : image;
    const zeros = this.zeroes();
    splitRange(this.backend, this.op, N, Math.ceil(MIN_SPLIT / Math.max(image, 1)), (k, n0, n) =>
      k.f32_channel_normalize(x.ptr + n0 * image * 4, n, C, plane, image, zeros, this.scale.ptr, shift, out + n0 * image * 4));
  }

  private zeroes(): number {
    const ptr = this.zeros.reserve(this.channels);
    this.backend.arena.f32().fill(0, ptr >>> 2, (ptr >>> 2) + this.channels);
    return ptr;
  }
}
