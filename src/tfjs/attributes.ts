// tfjs conv attributes → wasmconv Conv2dOptions. The geometry comes from tfjs's own
// backend_util.computeConv2DInfo (what its cpu kernels run), so output sizes agree with tfjs
// whatever the padding, rounding mode or version; it is then expressed as explicit padding
// [top, bottom, left, right] for wasmconv. Anything that cannot be expressed exactly throws an
// Error naming the attribute.
import type { Conv2dOptions } from '../ops/options.js';
import { describe, formatShape } from '../tensor.js';
import type { Conv2DInfo, ExplicitPadding, Tfjs } from './types.js';

export type Shape4 = [number, number, number, number];

export interface MappedConv {
  /** dataFormat 'NCHW' (tfjs's 'channelsFirst'): wasmconv's own layout, no transpose needed */
  channelsFirst: boolean;
  info: Conv2DInfo;
  /** the same convolution for wasmconv, on NCHW activations and OIHW weights */
  options: Conv2dOptions & { padding: [number, number, number, number] };
}

export interface ConvKernelShapes {
  /** the kernel's name, for errors ('Conv2D', 'Conv2DBackpropFilter', …) */
  kernel: string;
  /** x's shape, or the inputShape attribute for the backprop-input kernels */
  xShape: number[];
  /** the filter's shape, HWIO ([KH, KW, C, O]) or depthwise HWCM ([KH, KW, C, M]) */
  filterShape: number[];
  depthwise: boolean;
  /** false for Conv2DBackpropInput/Filter: tfjs runs them undilated whatever the attrs say */
  dilated: boolean;
}

const ROUNDING_MODES = ['floor', 'round', 'ceil'];

/** Maps a conv kernel's attributes onto wasmconv options, or throws naming the attribute. */
export function mapConvAttributes(tf: Tfjs, shapes: ConvKernelShapes, attrs: Record<string, unknown>): MappedConv {
  const { kernel, xShape, filterShape, depthwise } = shapes;
  const where = `${kernel} (wasmconv/tfjs)`;
  const channelsFirst = dataFormatIsNCHW(where, attrs.dataFormat, depthwise);
  const strides = pair(where, 'strides', attrs.strides);
  const dilations = shapes.dilated && attrs.dilations != null ? pair(where, 'dilations', attrs.dilations) : ([1, 1] as [number, number]);
  const pad = checkPad(where, attrs.pad, channelsFirst);
  const roundingMode = attrs.dimRoundingMode ?? undefined;
  if (roundingMode !== undefined && !ROUNDING_MODES.includes(roundingMode as string)) {
    throw new Error(`${where}: dimRoundingMode must be 'floor', 'round' or 'ceil' (or unset), got ${describe(roundingMode)}`);
  }
  if (xShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`${where}: x must be rank 4 and the filter rank 4, got x ${formatShape(xShape)} and filter ${formatShape(filterShape)}`);
  }
  const inChannels = channelsFirst ? xShape[1] : xShape[3];
  if (filterShape[2] !== inChannels) {
    throw new Error(
      `${where}: x ${formatShape(xShape)} (${channelsFirst ? 'NCHW' : 'NHWC'}) has ${inChannels} channels but the filter ` +
        `${formatShape(filterShape)} (${depthwise ? '[KH,KW,C,M]' : '[KH,KW,C,O]'}) expects ${filterShape[2]}`,
    );
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as Shape4, filterShape as Shape4, strides, dilations, pad, roundingMode as 'floor' | 'round' | 'ceil' | undefined, depthwise,
    channelsFirst ? 'channelsFirst' : 'channelsLast',
  );
  const bothPads = (axis: 'height' | 'width') =>
    axis === 'height'
      ? padsOf(where, axis, info.inHeight, info.outHeight, info.strideHeight, info.effectiveFilterHeight, info.padInfo.top, roundingMode)
      : padsOf(where, axis, info.inWidth, info.outWidth, info.strideWidth, info.effectiveFilterWidth, info.padInfo.left, roundingMode);
  const [top, bottom] = bothPads('height');
  const [left, right] = bothPads('width');
  return {
    channelsFirst,
    info,
    options: {
      stride: [info.strideHeight, info.strideWidth],
      dilation: [info.dilationHeight, info.dilationWidth],
      padding: [top, bottom, left, right],
      groups: depthwise ? inChannels : 1,
    },
  };
}

