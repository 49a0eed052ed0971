// wasmconv/tfjs on tfjs's wasm backend: tfjs-backend-wasm has no Conv2DBackpropFilter (nor the
// depthwise backprops), so it cannot train a CNN; with the plug-in it can, and its results match
// tfjs-cpu's own on the random cases of test/helpers/tfjs-cases.ts, on every ISA.
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/index.js';
import { registerWasmconv, unregisterWasmconv } from '../src/tfjs/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { checkAgainstTfjsCpu, tfCase, type Worst } from './helpers/tfjs-cases.js';
import { tf, tfjsBackend } from './helpers/tfjs.js';

const RUNS = Number(process.env.WASMCONV_TFJS_FUZZ_RUNS ?? 400);

describe('tfjs-backend-wasm', () => {
  beforeAll(async () => {
    await tfjsBackend('wasm');
    await init({ threads: 1 });
  });
  afterEach(() => unregisterWasmconv());

  it('cannot take a conv gradient on its own; with the plug-in it can, and leaves the wasm backend in charge', async () => {
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const w = tf.variable(tf.ones([2, 2, 1, 1]) as tf.Tensor4D);
    const dw = () => tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.conv2d(x, v as tf.Tensor4D, 1, 'valid')))(w));
    expect(dw).toThrow(/Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'/);
    expect((await registerWasmconv(tf)).backends).toEqual(['cpu', 'wasm']);
    const g = dw();
    expect(tf.getBackend()).toBe('wasm');
    expect(Array.from(g.dataSync())).toEqual([9, 9, 9, 9]);
    unregisterWasmconv();
    expect(dw).toThrow(/Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'/);
    tf.dispose([x, w, g]);
  });
});

for (const isa of TEST_ISAS) {
  describe(`wasmconv/tfjs on tfjs-backend-wasm against tfjs-cpu, isa ${isa}`, () => {
    const worst: Worst = { y: 0, dx: 0, dw: 0 };
    beforeAll(async () => {
      await tfjsBackend('wasm');
      await init({ isa, threads: 1 });
    });
    afterEach(() => unregisterWasmconv());
    afterAll(() => {
      console.log(`wasm backend, isa ${isa}: worst difference from tfjs-cpu in units of u·Σ|term|: y ${worst.y.toFixed(2)}, dx ${worst.dx.toFixed(2)}, dw ${worst.dw.toFixed(2)}`);
    });

    it(`conv2d, fused.conv2d and depthwiseConv2d, forward and tf.grads: ${RUNS} random cases`, async () => {
      await fc.assert(
        fc.asyncProperty(tfCase, async (c) => {
          await checkAgainstTfjsCpu(c, 'wasm', worst);
        }),
        { numRuns: RUNS },
      );
    }, 300_000);
  });
}
