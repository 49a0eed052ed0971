// Node → layer mapping: one function per ONNX operator, each checking every attribute it reads
// (anything it cannot compute exactly is an Error naming the node) and planning a layer, an
// alias, or a folded constant.
import { Conv2d } from '../nn/conv.js';
import { Linear } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import { MaxPool2d } from '../nn/pool.js';
import { Flatten } from '../nn/flatten.js';
import { BatchNorm2d, foldIntoConv } from '../nn/layers/batchnorm.js';
import { GlobalAvgPool2d } from '../nn/layers/global-avgpool.js';
import { AvgPool2d } from '../nn/layers/avgpool.js';
import { Concat } from '../nn/layers/concat.js';
import { Dropout } from '../nn/layers/dropout.js';
import { ARITHMETIC_HANDLERS } from './arithmetic.js';
import { CHANNEL_HANDLERS } from './channels.js';
import { SOFTMAX_PAD_HANDLERS } from './softmax-pad.js';
import { reshapeChannelGroups } from './shuffle.js';
import { Attributes, DataType, readTensor, type Constant, type Dim } from './decode.js';
import { nodeError, type NodeContext } from './errors.js';
import {
  explicitPads, foldCast, foldGather, foldShape, formatDims, knownProduct, mayBeEqual, numbersOf, pairAttr, unsqueezedDims, UNKNOWN, windowOutput,
} from './shapes.js';
import type { ConvWeights, ImportState, LinearWeights } from './state.js';
import { convTranspose } from './conv-transpose.js';
import { ACTIVATION_HANDLERS } from './activations.js';

type Handler = (s: ImportState, ctx: NodeContext, attrs: Attributes) => void;

function conv(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides');
  const xRank = s.runtime(ctx, 0).dims.length;
  if (xRank !== 4) throw nodeError(ctx, `only 2-D convolution (x [N,C,H,W]) is supported, x has rank ${xRank}`);
  const x = s.runtime(ctx, 0, 4);
  const w = s.floats(ctx, 1, 'the weight W');
  if (w.dims.length !== 4) throw nodeError(ctx, `the weight W must be [O, C/group, KH, KW], got ${formatDims(w.dims)}`);
  const [O, Cg, KH, KW] = w.dims;
  const group = attrs.int('group', 1);
  if (!(group >= 1) || O % group !== 0) throw nodeError(ctx, `group ${group} must be ≥ 1 and divide the ${O} output channels`);
  const C = Cg * group;
  if (typeof x.dims[1] === 'number' && x.dims[1] !== C) throw nodeError(ctx, `x has ${x.dims[1]} channels but W ${formatDims(w.dims)} with group ${group} takes ${C}`);
  const kernel = attrs.ints('kernel_shape');
  if (kernel && (kernel.length !== 2 || kernel[0] !== KH || kernel[1] !== KW)) throw nodeError(ctx, `kernel_shape [${kernel}] does not match W ${formatDims(w.dims)}`);
  const strides = pairAttr(ctx, attrs, 'strides', 1), dilations = pairAttr(ctx, attrs, 'dilations', 1);
  // SAME_UPPER is the layer's padding 'same' (same rule): it needs no input size
  const same = attrs.string('auto_pad', 'NOTSET') === 'SAME_UPPER';
  const pads = same ? [0, 0, 0, 0] : explicitPads(attrs.string('auto_pad', 'NOTSET'), attrs.ints('pads'), [KH, KW], strides, dilations, x.dims.slice(2));
  if (typeof pads === 'string') throw nodeError(ctx, pads);
  const [top, left, bottom, right] = pads;
  const b = ctx.node.input?.[2] ? s.floats(ctx, 2, 'the bias B', [O]) : null;
  const sameOutput = (size: Dim, stride: number): Dim => (typeof size === 'number' ? Math.ceil(size / stride) : UNKNOWN);
  const oh = same ? sameOutput(x.dims[2], strides[0]) : windowOutput(x.dims[2], KH, strides[0], dilations[0], top, bottom);
  const ow = same ? sameOutput(x.dims[3], strides[1]) : windowOutput(x.dims[3], KW, strides[1], dilations[1], left, right);
  if ((typeof oh === 'number' && oh < 1) || (typeof ow === 'number' && ow < 1)) throw nodeError(ctx, `the ${KH}×${KW} kernel does not fit x ${formatDims(x.dims)} with pads [${pads}]`);
  const weights: ConvWeights = { weight: Float32Array.from(w.data), bias: b ? Float32Array.from(b.data) : null, outChannels: O };
  s.plan(ctx, [x.tensor], [x.dims[0], O, oh, ow], () => {
    const layer = new Conv2d(C, O, [KH, KW], {
      stride: strides, padding: same ? 'same' : [top, bottom, left, right], dilation: dilations, groups: group, bias: weights.bias !== null,
    });
    layer.weight.write(weights.weight);
    if (weights.bias) layer.bias!.write(weights.bias);
    return layer;
  }, { conv: weights });
}

