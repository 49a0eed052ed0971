// wasmconv/tfjs on tfjs's cpu backend against tfjs's own cpu kernels: the same tf.conv2d /
// tf.fused.conv2d / tf.depthwiseConv2d calls and tf.grads, with and without the plug-in, on random
// shapes and attributes (both data formats, strides, dilations, every padding form,
// dimRoundingMode, bias and activations), on every ISA (test/helpers/tfjs-cases.ts); then
// registration, and the attributes that throw.
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backend, dispose, init } from '../src/index.js';
import { registerWasmconv, unregisterWasmconv } from '../src/tfjs/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { checkAgainstTfjsCpu, tfCase, type Worst } from './helpers/tfjs-cases.js';
import { randomData, seededRandom } from './helpers/random.js';
import { expectSameSums, tf, tfjsCpu } from './helpers/tfjs.js';

const RUNS = Number(process.env.WASMCONV_TFJS_FUZZ_RUNS ?? 400);

for (const isa of TEST_ISAS) {
  describe(`wasmconv/tfjs against tfjs-cpu, isa ${isa}`, () => {
    const worst: Worst = { y: 0, dx: 0, dw: 0 };
    beforeAll(async () => {
      await tfjsCpu();
      await init({ isa, threads: 1 });
    });
    afterEach(() => unregisterWasmconv());
    afterAll(() => {
      console.log(`isa ${isa}: worst difference from tfjs-cpu in units of u·Σ|term|: y ${worst.y.toFixed(2)}, dx ${worst.dx.toFixed(2)}, dw ${worst.dw.toFixed(2)}`);
    });

    it(`conv2d, fused.conv2d and depthwiseConv2d, forward and tf.grads: ${RUNS} random cases`, async () => {
      await fc.assert(
        fc.asyncProperty(tfCase, async (c) => {
          await checkAgainstTfjsCpu(c, 'cpu', worst);
        }),
        { numRuns: RUNS },
      );
    }, 300_000);
  });
}

describe('wasmconv/tfjs registration', () => {
  beforeAll(async () => {
    await tfjsCpu();
  });
  afterEach(() => unregisterWasmconv());

  it('replaces the cpu backend\'s conv kernels, runs them on wasmconv, and puts the originals back', async () => {
    const names = [
      'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter',
      'FusedConv2D', 'FusedDepthwiseConv2D',
    ];
    const originals = names.map((k) => tf.getKernel(k, 'cpu')!.kernelFunc);
    const registration = await registerWasmconv(tf, { threads: 1 });
    expect(registration.backends).toEqual(['cpu']);
    expect(registration.kernels).toEqual([...names, 'MaxPool', 'MaxPoolGrad', 'Add', 'Multiply', 'Relu', 'Step', 'Sum', 'GatherV2', 'BatchMatMul', '_FusedMatMul', 'WasmconvReluGrad']);
    expect(registration.byBackend).toEqual({ cpu: registration.kernels });
    names.forEach((k, i) => expect(tf.getKernel(k, 'cpu')!.kernelFunc).not.toBe(originals[i]));
    // registering twice keeps the real originals
    await registerWasmconv(tf);
    // with wasmconv's kernels unloaded, tfjs's conv fails with wasmconv's error: it runs ours
    await dispose();
    const x = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
    const w = tf.ones([2, 2, 1, 1]) as tf.Tensor4D;
    expect(() => tf.conv2d(x, w, 1, 'valid')).toThrow(/not initialised; call `await init\(\)` first/);
    await init({ threads: 1 });
    unregisterWasmconv();
    names.forEach((k, i) => expect(tf.getKernel(k, 'cpu')!.kernelFunc).toBe(originals[i]));
    await dispose();
    expect(Array.from(tf.conv2d(x, w, 1, 'valid').dataSync())).toEqual([4, 4, 4, 4]);
    tf.dispose([x, w]);
   }, 60_000);

  it('initialises wasmconv itself when it is not, with the options given', async () => {
    await dispose();
    await registerWasmconv(tf, { isa: 'scalar', threads: 1 });
    expect(backend().isa).toBe('scalar');
    await dispose();
    await registerWasmconv(tf);
    expect(backend().isa).toBe(backend().supported[0]);
    // already initialised and no options: the backend stays as it is
    await init({ isa: 'scalar', threads: 1 });
    await registerWasmconv(tf);
    expect(backend().isa).toBe('scalar');
   }, 60_000);

  it('rejects what is not a tfjs namespace, and unknown options', async () => {
    await expect(registerWasmconv({} as never)).rejects.toThrow(/registerWasmconv: tf must be the TensorFlow.js namespace/);
    await expect(registerWasmconv(tf, { thread: 1 } as never)).rejects.toThrow(/registerWasmconv: unknown option 'thread'; the options are isa, threads, wasm/);
    await expect(registerWasmconv(tf, { isa: 'avx' as never })).rejects.toThrow(/init: isa must be/);
  });
});

