// wasmconv/tfjs against tfjs's own cpu kernels: the same tf.conv2d / tf.depthwiseConv2d calls,
// and the same tf.grads, with and without the plug-in, on random shapes and attributes (both
// data formats, strides, dilations, every padding form, dimRoundingMode), on every ISA.
// Both sides are float32 sums in different orders: expectSameSums bounds their difference by
// twice the rounding bound of test/helpers/tolerance.ts.
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backend, dispose, init } from '../src/index.js';
import { registerWasmconv, unregisterWasmconv } from '../src/tfjs/index.js';
import { TEST_ISAS } from './helpers/isas.js';
import { randomData, seededRandom } from './helpers/random.js';
import { expectSameSums, tf, tfjsCpu } from './helpers/tfjs.js';

const RUNS = Number(process.env.WASMCONV_TFJS_FUZZ_RUNS ?? 400);

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

interface TfCase {
  depthwise: boolean;
  dataFormat: 'NHWC' | 'NCHW';
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  dimRoundingMode: Rounding;
  /** tf.fused.conv2d (the FusedConv2D kernel) instead of tf.conv2d: with a bias or not, and an activation */
  fused: null | { bias: boolean; activation: Activation; leakyreluAlpha: number };
  seed: number;
}

type Activation = 'linear' | 'relu' | 'relu6' | 'leakyrelu' | 'elu' | 'sigmoid' | undefined;

const small = (max: number) => fc.integer({ min: 1, max });
const padAmount = fc.integer({ min: 0, max: 3 });

const tfCase: fc.Arbitrary<TfCase> = fc
  .record({
    depthwise: fc.boolean(),
    channelsFirst: fc.boolean(),
    batch: small(3),
    inChannels: small(6),
    outChannels: small(6),
    kernel: fc.tuple(small(4), small(4)),
    // tfjs's conv ops take strides > 1 or dilations > 1, not both
    dilated: fc.boolean(),
    steps: fc.tuple(small(3), small(3)),
    pad: fc.oneof(
      fc.constant('same' as const),
      fc.constant('valid' as const),
      padAmount,
      fc.tuple(padAmount, padAmount, padAmount, padAmount),
    ),
    rounding: fc.constantFrom<Rounding>(undefined, 'floor', 'round', 'ceil'),
    fused: fc.option(fc.record({
      bias: fc.boolean(),
      activation: fc.constantFrom<Activation>(undefined, 'linear', 'relu', 'relu6', 'leakyrelu', 'elu', 'sigmoid'),
      leakyreluAlpha: fc.double({ min: 0.01, max: 0.9, noNaN: true }),
    }), { freq: 3 }),
    extra: fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })),
    seed: fc.integer(),
  })
  .map((r): TfCase => {
    let [kh, kw] = r.kernel;
    let steps = r.steps;
    if (typeof r.pad === 'number') {
      // tfjs sizes a number pad's output width from the filter's height and the height's stride
      // (tests below cover that); here the axes agree, as for every conv tf.layers builds
      kw = kh;
      steps = [steps[0], steps[0]];
    }
    const strides: [number, number] = r.dilated ? [1, 1] : steps;
    const dilations: [number, number] = r.dilated ? steps : [1, 1];
    const [pt, pb, pl, pr] = typeof r.pad === 'number' ? [r.pad, r.pad, r.pad, r.pad] : Array.isArray(r.pad) ? r.pad : [0, 0, 0, 0];
    const inH = Math.max(1, dilations[0] * (kh - 1) + 1 - pt - pb) + r.extra[0];
    const inW = Math.max(1, dilations[1] * (kw - 1) + 1 - pl - pr) + r.extra[1];
    const channelsFirst = r.channelsFirst && !r.depthwise; // tfjs's depthwise kernels are NHWC only
    const c = r.inChannels;
    const pad: Pad = Array.isArray(r.pad)
      ? channelsFirst ? [[0, 0], [0, 0], [pt, pb], [pl, pr]] : [[0, 0], [pt, pb], [pl, pr], [0, 0]]
      : r.pad;
    return {
      depthwise: r.depthwise,
      dataFormat: channelsFirst ? 'NCHW' : 'NHWC',
      xShape: channelsFirst ? [r.batch, c, inH, inW] : [r.batch, inH, inW, c],
      // depthwise: the last axis is the channel multiplier
      filterShape: [kh, kw, c, r.depthwise ? Math.min(r.outChannels, 3) : r.outChannels],
      strides,
      dilations,
      pad,
      // tfjs's ops allow a rounding mode with numeric padding only
      dimRoundingMode: typeof pad === 'string' ? undefined : r.rounding,
      // tfjs's fused op takes NCHW with a linear activation only
      fused: r.depthwise || !r.fused ? null : { ...r.fused, activation: channelsFirst ? 'linear' : r.fused.activation },
      seed: r.seed,
    };
  });