function batchNormalization(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('epsilon', 'momentum', 'training_mode');
  if (attrs.int('training_mode', 0) !== 0) throw nodeError(ctx, 'training_mode 1 is not supported (import the inference form; the Graph trains its BatchNorm itself)');
  const x = s.runtime(ctx, 0);
  if (x.dims.length !== 4) throw nodeError(ctx, `only BatchNormalization over [N,C,H,W] is supported, x has rank ${x.dims.length}`);
  const C = s.floats(ctx, 1, 'the scale').dims[0];
  if (typeof x.dims[1] === 'number' && x.dims[1] !== C) throw nodeError(ctx, `x has ${x.dims[1]} channels, the scale ${C}`);
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => s.floats(ctx, i, ['', 'the scale', 'the bias B', 'the mean', 'the variance'][i], [C]).data);
  const eps = attrs.float('epsilon', 1e-5), momentum = attrs.float('momentum', 0.9);
  if (!(eps > 0)) throw nodeError(ctx, `epsilon must be > 0, got ${eps}`);
  if (!(momentum >= 0 && momentum <= 1)) throw nodeError(ctx, `momentum must be in [0, 1], got ${momentum}`);
  const input = ctx.node.input![0];
  const producer = s.aliases.has(input) ? undefined : s.byTensor.get(input);
  if (s.foldBatchNorm && producer?.conv && s.usesOf(input) === 1) {
    s.output(ctx);
    const weights = producer.conv;
    weights.bias = foldIntoConv(weights.weight, weights.bias, gamma, beta, mean, variance, eps);
    s.alias(ctx, x.tensor);
    return;
  }
  // ONNX's momentum weighs the old running value, PyTorch's (and BatchNorm2d's) the new batch
  s.plan(ctx, [x.tensor], x.dims, () => {
    const layer = new BatchNorm2d(C, { eps, momentum: 1 - momentum });
    layer.weight.write(gamma);
    layer.bias.write(beta);
    layer.runningMean.write(mean);
    layer.runningVar.write(variance);
    return layer;
  });
}

function relu(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only();
  const x = s.runtime(ctx, 0);
  s.plan(ctx, [x.tensor], x.dims, () => new ReLU());
}

