// Dropout (inverted, as PyTorch's): in training each element is zeroed with probability p and
// the rest scaled by 1/(1 − p); in evaluation it is the identity (y is x, nothing is copied).
// The mask comes from a counter-based generator in the kernel (f32-dropout/): element i of the
// t-th training pass is kept when hash(key(seed, t) + i·φ) ≥ p·2³², so it is the same on any
// number of threads and the sequence of masks is reproducible from the seed.
import { sizeOf } from '../../tensor.js';
import { Layer, type LayerSpec } from '../layer.js';
import { splitRange } from '../parallel.js';
import type { Random } from '../random.js';
import { Buffer, type Activation } from '../resident.js';

/** Elements below which a pass stays on one thread (as ReLU's). */
const MIN_SPLIT = 1 << 18;

export interface DropoutOptions {
  /** seed of the masks (default 0); a Sequential or Graph given a seed re-draws it */
  seed?: number;
}

/** Chris Wellons' lowbias32: the kernel's mixer, here to derive each pass's key. */
export function lowbias32(v: number): number {
  let h = v >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** The key of the `pass`-th training pass (0, 1, …) of a layer seeded with `seed`. */
export function dropoutKey(seed: number, pass: number): number {
  return lowbias32((seed ^ lowbias32((pass + 0x632be5ab) >>> 0)) >>> 0);
}

export class Dropout extends Layer {
  readonly p: number;
  private seedValue: number;
  private passes = 0;
  private training = true;
  private readonly y: Buffer;
  private readonly mask: Buffer;
  private readonly dx: Buffer;
  /** the last forward pass: its shape, and whether it dropped anything (false: y was x) */
  private last: { shape: readonly number[]; masked: boolean } | null = null;

  constructor(p = 0.5, opts: DropoutOptions = {}) {
    super('nn.Dropout');
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`${this.op}: p must be a number in [0, 1], got ${String(p)}`);
    const seed = opts?.seed ?? 0;
    if (!Number.isInteger(seed)) throw new Error(`${this.op}: seed must be an integer, got ${String(seed)}`);
    this.p = p;
    this.seedValue = seed >>> 0;
    this.y = new Buffer(this.backend, this.op);
    this.mask = new Buffer(this.backend, this.op);
    this.dx = new Buffer(this.backend, this.op);
  }

  /** The seed of the masks (re-drawn by a model's seed). */
  get seed(): number {
    return this.seedValue;
  }

  /** Training passes so far: the next one uses dropoutKey(seed, passes). */
  get trainingPasses(): number {
    return this.passes;
  }

  override get modal(): boolean {
    return true;
  }

  override setTraining(training: boolean): void {
    this.training = training;
  }

  /** A new seed from `random`; the pass count starts again. */
  override resetParameters(random: Random): void {
    this.seedValue = Math.floor(random.uniform() * 2 ** 32) >>> 0;
    this.passes = 0;
  }

  forward(x: Activation): Activation {
    if (!this.training || this.p === 0) {
      this.last = { shape: x.shape, masked: false };
      return x;
    }
    const count = sizeOf(x.shape);
    const y = this.y.reserve(count), mask = this.mask.reserve(count);
    const key = dropoutKey(this.seedValue, this.passes++);
    // p = 1 drops everything: threshold 0 keeps every element, at scale 0
    const threshold = this.p === 1 ? 0 : Math.min(Math.round(this.p * 2 ** 32), 2 ** 32 - 1);
    const scale = this.p === 1 ? 0 : 1 / (1 - this.p);
    splitRange(this.backend, this.op, count, MIN_SPLIT, (k, start, n) =>
      k.f32_dropout(x.ptr + start * 4, y + start * 4, mask + start * 4, n, start, key, threshold, scale));
    this.last = { shape: x.shape, masked: true };
    return { ptr: y, shape: x.shape };
  }

  backward(dy: Activation, inputGradient: boolean): Activation | null {
    if (!this.last) throw new Error(`${this.op}: backward called before forward`);
    this.checkGradientShape(dy, this.last.shape);
    if (!inputGradient) return null;
    if (!this.last.masked) return dy;
    const count = sizeOf(dy.shape);
    const dx = this.dx.reserve(count), mask = this.mask.reserve(count);
    splitRange(this.backend, this.op, count, MIN_SPLIT, (k, start, n) => k.f32_mul(dy.ptr + start * 4, mask + start * 4, dx + start * 4, n));
    return { ptr: dx, shape: dy.shape };
  }

  /** A copy of the last training pass's mask (0 or 1/(1 − p) per element). */
  lastMask(): Float32Array {
    if (!this.last?.masked) throw new Error(`${this.op}: no training pass with a mask yet`);
    return this.backend.arena.read(this.mask.reserve(0), sizeOf(this.last.shape));
  }

  spec(): LayerSpec {
    return { type: 'Dropout', p: this.p, seed: this.seedValue };
  }

  dispose(): void {
    this.y.dispose();
    this.mask.dispose();
    this.dx.dispose();
    this.last = null;
  }
}
