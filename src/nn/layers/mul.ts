// Mul: y = a·b for two computed tensors, b either of a's shape or [N, C, 1, …, 1] with a
// [N, C, …] (one factor per image and channel: the gate of a squeeze-and-excitation block).
// Backward: da = dy·b; db = dy·a, or for the gate db[n, c] = Σ dy·a over the image's plane.
// The per-channel passes are the BatchNorm kernels (y = (a − 0)·b[c] + 0 and Σ dy·(a − 0)),
// one image at a time; split across threads by element or by image.
import { formatShape, sizeOf } from '../../tensor.js';
import type { KernelExports } from '../../loader.js';
import type { LayerSpec } from '../layer.js';
import { MergeLayer } from '../merge-layer.js';
import { splitRange } from '../parallel.js';
import { Buffer, type Activation } from '../resident.js';

/** Elements below which a pass stays on one thread (as Add's). */
const MIN_SPLIT = 1 << 18;

export class Mul extends MergeLayer {
  private readonly y: Buffer;
  private readonly da: Buffer;
  private readonly db: Buffer;
  /** per image: C zeros, then C scratch sums (Σ dy, unused) */
  private readonly scratch: Buffer;
  private saved: { a: Activation; b: Activation } | null = null;

  constructor() {
    super('nn.Mul', 2);
    this.y = new Buffer(this.backend, this.op);
    this.da = new Buffer(this.backend, this.op);
    this.db = new Buffer(this.backend, this.op);
    this.scratch = new Buffer(this.backend, this.op);
  }

  forward(xs: readonly Activation[]): Activation {
    if (!Array.isArray(xs as unknown) || xs.length !== 2) throw new Error(`${this.op}: takes 2 inputs, got ${Array.isArray(xs) ? xs.length : String(xs)}`);
    const [a, b] = xs;
    const count = sizeOf(a.shape);
    const y = this.y.reserve(count);
    if (sameShape(a.shape, b.shape)) {
      splitRange(this.backend, this.op, count, MIN_SPLIT, (k, start, n) => k.f32_mul(a.ptr + start * 4, b.ptr + start * 4, y + start * 4, n));
    } else {
      if (!isGate(a.shape, b.shape)) {
        throw new Error(`${this.op}: b must have a's shape or be [N,C,1,…] for a [N,C,…], got a ${formatShape(a.shape)} and b ${formatShape(b.shape)}`);
      }
      const zeros = this.zeros(a.shape);
      this.byImage(a.shape, (k, n, C, plane) =>
        k.f32_channel_normalize(a.ptr + n * C * plane * 4, 1, C, plane, C * plane, zeros, b.ptr + n * C * 4, zeros, y + n * C * plane * 4));
    }
    this.saved = { a, b };
    return { ptr: y, shape: a.shape };
  }

  backward(dy: Activation, inputGradients: readonly boolean[]): (Activation | null)[] {
    if (!this.saved) throw new Error(`${this.op}: backward called before forward`);
    const { a, b } = this.saved;
    if (!sameShape(dy.shape, a.shape)) throw new Error(`${this.op}: dy has shape ${formatShape(dy.shape)} but the last forward pass output ${formatShape(a.shape)}`);
    const count = sizeOf(a.shape);
    let da: Activation | null = null, db: Activation | null = null;
    if (sameShape(a.shape, b.shape)) {
      const product = (x: Activation, into: Buffer): Activation => {
        const out = into.reserve(count);
        splitRange(this.backend, this.op, count, MIN_SPLIT, (k, start, n) => k.f32_mul(dy.ptr + start * 4, x.ptr + start * 4, out + start * 4, n));
        return { ptr: out, shape: a.shape };
      };
      if (inputGradients[0]) da = product(b, this.da);
      if (inputGradients[1]) db = product(a, this.db);
      return [da, db];
    }
    const [N, C] = a.shape;
    const zeros = this.zeros(a.shape);
    if (inputGradients[0]) {
      const out = this.da.reserve(count);
      this.byImage(a.shape, (k, n, _, plane) =>
        k.f32_channel_normalize(dy.ptr + n * C * plane * 4, 1, C, plane, C * plane, zeros, b.ptr + n * C * 4, zeros, out + n * C * plane * 4));
      da = { ptr: out, shape: a.shape };
    }
    if (inputGradients[1]) {
      const out = this.db.reserve(N * C);
      const unused = zeros + C * 4; // each image's Σ dy, after the zeros
      this.byImage(a.shape, (k, n, _, plane) =>
        k.f32_channel_dy_sums(dy.ptr + n * C * plane * 4, a.ptr + n * C * plane * 4, 1, C, plane, C * plane, zeros, unused + n * C * 4, out + n * C * 4));
      db = { ptr: out, shape: b.shape };
    }
    return [da, db];
  }

  spec(): LayerSpec {
    return { type: 'Mul' };
  }

  dispose(): void {
    for (const b of [this.y, this.da, this.db, this.scratch]) b.dispose();
    this.saved = null;
  }

  /** A pointer to C zeros, at the start of the scratch block (C zeros, then N·C sums) for a [N, C, …]. */
  private zeros(shape: readonly number[]): number {
    const [N, C] = shape;
    const ptr = this.scratch.reserve(C + N * C);
    this.backend.arena.f32().fill(0, ptr >>> 2, (ptr >>> 2) + C);
    return ptr;
  }

  /** Runs part(kernels, image, C, plane) for every image, images split across threads. */
  private byImage(shape: readonly number[], part: (k: KernelExports, n: number, C: number, plane: number) => void): void {
    const [N, C] = shape, plane = sizeOf(shape.slice(2));
    splitRange(this.backend, this.op, N, Math.ceil(MIN_SPLIT / Math.max(C * plane, 1)), (k, n0, n) => {
      for (let i = n0; i < n0 + n; i++) part(k, i, C, plane);
    });
  }
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** b is [N, C, 1, …, 1] for a [N, C, …] (rank ≥ 3). */
export const isGate = (a: readonly number[], b: readonly number[]) =>
  a.length >= 3 && b.length === a.length && b[0] === a[0] && b[1] === a[1] && b.slice(2).every((d) => d === 1);
