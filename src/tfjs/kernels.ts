// The conv kernels wasmconv gives tfjs: forward, dx and dW of Conv2D and DepthwiseConv2dNative,
// as tfjs KernelFuncs over any backend's storage. Each maps the attributes, brings the tensors
// to NCHW/OIHW (x and dy stay as they are for dataFormat 'NCHW'), runs wasmconv and writes the
// result back in tfjs's layout. tfjs's gradient registry calls these through the kernel names.
import { conv2d, conv2dBackwardFilter, conv2dBackwardInput } from '../ops/conv2d.js';
import type { Tensor } from '../tensor.js';
import { describe } from '../tensor.js';
import { applyActivation, isFusedActivation } from './activation.js';
import { mapConvAttributes, type MappedConv } from './attributes.js';
import { hwioToOihw, nchwToNhwc, nhwcToNchw, oihwToHwio } from './layout.js';
import type { TensorStorage } from './storage.js';
import type { KernelFunc, TensorInfo, Tfjs } from './types.js';

type StorageOf = (backend: unknown) => TensorStorage;

interface ConvKind {
  depthwise: boolean;
  forward: string;
  backpropInput: string;
  backpropFilter: string;
}

export const CONV2D: ConvKind = {
  depthwise: false, forward: 'Conv2D', backpropInput: 'Conv2DBackpropInput', backpropFilter: 'Conv2DBackpropFilter',
};
export const DEPTHWISE: ConvKind = {
  depthwise: true,
  forward: 'DepthwiseConv2dNative',
  backpropInput: 'DepthwiseConv2dNativeBackpropInput',
  backpropFilter: 'DepthwiseConv2dNativeBackpropFilter',
};

/** Every kernel of one conv kind, by tfjs kernel name. */
export function convKernels(tf: Tfjs, kind: ConvKind, storageOf: StorageOf): Record<string, KernelFunc> {
  return {
    [kind.forward]: ({ inputs, backend, attrs = {} }) => {
      const where = `${kind.forward} (wasmconv/tfjs)`;
      const [x, filter] = kernelInputs(where, inputs, 'x', 'filter');
      const conv = mapConvAttributes(tf, { kernel: kind.forward, xShape: x.shape, filterShape: filter.shape, depthwise: kind.depthwise, dilated: true }, attrs);
      const store = storageOf(backend);
      const y = conv2d(asNchw(conv, store.read(where, 'x', x), x.shape, 'x'), weights(kind, store.read(where, 'filter', filter), filter.shape), null, conv.options);
      return output(store, conv, y, conv.info.outShape);
    },
    [kind.backpropInput]: ({ inputs, backend, attrs = {} }) => {
      const where = `${kind.backpropInput} (wasmconv/tfjs)`;
      const [dy, filter] = kernelInputs(where, inputs, 'dy', 'filter');
      const inputShape = shapeAttribute(where, 'inputShape', attrs.inputShape);
      const conv = mapConvAttributes(tf, { kernel: kind.backpropInput, xShape: inputShape, filterShape: filter.shape, depthwise: kind.depthwise, dilated: kind.depthwise }, attrs);
      checkOutputGradient(where, dy, conv);
      const store = storageOf(backend);
      const w = weights(kind, store.read(where, 'filter', filter), filter.shape);
      const dx = conv2dBackwardInput(asNchw(conv, store.read(where, 'dy', dy), dy.shape, 'dy'), w, nchw(conv, inputShape), conv.options);
      return output(store, conv, dx, inputShape);
    },
    [kind.backpropFilter]: ({ inputs, backend, attrs = {} }) => {
      const where = `${kind.backpropFilter} (wasmconv/tfjs)`;
      const [x, dy] = kernelInputs(where, inputs, 'x', 'dy');
      const filterShape = shapeAttribute(where, 'filterShape', attrs.filterShape);
      const conv = mapConvAttributes(tf, { kernel: kind.backpropFilter, xShape: x.shape, filterShape, depthwise: kind.depthwise, dilated: kind.depthwise }, attrs);
      checkOutputGradient(where, dy, conv);
      const store = storageOf(backend);
      const wShape = oihwShape(kind, filterShape);
      const { dw } = conv2dBackwardFilter(
        asNchw(conv, store.read(where, 'dy', dy), dy.shape, 'dy'), asNchw(conv, store.read(where, 'x', x), x.shape, 'x'), wShape, conv.options,
      );
      return store.write(filterShape, oihwToHwio(dw.data, wShape));
    },
  };
}

/**
 * FusedConv2D: conv2d + bias + activation in one kernel (tf.fused.conv2d, which tf.layers.conv2d
 * calls; tfjs runs it for inference, and in training for convs without an activation); with
 * DEPTHWISE, FusedDepthwiseConv2D (tf.fused.depthwiseConv2d: tfjs-cpu runs its depthwise kernel,
 * then the bias add and activation). A bias of another shape than [O] (depthwise: [C·M]) or one
 * element, or an activation wasmconv does not apply ('prelu'), goes to the backend's own kernel,
 * `fallback`.
 */