function dataFormatIsNCHW(where: string, dataFormat: unknown, depthwise: boolean): boolean {
  if (dataFormat === undefined || dataFormat === null || dataFormat === 'NHWC') return false;
  if (dataFormat === 'NCHW') {
    // tfjs's own depthwise kernels ignore dataFormat and read NHWC: no answer to agree with
    if (depthwise) throw new Error(`${where}: dataFormat 'NCHW' is not supported for depthwise convolutions (tfjs's kernels run NHWC only)`);
    return true;
  }
  throw new Error(`${where}: dataFormat must be 'NHWC' or 'NCHW', got ${describe(dataFormat)}`);
}

function pair(where: string, name: string, value: unknown): [number, number] {
  const values = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(values) || values.length !== 2 || !values.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new Error(`${where}: ${name} must be a positive integer or two of them ([height, width]), got ${describeValue(value)}`);
  }
  return values as [number, number];
}

function checkPad(where: string, pad: unknown, channelsFirst: boolean): 'same' | 'valid' | number | ExplicitPadding {
  if (pad === 'same' || pad === 'valid') return pad;
  if (typeof pad === 'number') {
    if (!Number.isInteger(pad) || pad < 0) throw new Error(`${where}: pad must be a non-negative integer, 'same', 'valid' or explicit padding, got ${pad}`);
    return pad;
  }
  const rule = `explicit padding must be 4 pairs of non-negative integers ([[0,0],[top,bottom],[left,right],[0,0]] for NHWC, [[0,0],[0,0],[top,bottom],[left,right]] for NCHW)`;
  if (!Array.isArray(pad) || pad.length !== 4 || !pad.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0))) {
    throw new Error(`${where}: pad must be 'same', 'valid', a non-negative integer or explicit padding; ${rule}, got ${describeValue(pad)}`);
  }
  const unused = channelsFirst ? [0, 1] : [0, 3];
  for (const axis of unused) {
    // tfjs ignores these; a non-zero one cannot mean what it says
    if (pad[axis][0] !== 0 || pad[axis][1] !== 0) {
      throw new Error(`${where}: pad on the ${axis === 0 ? 'batch' : 'channel'} axis must be [0,0], got ${describeValue(pad)}`);
    }
  }
  return pad as ExplicitPadding;
}

/**
 * [before, after] padding that makes wasmconv produce tfjs's output size. `before` is tfjs's;
 * `after` is what the last output needs (tfjs's kernels skip reads past the input, which is the
 * same as zero padding). Input rows no output reads need no padding.
 */
function padsOf(where: string, axis: string, inSize: number, outSize: number, stride: number, effectiveKernel: number, before: number, roundingMode: unknown): [number, number] {
  if (!(outSize >= 1)) {
    throw new Error(`${where}: the filter's ${axis} (${effectiveKernel} with dilation) does not fit the input's ${axis} ${inSize} with this padding; tfjs computes an output ${axis} of ${outSize}`);
  }
  const after = Math.max((outSize - 1) * stride + effectiveKernel - inSize - before, 0);
  const ours = Math.floor((inSize + before + after - effectiveKernel) / stride) + 1;
  if (ours !== outSize) {
    // tfjs's output stops more than a stride short of the input's end: only a rounding mode, or
    // tfjs sizing a number pad's width from the filter's height, does that
    const culprit = roundingMode !== undefined ? `dimRoundingMode '${String(roundingMode)}'` : 'pad';
    throw new Error(
      `${where}: ${culprit} is not supported here: tfjs gives an output ${axis} of ${outSize} from an input ${axis} of ${inSize}, ` +
        `which leaves input unread past the last stride (wasmconv would give ${ours})`,
    );
  }
  return [before, after];
}

const describeValue = (value: unknown): string => (Array.isArray(value) ? JSON.stringify(value) : describe(value));