/** kernel, strides, explicit pads and output dims of MaxPool / AveragePool. */
function poolGeometry(s: ImportState, ctx: NodeContext, attrs: Attributes) {
  const x = s.runtime(ctx, 0);
  if (x.dims.length !== 4) throw nodeError(ctx, `only 2-D pooling (x [N,C,H,W]) is supported, x has rank ${x.dims.length}`);
  const kernel = attrs.ints('kernel_shape');
  if (!kernel || kernel.length !== 2 || kernel.some((k) => !(k >= 1))) throw nodeError(ctx, `kernel_shape must be 2 positive integers, got ${kernel ? `[${kernel}]` : 'none'}`);
  const strides = pairAttr(ctx, attrs, 'strides', 1), dilations = pairAttr(ctx, attrs, 'dilations', 1);
  if (dilations[0] !== 1 || dilations[1] !== 1) throw nodeError(ctx, `dilations [${dilations}] are not supported (only 1)`);
  const pads = explicitPads(attrs.string('auto_pad', 'NOTSET'), attrs.ints('pads'), kernel, strides, dilations, x.dims.slice(2));
  if (typeof pads === 'string') throw nodeError(ctx, pads);
  const ceil = attrs.int('ceil_mode', 0);
  if (ceil !== 0 && ceil !== 1) throw nodeError(ctx, `ceil_mode must be 0 or 1, got ${ceil}`);
  const out = (c: boolean): Dim[] => [x.dims[0], x.dims[1],
    windowOutput(x.dims[2], kernel[0], strides[0], 1, pads[0], pads[2], c), windowOutput(x.dims[3], kernel[1], strides[1], 1, pads[1], pads[3], c)];
  return { x, kernel: [kernel[0], kernel[1]] as [number, number], strides, pads, ceil: ceil === 1, out };
}

function maxPool(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('auto_pad', 'ceil_mode', 'dilations', 'kernel_shape', 'pads', 'storage_order', 'strides');
  if (attrs.int('storage_order', 0) !== 0) throw nodeError(ctx, 'storage_order 1 is not supported (it only changes the Indices output, which must be unused)');
  const { x, kernel, strides, pads, ceil, out } = poolGeometry(s, ctx, attrs);
  const [top, left, bottom, right] = pads;
  if (top !== bottom || left !== right) throw nodeError(ctx, `asymmetric pads [${pads}] are not supported (MaxPool2d pads both sides alike)`);
  if (2 * top > kernel[0] || 2 * left > kernel[1]) throw nodeError(ctx, `pads [${pads}] exceed half the ${kernel[0]}×${kernel[1]} kernel`);
  s.plan(ctx, [x.tensor], out(ceil), () => new MaxPool2d(kernel, { stride: strides, padding: [top, left], ceilMode: ceil }));
}

function averagePool(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('auto_pad', 'ceil_mode', 'count_include_pad', 'dilations', 'kernel_shape', 'pads', 'strides');
  const { x, kernel, strides, pads, ceil, out } = poolGeometry(s, ctx, attrs);
  const [top, left, bottom, right] = pads;
  if (top !== bottom || left !== right) throw nodeError(ctx, `asymmetric pads [${pads}] are not supported (AvgPool2d pads both sides alike)`);
  if (2 * top > kernel[0] || 2 * left > kernel[1]) throw nodeError(ctx, `pads [${pads}] exceed half the ${kernel[0]}×${kernel[1]} kernel`);
  const countIncludePad = attrs.int('count_include_pad', 0) !== 0;
  s.plan(ctx, [x.tensor], out(ceil), () => new AvgPool2d(kernel, { stride: strides, padding: [top, left], ceilMode: ceil, countIncludePad }));
}

function globalAveragePool(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only();
  const x = s.runtime(ctx, 0);
  if (x.dims.length !== 4) throw nodeError(ctx, `only x [N,C,H,W] is supported, x has rank ${x.dims.length}`);
  s.plan(ctx, [x.tensor], [x.dims[0], x.dims[1], 1, 1], () => new GlobalAvgPool2d());
}

