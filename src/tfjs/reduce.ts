// Sum over float32 for tfjs: a bias gradient (Sum of dy [N, H, W, C] over axes 0, 1, 2) is where
// a tfjs training step spends it. tfjs-backend-cpu first transposes the reduced axes innermost
// (a generic, slow transpose), then adds each output's terms in float64 in that order. This adds
// the same terms in the same order in float64 without the transpose — the reduced axes in the
// outer loops, the kept ones inside — so its results are tfjs-cpu's bit for bit.
import { fallback, input } from './kernel-args.js';
import type { TensorStorage, Values } from './storage.js';
import type { KernelFunc } from './types.js';

type StorageOf = (backend: unknown) => TensorStorage;

/** Sum; other dtypes go to the backend's own kernel, `own('Sum')`. */
export function sumKernel(storageOf: StorageOf, own: (kernelName: string) => KernelFunc | undefined): KernelFunc {
  const where = 'Sum (wasmconv/tfjs)';
  return (args) => {
    const x = input(where, args.inputs, 'x');
    if (x.dtype !== 'float32') return fallback(where, own('Sum'), args);
    const { axis, keepDims } = args.attrs ?? {};
    const axes = reductionAxes(where, axis, x.shape);
    const kept = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
    const outShape = keepDims === true ? x.shape.map((n, d) => (axes.includes(d) ? 1 : n)) : kept.map((d) => x.shape[d]);
    const store = storageOf(args.backend);
    const xv = store.values(where, 'x', x);
    return store.write(outShape, sum(xv, x.shape, axes, kept));
  };
}

/** tfjs's parseAxisParam: every axis (unset), one, or several; negative ones count from the end. */
function reductionAxes(where: string, axis: unknown, shape: number[]): number[] {
  const rank = shape.length;
  const given = axis === undefined || axis === null ? shape.map((_, d) => d) : ([] as unknown[]).concat(axis);
  const axes = given.map((a) => {
    if (!Number.isInteger(a) || (a as number) < -rank || (a as number) >= rank) {
      throw new Error(`${where}: axis must be integers in [-${rank}, ${rank}) for x of shape ${JSON.stringify(shape)}, got ${JSON.stringify(axis)}`);
    }
    return (a as number) < 0 ? rank + (a as number) : (a as number);
  });
  if (new Set(axes).size !== axes.length) throw new Error(`${where}: axis names an axis twice: ${JSON.stringify(axis)} for x of shape ${JSON.stringify(shape)}`);
  return axes;
}

/**
 * Σ over `axes` (in the order given, as tfjs's transpose puts them), one float64 total per kept
 * position. Loops: the reduced axes outermost, the kept axes inside in their order, so each
 * total receives its terms in tfjs's order.
 */
function sum(x: Values, shape: number[], axes: number[], kept: number[]): Float32Array {
  const rank = shape.length;
  const strides = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) (strides[d] = s), (s *= shape[d]);
  const outStrides = new Array<number>(rank).fill(0);
  for (let k = kept.length - 1, s = 1; k >= 0; k--) (outStrides[kept[k]] = s), (s *= shape[kept[k]]);
  const loops = [...axes, ...kept];
  const outSize = kept.reduce((p, d) => p * shape[d], 1);
  const totals = new Float64Array(outSize);
  if (x.length === 0) return new Float32Array(outSize);
  // the innermost loop runs flat when it is the last axis (a bias gradient's channels)
  const inner = loops[rank - 1];
  const innerCount = rank === 0 ? 1 : shape[inner];
  const innerStride = rank === 0 ? 0 : strides[inner], innerOutStride = rank === 0 ? 0 : outStrides[inner];
  const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let src = 0, dst = 0;
  for (;;) {
    for (let i = 0, s = src, t = dst; i < innerCount; i++, s += innerStride, t += innerOutStride) totals[t] += x[s];
    // odometer over the outer loops
    let l = rank - 2;
    for (; l >= 0; l--) {
      const d = loops[l];
      src += strides[d], dst += outStrides[d];
      if (++index[l] < shape[d]) break;
      src -= strides[d] * shape[d], dst -= outStrides[d] * shape[d];
      index[l] = 0;
    }
    if (l < 0) break;
  }
  return Float32Array.from(totals);
}
