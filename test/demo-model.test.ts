// The demo's committed model (demo/model/mnist-cnn.wasmconv) is what its note says: the LeNet
// architecture, trained with seed 1 for 8 epochs, 98.65 % on the project's 2,000 test digits,
// and evaluating it here gives that accuracy again.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, nn } from '../src/index.js';
import { packagedDigits } from '../src/node/index.js';

describe('demo model', () => {
  const bytes = new Uint8Array(readFileSync(new URL('../demo/model/mnist-cnn.wasmconv', import.meta.url)));

  beforeAll(() => init());

  it('has the note\'s architecture and training record', () => {
    const file = nn.decodeWeights(bytes, 'mnist-cnn.wasmconv');
    const lenet = nn.lenet();
    expect(JSON.stringify(file.layers)).toBe(JSON.stringify(lenet.spec()));
    lenet.dispose();
    expect(file.meta).toMatchObject({ testAccuracy: 0.9865, epochs: 8, batch: 64, lr: 0.05, optimizer: 'sgd', seed: 1 });
  });

  for (const isa of ['scalar', 'simd'] as const) {
    it(`reaches the recorded test accuracy on isa ${isa}`, async () => {
      await init({ isa });
      const { test } = await packagedDigits();
      const model = nn.Sequential.fromWeights(bytes, 'mnist-cnn.wasmconv');
      const { accuracy } = model.evaluate({ data: test.images, shape: [test.count, 1, 28, 28] }, test.labels);
      model.dispose();
      expect(accuracy).toBeCloseTo(0.9865, 3);
    });
  }
});
