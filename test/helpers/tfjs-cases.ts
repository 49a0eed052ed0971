// The random conv cases of the wasmconv/tfjs tests, and the check of one: tfjs's own cpu kernels
// (tf.conv2d / tf.fused.conv2d / tf.depthwiseConv2d and tf.grads, without the plug-in) against
// the same calls through the plug-in on the backend under test. Both sides are float32 sums in
// different orders: expectSameSums bounds their difference by twice the rounding bound of
// test/helpers/tolerance.ts.
import fc from 'fast-check';
import { expect } from 'vitest';
import { registerWasmconv, unregisterWasmconv } from '../../src/tfjs/index.js';
import { randomData, seededRandom } from './random.js';
import { expectSameSums, tf } from './tfjs.js';

export type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

export interface TfCase {
  depthwise: boolean;
  dataFormat: 'NHWC' | 'NCHW';
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  dimRoundingMode: Rounding;
  /** tf.fused.conv2d / tf.fused.depthwiseConv2d (the FusedConv2D / FusedDepthwiseConv2D kernels) instead: with a bias or not, and an activation */
  fused: null | { bias: boolean; activation: Activation; leakyreluAlpha: number };
  seed: number;
}

type Activation = 'linear' | 'relu' | 'relu6' | 'leakyrelu' | 'elu' | 'sigmoid' | undefined;

const small = (max: number) => fc.integer({ min: 1, max });
const padAmount = fc.integer({ min: 0, max: 3 });

export const tfCase: fc.Arbitrary<TfCase> = fc
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
      fused: !r.fused ? null : { ...r.fused, activation: channelsFirst ? 'linear' : r.fused.activation },
      seed: r.seed,
    };
  });

export function convOf(c: TfCase, bias?: Float32Array) {
  return (x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D => {
    if (c.fused) {
      const { activation, leakyreluAlpha } = c.fused;
      const b = c.fused.bias && bias ? tf.tensor1d(bias) : undefined;
      const { strides, pad, dataFormat, dilations, dimRoundingMode } = c;
      // (tfjs types fused.depthwiseConv2d's pad without explicit padding, which it runs all the same)
      return c.depthwise
        ? tf.fused.depthwiseConv2d({ x, filter: w, strides, pad: pad as 'same' | 'valid' | number, dataFormat, dilations, dimRoundingMode, bias: b, activation, leakyreluAlpha })
        : tf.fused.conv2d({ x, filter: w, strides, pad, dataFormat, dilations, dimRoundingMode, bias: b, activation, leakyreluAlpha });
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

/** Largest differences seen, in units of u·Σ|term|. */
export interface Worst {
  y: number;
  dx: number;
  dw: number;
}

/** One case: tfjs-cpu's own kernels against the plug-in's on `backendName`, forward and gradients. */
export async function checkAgainstTfjsCpu(c: TfCase, backendName: 'cpu' | 'wasm', worst: Worst): Promise<void> {
    const random = seededRandom(c.seed);
    const x = randomData(size(c.xShape), random);
    const w = randomData(size(c.filterShape), random);
    // one bias per output channel: O, or C·M for a depthwise filter [KH, KW, C, M]
    const bias = randomData(c.depthwise ? c.filterShape[2] * c.filterShape[3] : c.filterShape[3], random);
    let r: Float32Array | null = null;
    const dyOf = (shape: number[]) => (r ??= randomData(size(shape), random));
    const tensorsBefore = tf.memory().numTensors;
    unregisterWasmconv();
    await tf.setBackend('cpu');
    const expected = run(c, x, w, bias, dyOf);
    // Σ|term| per output: the same sums over |inputs| (with the bias, before any activation)
    const linear = c.fused ? { ...c, fused: { ...c.fused, activation: 'linear' as const } } : c;
    const scale = run(linear, abs(x), abs(w), abs(bias), (shape) => abs(dyOf(shape)));
    await tf.setBackend(backendName);
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
}