function concat(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('axis');
  const inputs = ctx.node.input ?? [];
  const axis = attrs.int('axis', Number.NaN);
  if (inputs.length > 0 && inputs.every((i) => s.constants.has(i))) {
    // shape arithmetic: 1-D integer constants joined
    const parts = inputs.map((_, i) => s.constant(ctx, i)!);
    if (parts.some((p) => p.kind !== 'int' || p.dims.length !== 1) || (axis !== 0 && axis !== -1)) {
      throw nodeError(ctx, 'Concat of constants is only supported for 1-D integer (shape) tensors');
    }
    const data = parts.flatMap((p) => Array.from(p.data as ArrayLike<Dim>));
    s.constants.set(s.output(ctx), { kind: 'int', dims: [data.length], data });
    return;
  }
  const xs = inputs.map((_, i) => s.runtime(ctx, i));
  const rank = xs[0].dims.length;
  if (!(rank >= 2) || (axis !== 1 && axis !== 1 - rank)) throw nodeError(ctx, `only Concat along the channels (axis 1) is supported, got axis ${axis} for rank ${rank}`);
  for (const x of xs.slice(1)) {
    const rest = (d: Dim[]) => [d[0], ...d.slice(2)];
    if (x.dims.length !== rank || !mayBeEqual(rest(x.dims), rest(xs[0].dims))) {
      throw nodeError(ctx, `the inputs must match on every axis but the channels, got ${xs.map((v) => formatDims(v.dims)).join(' and ')}`);
    }
  }
  if (xs.length === 1) {
    s.alias(ctx, xs[0].tensor);
    return;
  }
  const channels = xs.map((x) => x.dims[1]);
  const total = channels.every((c) => typeof c === 'number') ? (channels as number[]).reduce((a, b) => a + b, 0) : UNKNOWN;
  s.plan(ctx, xs.map((x) => x.tensor), [xs[0].dims[0], total, ...xs[0].dims.slice(2)], () => new Concat(xs.length));
}

function flattenDims(dims: Dim[]): Dim[] {
  return [dims[0], knownProduct(dims.slice(1)) ?? UNKNOWN];
}

function flatten(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('axis');
  const x = s.runtime(ctx, 0);
  const axis = attrs.int('axis', 1);
  if (axis !== 1 && axis !== 1 - x.dims.length) throw nodeError(ctx, `only Flatten with axis 1 is supported, got axis ${axis}`);
  s.plan(ctx, [x.tensor], flattenDims(x.dims), () => new Flatten());
}

function reshape(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('allowzero');
  if (reshapeChannelGroups(s, ctx, attrs)) return;
  const x = s.runtime(ctx, 0);
  const shape = s.constant(ctx, 1);
  if (!shape || shape.kind !== 'int' || shape.dims.length !== 1) throw nodeError(ctx, 'the shape (input 1) must be a 1-D integer constant (or fold to one)');
  const target = Array.from(shape.data as ArrayLike<Dim>);
  const rest = knownProduct(x.dims.slice(1));
  const keepsBatch = (d: Dim) => (d === 0 && attrs.int('allowzero', 0) === 0) || d === x.dims[0];
  const restOk = (d: Dim) => d === -1 || (rest !== null && d === rest);
  const isFlatten = target.length === 2 && ((keepsBatch(target[0]) && restOk(target[1])) || (target[0] === -1 && rest !== null && target[1] === rest));
  if (!isFlatten) {
    throw nodeError(ctx, `only Reshape to [N, -1] (a flatten that keeps the batch) is supported, got [${target}] for x ${formatDims(x.dims)}`);
  }
  s.plan(ctx, [x.tensor], flattenDims(x.dims), () => new Flatten());
}