function convOf(c: TfCase, bias?: Float32Array) {
  return (x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D => {
    if (c.fused) {
      const { activation, leakyreluAlpha } = c.fused;
      const b = c.fused.bias && bias ? tf.tensor1d(bias) : undefined;
      const { strides, pad, dataFormat, dilations, dimRoundingMode } = c;
      return tf.fused.conv2d({ x, filter: w, strides, pad, dataFormat, dilations, dimRoundingMode, bias: b, activation, leakyreluAlpha });
    }
    return c.depthwise
      ? tf.depthwiseConv2d(x, w, c.strides, c.pad, 'NHWC', c.dilations, c.dimRoundingMode)
      : tf.conv2d(x, w, c.strides, c.pad, c.dataFormat, c.dilations, c.dimRoundingMode);
  };
}

interface Results {
  y: Float32Array;
  yShape: number[];
  /** dx and dw of sum(y · r), when tfjs has gradients for the case (dilation 1) */
  dx?: Float32Array;
  dw?: Float32Array;
}

/**
 * Whether tfjs's gradients hold for the case: tfjs has none for dilations > 1, and its Conv2D
 * gradient drops dimRoundingMode, so where that changes the output size its backprop kernels get a
 * dy of another shape than they compute (tfjs-cpu then reads part of it; wasmconv throws, below).
 */
function hasGradients(c: TfCase): boolean {
  if (c.dilations[0] !== 1 || c.dilations[1] !== 1) return false;
  // a non-linear activation's gradient depends on which side of its kink each output lands:
  // outputs within rounding of it would make the two runs differ for reasons not ours
  if (c.fused && (c.fused.activation ?? 'linear') !== 'linear') return false;
  if (c.fused && c.dataFormat === 'NCHW') return false; // tfjs: fused conv2d gradients are NHWC only
  return c.depthwise || c.dimRoundingMode === undefined || !roundingChangesSize(c);
}

function roundingChangesSize(c: TfCase): boolean {
  const sizeOf = (rounding: Rounding) => tf.tidy(() => convOf({ ...c, fused: null, dimRoundingMode: rounding })(tf.zeros(c.xShape), tf.zeros(c.filterShape)).shape);
  return JSON.stringify(sizeOf(c.dimRoundingMode)) !== JSON.stringify(sizeOf(undefined));
}

/** tf.grads of sum(conv(x, w) · r) with respect to x and w. */
function gradients(c: TfCase, x: tf.Tensor4D, w: tf.Tensor4D, r: tf.Tensor4D, bias?: Float32Array): tf.Tensor[] {
  return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(convOf(c, bias)(a as tf.Tensor4D, b as tf.Tensor4D), r)))([x, w]);
}

/** y = conv(x, w), and tf.grads of sum(conv(x, w) · r), all through whichever kernels are registered. */
function run(c: TfCase, x: Float32Array, w: Float32Array, bias: Float32Array, r: (shape: number[]) => Float32Array): Results {
  return scoped(() => {
    const conv = convOf(c, bias);
    const xt = tf.tensor4d(x, c.xShape);
    const wt = tf.tensor4d(w, c.filterShape);
    const y = conv(xt, wt);
    const out: Results = { y: y.dataSync() as Float32Array, yShape: y.shape };
    if (hasGradients(c)) {
      const [dx, dw] = gradients(c, xt, wt, tf.tensor4d(r(y.shape), y.shape as [number, number, number, number]), bias);
      out.dx = dx.dataSync() as Float32Array;
      out.dw = dw.dataSync() as Float32Array;
    }
    return out;
  });
}

