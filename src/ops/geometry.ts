// Shape checks and the size arithmetic of one convolution, done once here and passed down.
// Works for any number of spatial axes; the kernels see every conv as 2-D (1-D gets a unit
// height axis).
import { checkShape, describe, formatShape, sizeOf, type Tensor } from '../tensor.js';
import { winogradIneligibility, type ConvAlgorithm } from './algorithm.js';
import type { OutputClamp } from './activation.js';
import type { ConvParams } from './options.js';

/** Everything the kernels need to know about a 2-D convolution. */
export interface ConvGeometry {
  batch: number;
  inChannels: number;
  outChannels: number;
  groups: number;
  inH: number;
  inW: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
  /** output shape in the caller's rank ([N,O,OH,OW] or [N,O,OL]) */
  outShape: number[];
  /** the `algorithm` option ('auto' when absent) */
  algorithm?: ConvAlgorithm;
  /**
   * The weights' blocks (Winograd's U, the packed W) are made once and kept across calls (a
   * prepared conv), so 'auto' counts no per-call filter transform.
   */
  preparedWeights?: boolean;
  /** the forward pass's fused activation, min(max(y, lo), hi) after the bias (absent: none) */
  clamp?: OutputClamp;
}

/** Throws unless `t` is a Tensor of the given rank whose Float32Array matches its shape. */
export function checkTensor(op: string, name: string, t: unknown, rank: number, layout: string): Tensor {
  if (t === null || typeof t !== 'object' || !('data' in t) || !('shape' in t)) {
    throw new Error(`${op}: ${name} must be a Tensor { data: Float32Array, shape: number[] }, got ${describe(t)}`);
  }
  const { data, shape } = t as Tensor;
  if (!(data instanceof Float32Array)) {
    throw new Error(`${op}: ${name}.data must be a Float32Array, got ${describe(data)}; tensor(data, shape) converts`);
  }
  checkShape(op, `${name}.shape`, shape);
  if (shape.length !== rank) {
    throw new Error(`${op}: ${name} must have rank ${rank} (${layout}), got shape ${formatShape(shape)}`);
  }
  if (data.length !== sizeOf(shape)) {
    throw new Error(
      `${op}: ${name}.data has ${data.length} elements but shape ${formatShape(shape)} needs ${sizeOf(shape)}`,
    );
  }
  return t as Tensor;
}

const AXIS_NAMES: Record<number, string[]> = { 1: ['length'], 2: ['height', 'width'] };

/** Checks x against w and the options; returns the 2-D geometry. */
export function convGeometry(op: string, xShape: readonly number[], wShape: readonly number[], params: ConvParams): ConvGeometry {
  const shapes = `(x ${formatShape(xShape)}, w ${formatShape(wShape)})`;
  const [batch, inChannels] = xShape;
  const [outChannels, groupChannels] = wShape;
  const { groups } = params;
  if (inChannels % groups !== 0) {
    throw new Error(`${op}: x has ${inChannels} channels, not divisible by groups=${groups} ${shapes}`);
  }
  if (inChannels !== groupChannels * groups) {
    throw new Error(
      `${op}: w has ${groupChannels} input channels per group but x has ${inChannels} channels with groups=${groups} ${shapes}; ` +
        `x.shape[1] must equal w.shape[1]·groups`,
    );
  }
  if (outChannels % groups !== 0) {
    throw new Error(`${op}: w has ${outChannels} output channels, not divisible by groups=${groups} ${shapes}`);
  }
  const axes = xShape.length - 2;
  const inSizes = xShape.slice(2);
  const kernelSizes = wShape.slice(2);
  const pads: Array<[number, number]> = [];
  const outSizes: number[] = [];
  for (let a = 0; a < axes; a++) {
    const axis = AXIS_NAMES[axes][a];
    const stride = params.stride[a];
    const dilation = params.dilation[a];
    const effectiveKernel = dilation * (kernelSizes[a] - 1) + 1;
    const [before, after] = params.padding === 'same' ? samePadding(inSizes[a], effectiveKernel, stride) : params.padding[a];
    const padded = inSizes[a] + before + after;
    if (effectiveKernel > padded) {
      const dilated = dilation > 1 ? ` (dilated to ${effectiveKernel})` : '';
      throw new Error(
        `${op}: w's kernel ${axis} ${kernelSizes[a]}${dilated} is larger than x's padded ${axis} ${padded} ` +
          `(${inSizes[a]} + padding ${before}+${after}) ${shapes}`,
      );
    }
    pads.push([before, after]);
    outSizes.push(Math.floor((padded - effectiveKernel) / stride) + 1);
  }
  // The kernels see a 2-D convolution; a 1-D one gets a unit height axis in front.
  const as2d = (values: number[], unit: number): number[] => (axes === 1 ? [unit, ...values] : values);
  const [inH, inW] = as2d(inSizes, 1);
  const [kernelH, kernelW] = as2d(kernelSizes, 1);
  const [strideH, strideW] = as2d(params.stride, 1);
  const [dilationH, dilationW] = as2d(params.dilation, 1);
  const [padTop, padLeft] = as2d(pads.map((p) => p[0]), 0);
  const [outH, outW] = as2d(outSizes, 1);
  const geometry: ConvGeometry = {
    batch, inChannels, outChannels, groups,
    inH, inW, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW,
    outShape: [batch, outChannels, ...outSizes],
    algorithm: params.algorithm,
    ...(params.clamp ? { clamp: params.clamp } : {}),
  };
  const ineligible = params.algorithm === 'winograd' ? winogradIneligibility(geometry) : null;
  if (ineligible) throw new Error(`${op}: algorithm 'winograd' cannot compute this convolution: ${ineligible} ${shapes}`);
  return geometry;
}

/** TensorFlow/ONNX SAME_UPPER: out = ceil(in / stride), the odd padding pixel goes after. */
export function samePadding(inSize: number, effectiveKernel: number, stride: number): [number, number] {
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + effectiveKernel - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Throws unless bias is null/undefined or a Tensor of shape [O]. */
export function checkBias(op: string, bias: unknown, outChannels: number, wShape: readonly number[]): Tensor | null {
  if (bias === undefined || bias === null) return null;
  const b = checkTensor(op, 'bias', bias, 1, '[O]');
  if (b.shape[0] !== outChannels) {
    throw new Error(
      `${op}: bias has shape ${formatShape(b.shape)} but w ${formatShape(wShape)} has ${outChannels} output channels; bias must be [${outChannels}]`,
    );
  }
  return b;
}

/** Throws unless dy has exactly the shape the forward pass produces. */
export function checkOutputGradient(op: string, dy: unknown, geometry: ConvGeometry, xShape: readonly number[], wShape: readonly number[]): Tensor {
  const t = checkTensor(op, 'dy', dy, geometry.outShape.length, geometry.outShape.length === 4 ? '[N,O,OH,OW]' : '[N,O,OL]');
  if (t.shape.some((d, i) => d !== geometry.outShape[i])) {
    throw new Error(
      `${op}: dy has shape ${formatShape(t.shape)} but the convolution of x ${formatShape(xShape)} with w ` +
        `${formatShape(wShape)} gives ${formatShape(geometry.outShape)}; dy must match that`,
    );
  }
  return t;
}
