// ReLU's gradient in one pass, on tfjs's cpu backend. tfjs's gradient of Relu is
// mul(dy, cast(step(x), 'float32')): a Step kernel writes a 0/1 mask as large as the activation
// (on LeNet 2.4 MB) and a Multiply reads it back. registerWasmconv puts a gradient in place of
// that one that, on cpu and float32, runs one kernel, WasmconvReluGrad, computing the same
// dy · step(x) element by element (the same product of the same two numbers: tfjs-cpu's results
// bit for bit), and hands anything else to tfjs's own gradient. WasmconvReluGrad has a gradient
// of its own (d/d dy: the same mask; d/dx: zeros, as step's), so second derivatives still work.
import { input } from './kernel-args.js';
import type { TensorStorage } from './storage.js';
import type { GradConfig, KernelFunc, TfTensor, Tfjs } from './types.js';

type StorageOf = (backend: unknown) => TensorStorage;

export const RELU_GRAD = 'WasmconvReluGrad';

/** dy · step(x): tfjs's step (NaN → NaN, x > 0 → 1, else 0) times dy. */
export function reluGradKernel(storageOf: StorageOf): KernelFunc {
  const where = `${RELU_GRAD} (wasmconv/tfjs)`;
  return (args) => {
    const dy = input(where, args.inputs, 'dy');
    const x = input(where, args.inputs, 'x');
    if (dy.shape.length !== x.shape.length || dy.shape.some((d, i) => d !== x.shape[i])) {
      throw new Error(`${where}: dy has shape ${JSON.stringify(dy.shape)} but x has shape ${JSON.stringify(x.shape)}; they must match`);
    }
    const store = storageOf(args.backend);
    const dyv = store.values(where, 'dy', dy), xv = store.values(where, 'x', x);
    const out = store.output(xv.length);
    if (xv instanceof Float32Array && dyv instanceof Float32Array) maskedProduct(dyv, xv, out);
    else for (let i = 0; i < out.length; i++) out[i] = dyv[i] * (Number.isNaN(xv[i]) ? NaN : xv[i] > 0 ? 1 : 0);
    return store.write(x.shape, out);
  };
}

const bits = (values: Float32Array): Int32Array => new Int32Array(values.buffer, values.byteOffset, values.length);

/** A quiet NaN's bits. */
const NAN = 0x7fc00000;

/**
 * out = dy · step(x) over float32s, without a branch per element (a ReLU input's sign is a coin
 * toss), on the bits: where x > 0, dy·1 is dy; where x is NaN, NaN; elsewhere dy·0, which is
 * NaN for an infinite or NaN dy and otherwise a zero with dy's sign.
 */
function maskedProduct(dy: Float32Array, x: Float32Array, out: Float32Array): void {
  const xb = bits(x), db = bits(dy), ob = bits(out);
  for (let i = 0; i < ob.length; i++) {
    const b = xb[i], d = db[i];
    const xNan = (0x7f800000 - (b & 0x7fffffff)) >> 31;
    const positive = ~(b >> 31) & ~((b - 1) >> 31) & ~xNan;
    const dyNotFinite = (0x7f7fffff - (d & 0x7fffffff)) >> 31;
    const nan = xNan | dyNotFinite;
    ob[i] = (positive & d) | (~positive & ((nan & NAN) | (~nan & d & 0x80000000)));
  }
}

/**
 * The Relu gradient registerWasmconv registers: WasmconvReluGrad where it is registered on the
 * backend running (cpu) and both tensors are float32; tfjs's own, `original`, otherwise.
 */
export function reluGradient(tf: Tfjs, original: GradConfig): GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const backendName = tf.getBackend();
      if (!Array.isArray(dy) && dy.dtype === 'float32' && x.dtype === 'float32' && tf.getKernel(RELU_GRAD, backendName) !== undefined) {
        return { x: () => tf.engine().runKernel(RELU_GRAD, { dy, x }, {}) as TfTensor };
      }
      return original.gradFunc(dy, saved, attrs);
    },
  };
}

/** WasmconvReluGrad's own gradient: d/d dy is the same mask, d/dx is zero (step's gradient). */
export function reluGradGradient(tf: Tfjs): GradConfig {
  return {
    kernelName: RELU_GRAD,
    inputsToSave: ['x'],
    gradFunc: (ddx, [x]) => ({
      dy: () => tf.engine().runKernel(RELU_GRAD, { dy: ddx as TfTensor, x }, {}) as TfTensor,
      x: () => tf.engine().runKernel('ZerosLike', { x }, {}) as TfTensor,
    }),
  };
}
