// The demo's committed model (demo/model/mnist-cnn.wasmconv) is what its note says: the LeNet
// architecture, trained with seed 1 for 8 epochs, 98.65 % on the project's 2,000 test digits,
// and evaluating it here gives that accuracy again; its ONNX export (demo/model/mnist-cnn.onnx,
// the demo's example ONNX model) is what scripts/export-demo-onnx.mjs writes from it, and reaches
// the same accuracy through nn.fromONNX.
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

  it('mnist-cnn.onnx is nn.toONNX of it, byte for byte, and classifies as it does', async () => {
    await init({ isa: 'simd' });
    const onnx = new Uint8Array(readFileSync(new URL('../demo/model/mnist-cnn.onnx', import.meta.url)));
    const model = nn.Sequential.fromWeights(bytes, 'mnist-cnn.wasmconv');
    const imported = nn.fromONNX(onnx, { name: 'mnist-cnn.onnx' }).eval();
    try {
      expect(Buffer.from(nn.toONNX(model)).equals(Buffer.from(onnx)), 'run node scripts/export-demo-onnx.mjs').toBe(true);
      const { test } = await packagedDigits();
      const x = { data: test.images, shape: [test.count, 1, 28, 28] };
      expect(imported.evaluate(x, test.labels).accuracy).toBeCloseTo(0.9865, 3);
    } finally {
      model.dispose();
      imported.dispose();
    }
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