/** f() inside a tf.tidy scope (which types its result as tensors): every tensor it makes is disposed. */
function scoped<T>(f: () => T): T {
  let result!: T;
  tf.tidy(() => {
    result = f();
  });
  return result;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const abs = (a: Float32Array) => a.map(Math.abs);

for (const isa of TEST_ISAS) {
  describe(`wasmconv/tfjs against tfjs-cpu, isa ${isa}`, () => {
    const worst = { y: 0, dx: 0, dw: 0 };
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
          const random = seededRandom(c.seed);
          const x = randomData(size(c.xShape), random);
          const w = randomData(size(c.filterShape), random);
          const bias = randomData(c.filterShape[3], random);
          let r: Float32Array | null = null;
          const dyOf = (shape: number[]) => (r ??= randomData(size(shape), random));
          const tensorsBefore = tf.memory().numTensors;
          unregisterWasmconv();
          const expected = run(c, x, w, bias, dyOf);
          // Σ|term| per output: the same sums over |inputs| (with the bias, before any activation)
          const linear = c.fused ? { ...c, fused: { ...c.fused, activation: 'linear' as const } } : c;
          const scale = run(linear, abs(x), abs(w), abs(bias), (shape) => abs(dyOf(shape)));
          await registerWasmconv(tf);
          const got = run(c, x, w, bias, dyOf);
          const context = () => `case ${JSON.stringify(c)}`;
          expect(got.yShape).toEqual(expected.yShape);
          const [kh, kw, ci, co] = c.filterShape;
          const n = c.xShape[0];
          const outPositions = size(expected.yShape) / (n * (c.depthwise ? ci * co : co));
          // a fused conv adds the bias (one more term); its activation is 1-Lipschitz at most
          // and rounds once more, by at most u·|y| on each side: scale gains |y|/(terms+2)
          const terms = kh * kw * (c.depthwise ? 1 : ci) + (c.fused?.bias ? 1 : 0);
          const yScale = c.fused ? scale.y.map((s, i) => s + Math.abs(expected.y[i]) / (terms + 2)) : scale.y;
          worst.y = Math.max(worst.y, expectSameSums('y', got.y, expected.y, yScale, terms, context));
          if (expected.dx) {
            worst.dx = Math.max(worst.dx, expectSameSums('dx', got.dx!, expected.dx, scale.dx!, kh * kw * co, context));
            worst.dw = Math.max(worst.dw, expectSameSums('dw', got.dw!, expected.dw!, scale.dw!, n * outPositions, context));
          }
          expect(tf.memory().numTensors).toBe(tensorsBefore);
          if (!c.depthwise && !c.fused && c.dilations[0] === 1 && c.dilations[1] === 1 && c.dimRoundingMode !== undefined && roundingChangesSize(c)) {
            // (tfjs keeps clones of the tensors it saves for the backward pass; an error there leaves them)
            const xt = tf.tensor4d(x, c.xShape), wt = tf.tensor4d(w, c.filterShape);
            const yShape = got.yShape as [number, number, number, number];
            expect(() => tf.tidy(() => gradients(c, xt, wt, tf.zeros(yShape), bias))).toThrow(/dy has shape .*tfjs's Conv2D gradient drops the forward pass's dimRoundingMode/);
            tf.dispose([xt, wt]);
          }
        }),
        { numRuns: RUNS },
      );
    });
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
      'FusedConv2D',
    ];
    const originals = names.map((k) => tf.getKernel(k, 'cpu')!.kernelFunc);
    const registration = await registerWasmconv(tf, { threads: 1 });
    expect(registration).toEqual({ backends: ['cpu'], kernels: names });
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
  });

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
  });

  it('rejects what is not a tfjs namespace, and unknown options', async () => {
    await expect(registerWasmconv({} as never)).rejects.toThrow(/registerWasmconv: tf must be the TensorFlow.js namespace/);
    await expect(registerWasmconv(tf, { thread: 1 } as never)).rejects.toThrow(/registerWasmconv: unknown option 'thread'; the options are isa, threads, wasm/);
    await expect(registerWasmconv(tf, { isa: 'avx' as never })).rejects.toThrow(/init: isa must be/);
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