describe('the tfjs ops that reach the plug-in through Conv2D, Conv2DBackpropInput and DepthwiseConv2dNative', () => {
  beforeAll(async () => {
    await tfjsCpu();
    await init({ threads: 1 });
  });
  afterAll(() => unregisterWasmconv());

  const random = seededRandom(11);
  const t = (shape: number[]) => tf.tensor(randomData(shape.reduce((a, b) => a * b, 1), random), shape);
  const x1d = t([2, 9, 3]), w1d = t([3, 3, 4]);
  const x = t([2, 6, 7, 3]), w = t([3, 3, 3, 4]), dy = t([2, 6, 7, 4]), depthwise = t([3, 3, 3, 2]), pointwise = t([1, 1, 6, 5]);
  /** Each op once with tfjs's own kernels, once through the plug-in; Σ|term| is bounded by the term count (|values| < 1). */
  const OPS: Array<[string, () => tf.Tensor, number]> = [
    ['tf.conv1d (stride 2, same)', () => tf.conv1d(x1d as tf.Tensor3D, w1d as tf.Tensor3D, 2, 'same'), 9],
    ['tf.conv2dTranspose (stride 2, same)', () => tf.conv2dTranspose(dy.slice([0, 0, 0, 0], [2, 3, 4, 4]) as tf.Tensor4D, w as tf.Tensor4D, [2, 6, 7, 3], 2, 'same'), 36],
    ['tf.separableConv2d', () => tf.separableConv2d(x as tf.Tensor4D, depthwise as tf.Tensor4D, pointwise as tf.Tensor4D, 1, 'same'), 6 * 9],
    ['tf.grad of tf.conv1d', () => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.conv1d(v as tf.Tensor3D, w1d as tf.Tensor3D, 1, 'valid'), 0.5)))(x1d), 12],
  ];

  it.each(OPS)('%s', async (name, op, terms) => {
    unregisterWasmconv();
    const expected = tf.tidy(op);
    await registerWasmconv(tf);
    const got = tf.tidy(op);
    expect(got.shape).toEqual(expected.shape);
    const e = expected.dataSync() as Float32Array;
    // Σ|term| ≤ terms: every input is in [-1, 1) (the separable conv's second stage sums ≤ 6 terms of ≤ 9)
    expectSameSums('y', got.dataSync() as Float32Array, e, new Float32Array(e.length).fill(terms), terms, () => name);
    tf.dispose([expected, got]);
  });
});

