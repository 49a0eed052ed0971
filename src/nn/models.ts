// Ready-made architectures.
import { ReLU } from './activation.js';
import { Conv2d } from './conv.js';
import { Flatten } from './flatten.js';
import { Linear } from './linear.js';
import { MaxPool2d } from './pool.js';
import { Sequential } from './sequential.js';

/**
 * The LeNet-style CNN `npm start` trains on 28×28 digits:
 * conv 5×5×16 → ReLU → max-pool 2 → conv 5×5×32 → ReLU → max-pool 2 → flatten → linear 512→10.
 */
export function lenet(opts: { seed?: number; classes?: number } = {}): Sequential {
  return new Sequential(
    [
      new Conv2d(1, 16, 5), new ReLU(), new MaxPool2d(2),
      new Conv2d(16, 32, 5), new ReLU(), new MaxPool2d(2),
      new Flatten(), new Linear(32 * 4 * 4, opts.classes ?? 10),
    ],
    { seed: opts.seed ?? 0 },
  );
}
