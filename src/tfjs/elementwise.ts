// The element-wise kernels of a tfjs training step on float32: Add and Multiply (the bias add, the
// ReLU gradient's dy·step(x), the optimiser's updates) and Relu and Step (ReLU and its gradient's
// mask). tfjs-backend-cpu computes these through a generic broadcasting loop (index → location →
// index per element); these are the same formulas over flat loops, so the results are tfjs-cpu's
// bit for bit. Broadcasts other than "one operand repeats along the leading axes" (a bias [C]
// over [N, H, W, C], a scalar), and other dtypes, go to the backend's own kernel.
import type { TensorStorage, Values } from './storage.js';
import { fallback, input } from './kernel-args.js';
import type { KernelFunc, Tfjs } from './types.js';

type StorageOf = (backend: unknown) => TensorStorage;
type Own = (kernelName: string) => KernelFunc | undefined;

export function elementwiseKernels(tf: Tfjs, storageOf: StorageOf, own: Own): Record<string, KernelFunc> {
  return {
    Add: binaryKernel(tf, 'Add', storageOf, own),
    Multiply: binaryKernel(tf, 'Multiply', storageOf, own),
    Relu: unaryKernel('Relu', storageOf, own, relu),
    Step: unaryKernel('Step', storageOf, own, step),
  };
}

function binaryKernel(tf: Tfjs, name: 'Add' | 'Multiply', storageOf: StorageOf, own: Own): KernelFunc {
  const where = `${name} (wasmconv/tfjs)`;
  const multiply = name === 'Multiply';
  return (args) => {
    const a = input(where, args.inputs, 'a');
    const b = input(where, args.inputs, 'b');
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(where, own(name), args);
    const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const n = size(shape);
    const aSize = size(a.shape), bSize = size(b.shape);
    const aFull = aSize === n, bFull = bSize === n;
    // (both repeating but neither full cannot be: the longer one then has the broadcast shape)
    if (!(aFull && (bFull || repeats(b.shape, shape))) && !(bFull && repeats(a.shape, shape))) return fallback(where, own(name), args);
    const store = storageOf(args.backend);
    const av = store.values(where, 'a', a), bv = store.values(where, 'b', b);
    const out = store.output(n);
    if (n === 0) return store.write(shape, out);
    if (aFull && bFull) {
      binary(multiply, av, 0, bv, 0, out, 0, n);
    } else if (aFull) {
      // b repeats every bSize elements (a bias [C] over [N, H, W, C]; a scalar)
      repeating(multiply, av, bv, out, false);
    } else {
      repeating(multiply, bv, av, out, true);
    }
    return store.write(shape, out);
  };
}

/** out[o..o+n) = a[ai..] + or · b[bi..], a and b in that order as in tfjs. */
function binary(multiply: boolean, a: Values, ai: number, b: Values, bi: number, out: Float32Array, o: number, n: number): void {
  if (multiply) for (let i = 0; i < n; i++) out[o + i] = a[ai + i] * b[bi + i];
  else for (let i = 0; i < n; i++) out[o + i] = a[ai + i] + b[bi + i];
}

/** out = full + or · part, `part` repeating along `full`; `swapped`: part is the left operand. */
function repeating(multiply: boolean, full: Values, part: Values, out: Float32Array, swapped: boolean): void {
  const n = out.length, m = part.length;
  // a and b in tfjs's order: + and · of two numbers do not depend on it, but NaN payloads might
  if (multiply) {
    for (let i = 0; i < n; i += m) for (let j = 0; j < m; j++) out[i + j] = swapped ? part[j] * full[i + j] : full[i + j] * part[j];
  } else {
    for (let i = 0; i < n; i += m) for (let j = 0; j < m; j++) out[i + j] = swapped ? part[j] + full[i + j] : full[i + j] + part[j];
  }
}

// tfjs-cpu's very formulas. Signs of ReLU inputs are a coin toss, so a branch per element
// mispredicts half the time (4–6× slower than a multiply); float32 values are done branch-free on
// their bits instead, with the same results: the bits are the value's.

const bits = (values: Float32Array): Int32Array => new Int32Array(values.buffer, values.byteOffset, values.length);
/** -1 where the float32 with bits b is NaN, else 0 */
const nanMask = (b: number): number => (0x7f800000 - (b & 0x7fffffff)) >> 31;

/** tfjs's Math.max(0, x): keeps NaN, turns -0 and negatives into +0. */
function relu(x: Values, out: Float32Array): void {
  if (x instanceof Float32Array) {
    const xb = bits(x), ob = bits(out);
    // keep the bits where the sign is clear or the value is NaN, else +0
    for (let i = 0; i < xb.length; i++) ob[i] = xb[i] & (~(xb[i] >> 31) | nanMask(xb[i]));
    return;
  }
  for (let i = 0; i < x.length; i++) out[i] = Math.max(0, x[i]);
}

/** tfjs's NaN → NaN, x > 0 → 1, else alpha. */
function step(x: Values, out: Float32Array, attrs: Record<string, unknown>): void {
  const alpha = attrs.alpha as number;
  if (x instanceof Float32Array) {
    const xb = bits(x), ob = bits(out);
    const one = bits(Float32Array.of(1))[0], alphaBits = bits(Float32Array.of(alpha))[0];
    for (let i = 0; i < xb.length; i++) {
      const b = xb[i];
      const nan = nanMask(b);
      // -1 where x > 0: sign clear, not +0, not NaN
      const positive = ~(b >> 31) & ~((b - 1) >> 31) & ~nan;
      ob[i] = (positive & one) | (nan & b) | (~positive & ~nan & alphaBits);
    }
    return;
  }
  for (let i = 0; i < x.length; i++) out[i] = Number.isNaN(x[i]) ? NaN : x[i] > 0 ? 1 : alpha;
}

function unaryKernel(name: string, storageOf: StorageOf, own: Own, op: (x: Values, out: Float32Array, attrs: Record<string, unknown>) => void): KernelFunc {
  const where = `${name} (wasmconv/tfjs)`;
  return (args) => {
    const x = input(where, args.inputs, 'x');
    if (x.dtype !== 'float32') return fallback(where, own(name), args);
    const attrs = args.attrs ?? {};
    const store = storageOf(args.backend);
    const xv = store.values(where, 'x', x);
    const out = store.output(xv.length);
    op(xv, out, attrs);
    return store.write(x.shape, out);
  };
}

/** Whether `shape`, broadcast to `to`, is its values over and over: its dims after any leading 1s are `to`'s last ones. */
function repeats(shape: number[], to: number[]): boolean {
  let first = 0;
  while (first < shape.length && shape[first] === 1) first++;
  const rest = shape.length - first;
  for (let i = 0; i < rest; i++) if (shape[first + i] !== to[to.length - rest + i]) return false;
  return true;
}

const size = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);