export function fusedConv2dKernel(tf: Tfjs, storageOf: StorageOf, fallback: () => KernelFunc | undefined, kind: ConvKind = CONV2D): KernelFunc {
  const kernel = kind.depthwise ? 'FusedDepthwiseConv2D' : 'FusedConv2D';
  const where = `${kernel} (wasmconv/tfjs)`;
  return (args) => {
    const { inputs, backend, attrs = {} } = args;
    const [x, filter] = kernelInputs(where, inputs, 'x', 'filter');
    const bias = inputs.bias;
    const outChannels = kind.depthwise ? filter.shape[2] * filter.shape[3] : filter.shape[3];
    const biasSize = bias?.shape.reduce((a, b) => a * b, 1);
    const biasServed = bias === undefined || biasSize === 1 || (bias.shape.length === 1 && biasSize === outChannels);
    if (!biasServed || !isFusedActivation(attrs.activation)) {
      const own = fallback();
      if (own === undefined) throw new Error(`${where}: activation ${JSON.stringify(attrs.activation)} with bias ${JSON.stringify(bias?.shape)} is not supported`);
      return own(args);
    }
    const conv = mapConvAttributes(tf, { kernel, xShape: x.shape, filterShape: filter.shape, depthwise: kind.depthwise, dilated: true }, attrs);
    const store = storageOf(backend);
    let b: Tensor | null = null;
    if (bias !== undefined) {
      const values = store.read(where, 'bias', bias);
      b = { data: values.length === outChannels ? values : new Float32Array(outChannels).fill(values[0]), shape: [outChannels] };
    }
    const y = conv2d(asNchw(conv, store.read(where, 'x', x), x.shape, 'x'), weights(kind, store.read(where, 'filter', filter), filter.shape), b, conv.options);
    applyActivation(y.data, attrs.activation, attrs.leakyreluAlpha as number);
    return output(store, conv, y, conv.info.outShape);
  };
}

/**
 * Where the transposed inputs go: one array per role, reused from call to call. They are private
 * (wasmconv copies its inputs into its Wasm memory and keeps no reference once a call returns)
 * and kernels do not nest, so a transposed x, dy or filter is dead when the next call needs the
 * array: this saves allocating (and collecting) a new one — on LeNet, 2.4 MB — each time.
 */
const scratch: Record<'x' | 'dy' | 'filter', Float32Array> = { x: new Float32Array(0), dy: new Float32Array(0), filter: new Float32Array(0) };

function scratchFor(role: keyof typeof scratch, length: number): Float32Array {
  if (scratch[role].length < length) scratch[role] = new Float32Array(length);
  return scratch[role].subarray(0, length);
}

/** x or dy as wasmconv takes it: NCHW, transposed (into the role's scratch array) unless it already is. */
function asNchw(conv: MappedConv, data: Float32Array, shape: number[], role: 'x' | 'dy'): Tensor {
  // one channel: NHWC's bytes are NCHW's (an image batch's x), nothing to move
  if (conv.channelsFirst || shape[3] === 1) return { data, shape: nchw(conv, shape) };
  return { data: nhwcToNchw(data, shape, scratchFor(role, data.length)), shape: nchw(conv, shape) };
}

const nchw = (conv: MappedConv, [n, a, b, c]: number[]): number[] => (conv.channelsFirst ? [n, a, b, c] : [n, c, a, b]);

/**
 * wasmconv's OIHW shape for a tfjs filter: HWIO [KH,KW,C,O] → [O,C,KH,KW]; a depthwise
 * [KH,KW,C,M] is a grouped conv (groups C) with output channel c·M + m: [C·M,1,KH,KW].
 */
function oihwShape(kind: ConvKind, [kh, kw, c, o]: number[]): number[] {
  return kind.depthwise ? [c * o, 1, kh, kw] : [o, c, kh, kw];
}

function weights(kind: ConvKind, data: Float32Array, [kh, kw, c, o]: number[]): Tensor {
  // a depthwise filter's bytes are an HWIO filter with one input and C·M outputs
  const hwio = kind.depthwise ? [kh, kw, 1, c * o] : [kh, kw, c, o];
  return { data: hwioToOihw(data, hwio, scratchFor('filter', data.length)), shape: oihwShape(kind, [kh, kw, c, o]) };
}

/** A backend tensor of tfjs's layout from wasmconv's NCHW result. */
function output(store: TensorStorage, conv: MappedConv, result: Tensor, shape: number[]): TensorInfo {
  const asIs = conv.channelsFirst || result.shape[1] === 1; // one channel: the same bytes either way
  return store.write(shape, asIs ? result.data : nchwToNhwc(result.data, result.shape, store.output(result.data.length)));
}

function kernelInputs(where: string, inputs: Record<string, TensorInfo | undefined>, ...names: string[]): TensorInfo[] {
  return names.map((name) => {
    const t = inputs[name];
    if (t === undefined) throw new Error(`${where}: input '${name}' is missing`);
    return t;
  });
}

function checkOutputGradient(where: string, dy: TensorInfo, conv: MappedConv): void {
  const expected = conv.info.outShape;
  if (dy.shape.length !== 4 || dy.shape.some((d, i) => d !== expected[i])) {
    throw new Error(
      `${where}: dy has shape ${JSON.stringify(dy.shape)} but the convolution's output has shape ${JSON.stringify(expected)}; they must match ` +
        `(tfjs's Conv2D gradient drops the forward pass's dimRoundingMode, so a conv whose output size it changes has no gradient here; ` +
        `tfjs's own kernel reads only part of dy)`,
    );
  }
}

function shapeAttribute(where: string, name: string, value: unknown): number[] {
  if (!Array.isArray(value) || value.length !== 4 || !value.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`${where}: ${name} must be 4 positive integers, got ${Array.isArray(value) ? JSON.stringify(value) : describe(value)}`);
  }
  return value as number[];
}
