// Data augmentation for image batches [N, C, H, W]: random crops from a zero-padded image and
// random horizontal flips, as torchvision's RandomCrop(size, padding) and RandomHorizontalFlip.
// Seeded, typed-array loops over whole rows; the input is never modified.
import type { Tensor } from '../tensor.js';
import { Random } from './random.js';

export interface AugmentOptions {
  /** zero padding on every side before a crop of the original size; 0 turns cropping off. Default 0 */
  padding?: number;
  /** flip each image left-right with probability 0.5. Default false */
  flip?: boolean;
  /** the seed of the draws. Default 0 */
  seed?: number;
}

/** Random crop with padding and horizontal flip; each apply() draws new offsets and flips per image. */
export class ImageAugment {
  readonly padding: number;
  readonly flip: boolean;
  private readonly random: Random;

  constructor(opts: AugmentOptions = {}) {
    const op = 'nn.ImageAugment';
    if (opts === null || typeof opts !== 'object') throw new Error(`${op}: opts must be { padding?, flip?, seed? }`);
    const padding = opts.padding ?? 0;
    if (!Number.isInteger(padding) || padding < 0) throw new Error(`${op}: padding must be an integer ≥ 0, got ${String(padding)}`);
    if (opts.flip !== undefined && typeof opts.flip !== 'boolean') throw new Error(`${op}: flip must be true or false, got ${String(opts.flip)}`);
    this.padding = padding;
    this.flip = opts.flip ?? false;
    this.random = new Random(opts.seed ?? 0);
  }

  /** A new batch, each image shifted by a random (dy, dx) in [−padding, padding] (zeros shifted in) and maybe flipped. */
  apply(x: Tensor): Tensor {
    const op = 'nn.ImageAugment.apply';
    if (!x || !(x.data instanceof Float32Array) || !Array.isArray(x.shape) || x.shape.length !== 4) {
      throw new Error(`${op}: x must be a Tensor [N, C, H, W] with Float32Array data, got shape ${x?.shape ? `[${x.shape.join(',')}]` : String(x)}`);
    }
    const [N, C, H, W] = x.shape;
    if (x.data.length !== N * C * H * W) throw new Error(`${op}: x.data has ${x.data.length} elements but shape [${x.shape.join(',')}] needs ${N * C * H * W}`);
    const out = new Float32Array(x.data.length);
    const span = 2 * this.padding + 1;
    for (let n = 0; n < N; n++) {
      // the crop's top-left corner in the padded image, minus the padding: the shift of the content
      const dy = this.padding > 0 ? Math.floor(this.random.uniform() * span) - this.padding : 0;
      const dx = this.padding > 0 ? Math.floor(this.random.uniform() * span) - this.padding : 0;
      const mirrored = this.flip && this.random.uniform() < 0.5;
      for (let c = 0; c < C; c++) {
        const plane = (n * C + c) * H * W;
        for (let row = 0; row < H; row++) {
          const from = row + dy;
          if (from < 0 || from >= H) continue; // a row of padding: stays zero
          const src = plane + from * W, dst = plane + row * W;
          // output column j reads source column j + dx, before the flip mirrors the output row
          const lo = Math.max(0, -dx), hi = Math.min(W, W - dx);
          if (!mirrored) {
            out.set(x.data.subarray(src + lo + dx, src + hi + dx), dst + lo);
          } else {
            for (let j = lo; j < hi; j++) out[dst + W - 1 - j] = x.data[src + j + dx];
          }
        }
      }
    }
    return { data: out, shape: [...x.shape] };
  }
}