describe('wasmconv/tfjs attributes it cannot map exactly throw an Error naming them', () => {
  beforeAll(async () => {
    await tfjsCpu();
    await init({ threads: 1 });
  });
  afterAll(() => unregisterWasmconv());

  const x = () => tf.tensor4d(randomData(1 * 6 * 8 * 2, seededRandom(1)), [1, 6, 8, 2]);

  /** Runs `f` with and without the plug-in: ours must throw `error`, or match tfjs-cpu exactly in shape and within rounding. */
  async function expectError(f: () => tf.Tensor, error: RegExp) {
    const before = tf.memory().numTensors;
    await registerWasmconv(tf);
    expect(() => tf.tidy(f)).toThrow(error);
    // the library stays usable
    const y = tf.tidy(() => tf.conv2d(x(), tf.ones([1, 1, 2, 1]) as tf.Tensor4D, 1, 'valid'));
    expect(y.shape).toEqual([1, 6, 8, 1]);
    y.dispose();
    unregisterWasmconv();
    expect(tf.memory().numTensors).toBe(before);
  }

  it('a number pad with a filter taller than wide (tfjs sizes the width from the height)', async () => {
    // tfjs: output width trunc((8 − 5 + 0)/1 + 1) = 4 from the 5-tall filter; the 1-wide filter reads all 8 columns
    await expectError(() => tf.conv2d(x(), tf.ones([5, 1, 2, 3]) as tf.Tensor4D, 1, 0), /Conv2D \(wasmconv\/tfjs\): pad is not supported here: tfjs gives an output width of 4 from an input width of 8/);
  });

  it('a rounding mode that leaves input unread', async () => {
    await expectError(
      () => tf.conv2d(x(), tf.ones([5, 1, 2, 3]) as tf.Tensor4D, 1, 0, 'NHWC', 1, 'floor'),
      /Conv2D \(wasmconv\/tfjs\): dimRoundingMode 'floor' is not supported here/,
    );
  });

  it('a fractional pad', async () => {
    await expectError(() => tf.conv2d(x(), tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, 1.5), /Conv2D \(wasmconv\/tfjs\): pad must be a non-negative integer/);
  });

  it('explicit padding on the channel axis', async () => {
    await expectError(
      () => tf.conv2d(x(), tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, [[0, 0], [1, 1], [1, 1], [1, 0]]),
      /Conv2D \(wasmconv\/tfjs\): pad on the channel axis must be \[0,0\]/,
    );
  });

  it("dataFormat 'NCHW' for a depthwise conv (tfjs's own kernels read NHWC whatever it says)", async () => {
    await expectError(
      () => tf.depthwiseConv2d(tf.ones([1, 2, 6, 8]) as tf.Tensor4D, tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, 'valid', 'NCHW'),
      /DepthwiseConv2dNative \(wasmconv\/tfjs\): dataFormat 'NCHW' is not supported for depthwise convolutions/,
    );
  });

  it('a dy whose shape is not the conv output (tf.conv2dTranspose with a wrong outputShape)', async () => {
    await expectError(
      () => tf.conv2dTranspose(tf.ones([1, 3, 3, 1]) as tf.Tensor4D, tf.ones([3, 3, 2, 1]) as tf.Tensor4D, [1, 9, 9, 2], 1, 'same'),
      /Conv2DBackpropInput \(wasmconv\/tfjs\): dy has shape \[1,3,3,1\] but the convolution's output has shape \[1,9,9,1\]/,
    );
  });

  it("FusedConv2D with 'prelu', or a bias that is not [O], runs tfjs's own kernel", async () => {
    const xs = x();
    const w = tf.tensor4d(randomData(3 * 3 * 2 * 4, seededRandom(3)), [3, 3, 2, 4]);
    const alpha = tf.tensor1d([0.1, 0.2, 0.3, 0.4]);
    const wideBias = tf.tensor3d(randomData(4 * 6 * 4, seededRandom(4)), [4, 6, 4]);
    const prelu = () => tf.fused.conv2d({ x: xs, filter: w, strides: 1, pad: 'valid', activation: 'prelu', preluActivationWeights: alpha });
    const biased = () => tf.fused.conv2d({ x: xs, filter: w, strides: 1, pad: 'valid', bias: wideBias, activation: 'relu' });
    unregisterWasmconv();
    const expected = [prelu(), biased()].map((t) => t.dataSync());
    await registerWasmconv(tf);
    const got = [prelu(), biased()].map((t) => t.dataSync());
    unregisterWasmconv();
    expect(got).toEqual(expected);
    tf.dispose([xs, w, alpha, wideBias]);
  });

  it('where tfjs sizes a number pad\'s width from a shorter filter, ours matches it', async () => {
    // tfjs: output width trunc((8 − 1 + 0)/1 + 1) = 8 from the 1-tall filter; the 3-wide filter then reads past the
    // input's right edge, which tfjs's kernel skips (zero padding): wasmconv pads the right by 2
    const w = tf.tensor4d(randomData(1 * 3 * 2 * 2, seededRandom(2)), [1, 3, 2, 2]);
    const xs = x();
    unregisterWasmconv();
    const expected = tf.conv2d(xs, w, 1, 0);
    await registerWasmconv(tf);
    const got = tf.conv2d(xs, w, 1, 0);
    unregisterWasmconv();
    expect(got.shape).toEqual([1, 6, 8, 2]);
    expect(got.shape).toEqual(expected.shape);
    const e = expected.dataSync();
    // 6 products of values in [-1, 1) per output: Σ|term| < 6
    expectSameSums('y', got.dataSync() as Float32Array, e as Float32Array, new Float32Array(e.length).fill(6), 6, () => 'number pad 0, filter [1,3,2,2]');
    tf.dispose([w, xs, expected, got]);
  });
});