/** Gemm or MatMul as a Linear: weight [O, K] (transposed from [K, O] unless transB). */
function planLinear(s: ImportState, ctx: NodeContext, b: { dims: number[]; data: Float32Array }, transposed: boolean, bias: Float32Array | null): void {
  const x = s.runtime(ctx, 0);
  if (x.dims.length !== 2) throw nodeError(ctx, `A must be [N, K] (put a Flatten before it), got ${formatDims(x.dims)}`);
  if (b.dims.length !== 2) throw nodeError(ctx, `B must be a matrix, got ${formatDims(b.dims)}`);
  const [K, O] = transposed ? [b.dims[1], b.dims[0]] : b.dims;
  if (typeof x.dims[1] === 'number' && x.dims[1] !== K) throw nodeError(ctx, `A ${formatDims(x.dims)} has ${x.dims[1]} columns, B ${formatDims(b.dims)} ${K} rows`);
  let weight = Float32Array.from(b.data);
  if (!transposed) {
    weight = new Float32Array(K * O);
    for (let k = 0; k < K; k++) for (let o = 0; o < O; o++) weight[o * K + k] = b.data[k * O + o];
  }
  const linear: LinearWeights = { weight, bias, outFeatures: O };
  s.plan(ctx, [x.tensor], [x.dims[0], O], () => {
    const layer = new Linear(K, O, { bias: linear.bias !== null });
    layer.weight.write(linear.weight);
    if (linear.bias) layer.bias!.write(linear.bias);
    return layer;
  }, { linear });
}

function gemm(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('alpha', 'beta', 'transA', 'transB');
  for (const [name, fallback, want] of [['alpha', 1, 1], ['beta', 1, 1]] as const) {
    const v = attrs.float(name, fallback);
    if (v !== want) throw nodeError(ctx, `${name} ${v} is not supported (only 1)`);
  }
  if (attrs.int('transA', 0) !== 0) throw nodeError(ctx, 'transA 1 is not supported');
  const transB = attrs.int('transB', 0);
  const b = s.floats(ctx, 1, 'B');
  const O = b.dims.length === 2 ? (transB ? b.dims[0] : b.dims[1]) : 0;
  let bias: Float32Array | null = null;
  if (ctx.node.input?.[2]) {
    const c = s.floats(ctx, 2, 'C');
    if (!(c.dims.length === 1 && c.dims[0] === O) && !(c.dims.length === 2 && c.dims[0] === 1 && c.dims[1] === O)) {
      throw nodeError(ctx, `C must be [${O}] or [1,${O}] (a bias), got ${formatDims(c.dims)}`);
    }
    bias = Float32Array.from(c.data);
  }
  planLinear(s, ctx, b, transB !== 0, bias);
}

function matMul(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only();
  planLinear(s, ctx, s.floats(ctx, 1, 'B (the weight)'), false, null);
}

function dropout(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('ratio', 'seed');
  const x = s.runtime(ctx, 0);
  let ratio = attrs.float('ratio', 0.5);
  if (ctx.node.input?.[1]) {
    const r = s.constant(ctx, 1)!;
    if (r.kind !== 'float' || r.data.length !== 1) throw nodeError(ctx, 'ratio (input 1) must be a float32 scalar');
    ratio = r.data[0];
  }
  if (ctx.node.input?.[2]) {
    const t = s.constant(ctx, 2)!;
    if (t.data.length !== 1 || t.data[0] !== 0) throw nodeError(ctx, 'training_mode true is not supported (the Graph switches Dropout with train()/eval())');
  }
  if (!(ratio >= 0 && ratio < 1)) throw nodeError(ctx, `ratio must be in [0, 1), got ${ratio}`);
  s.plan(ctx, [x.tensor], x.dims, () => new Dropout(ratio));
}

function identity(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only();
  const input = ctx.node.input?.[0] ?? '';
  const c = s.constants.get(input);
  if (c) s.constants.set(s.output(ctx), c);
  else s.alias(ctx, s.runtime(ctx, 0).tensor);
}

function constant(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('value', 'value_float', 'value_floats', 'value_int', 'value_ints');
  let value: Constant;
  const t = attrs.tensor('value');
  if (t) value = readTensor(t, (m) => nodeError(ctx, m));
  else if (attrs.has('value_float')) value = { kind: 'float', dims: [], data: Float32Array.of(attrs.float('value_float', 0)) };
  else if (attrs.has('value_floats')) { const f = attrs.floats('value_floats')!; value = { kind: 'float', dims: [f.length], data: Float32Array.from(f) }; }
  else if (attrs.has('value_int')) value = { kind: 'int', dims: [], data: [attrs.int('value_int', 0)] };
  else if (attrs.has('value_ints')) { const v = attrs.ints('value_ints')!; value = { kind: 'int', dims: [v.length], data: v }; }
  else throw nodeError(ctx, 'a Constant needs a value attribute');
  s.constants.set(s.output(ctx), value);
}

function shape(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('start', 'end');
  const input = ctx.node.input?.[0] ?? '';
  const c = s.constants.get(input);
  const dims = c ? c.dims : s.runtime(ctx, 0).dims;
  s.constants.set(s.output(ctx), foldShape(dims, attrs.int('start', 0), attrs.has('end') ? attrs.int('end', 0) : null));
}

function gather(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('axis');
  const data = s.constant(ctx, 0), indices = s.constant(ctx, 1);
  const index = indices && numbersOf(indices);
  if (attrs.int('axis', 0) !== 0 || !data || data.kind !== 'int' || data.dims.length !== 1 || !indices || indices.kind !== 'int' || !index) {
    throw nodeError(ctx, 'Gather is only supported on shapes: axis 0 of a 1-D integer constant, constant indices');
  }
  const folded = foldGather(data, index, indices.dims);
  if (!folded) throw nodeError(ctx, `indices [${index}] are out of range for ${data.data.length} values`);
  s.constants.set(s.output(ctx), folded);
}

function unsqueeze(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('axes');
  const input = ctx.node.input?.[0] ?? '';
  if (!s.constants.has(input)) throw nodeError(ctx, 'Unsqueeze is only supported on constants (shape arithmetic)');
  const data = s.constant(ctx, 0)!;
  let axes = attrs.ints('axes');
  if (ctx.opset >= 13) {
    const a = s.constant(ctx, 1);
    axes = a && numbersOf(a);
  }
  const dims = axes && unsqueezedDims(data.dims, axes);
  if (!dims) throw nodeError(ctx, `axes ${axes ? `[${axes}]` : '(missing)'} are not valid for dims ${formatDims(data.dims)}`);
  s.constants.set(s.output(ctx), { ...data, dims } as Constant);
}

/**
 * Cast: folded on constants (the shape arithmetic of exports: `channels // groups` is a Div then
 * a Cast to INT64); on a computed tensor, which is float32 here, only the identity Cast to FLOAT.
 */
function cast(s: ImportState, ctx: NodeContext, attrs: Attributes): void {
  attrs.only('to', 'saturate');
  if (!attrs.has('to')) throw nodeError(ctx, "a Cast needs the attribute 'to'");
  const to = attrs.int('to', 0);
  const toName = DataType[to] ?? String(to);
  const input = ctx.node.input?.[0] ?? '';
  if (s.constants.has(input)) {
    const folded = foldCast(s.constant(ctx, 0)!, toName);
    if (typeof folded === 'string') throw nodeError(ctx, folded);
    s.constants.set(s.output(ctx), folded);
    return;
  }
  const x = s.runtime(ctx, 0);
  if (to !== DataType.FLOAT) throw nodeError(ctx, `Cast of a computed tensor to ${toName} is not supported (computed tensors are float32: only Cast to FLOAT, the identity, is)`);
  s.alias(ctx, x.tensor);
}

export const HANDLERS: Record<string, Handler> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  BatchNormalization: batchNormalization,
  Relu: relu,
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalAveragePool,
  ...ARITHMETIC_HANDLERS,
  ...CHANNEL_HANDLERS,
  ...SOFTMAX_PAD_HANDLERS,
  Concat: concat,
  Flatten: flatten,
  Reshape: reshape,
  Gemm: gemm,
  MatMul: matMul,
  Dropout: dropout,
  Identity: identity,
  Constant: constant,
  Shape: shape,
  Gather: gather,
  Unsqueeze: unsqueeze,
  Cast: cast,
  ...ACTIVATION_HANDLERS,
};
