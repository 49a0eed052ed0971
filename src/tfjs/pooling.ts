// MaxPool and MaxPoolGrad for tfjs (NHWC, the only layout tfjs's pooling kernels take), over
// any backend's storage. The geometry is tfjs's own backend_util.computePool2DInfo, and the
// results are tfjs-backend-cpu's bit for bit: the same windows (padding never wins a max), the
// same first-maximum-wins rule with NaN never winning, and MaxPoolGrad's overlapping-window sums
// in float64 in tfjs's order. Plain JavaScript over the backend's own arrays: these passes move
// each value once or twice, so copying them into wasmconv's Wasm memory would cost as much as
// the pass; channels-innermost loops keep every read contiguous.
import { fallback, input } from './kernel-args.js';
import type { TensorStorage, Values } from './storage.js';
import type { KernelFunc, PoolInfo, TensorInfo, Tfjs } from './types.js';

type StorageOf = (backend: unknown) => TensorStorage;

/** MaxPool and MaxPoolGrad; inputs that are not float32 go to the backend's own kernel, `own(name)`. */
export function maxPoolKernels(tf: Tfjs, storageOf: StorageOf, own: (kernelName: string) => KernelFunc | undefined): Record<string, KernelFunc> {
  return {
    MaxPool: (args) => {
      const where = 'MaxPool (wasmconv/tfjs)';
      const x = input(where, args.inputs, 'x');
      if (x.dtype !== 'float32') return fallback(where, own('MaxPool'), args);
      const info = poolInfo(tf, where, x, args.attrs ?? {});
      // tfjs returns x itself for a 1×1 filter whose output has x's shape (whatever the padding):
      // its own kernel shares x's data
      const unchanged = info.effectiveFilterHeight === 1 && info.effectiveFilterWidth === 1 && info.outShape.every((d, i) => d === x.shape[i]);
      // and a number pad can size an output below one (from the filter's height, see docs/tfjs.md): tfjs's own then fails its way
      if (unchanged || !sized(info)) return fallback(where, own('MaxPool'), args);
      const store = storageOf(args.backend);
      const xv = store.values(where, 'x', x);
      const y = store.output(info.batchSize * info.outHeight * info.outWidth * info.inChannels);
      const positions = new Int32Array(y.length);
      windowMaxima(xv, info, y, positions);
      const out = store.write(info.outShape, y);
      // MaxPoolGrad of this output needs only where its maxima are: kept while the output's dataId lives
      positionsOf.set(out.dataId, { x: new WeakRef(x.dataId), geometry: geometry(info), positions });
      return out;
    },
    MaxPoolGrad: (args) => {
      const where = 'MaxPoolGrad (wasmconv/tfjs)';
      const dy = input(where, args.inputs, 'dy');
      const x = input(where, args.inputs, 'input');
      if (x.dtype !== 'float32' || dy.dtype !== 'float32') return fallback(where, own('MaxPoolGrad'), args);
      const info = poolInfo(tf, where, x, args.attrs ?? {});
      if (!sized(info)) return fallback(where, own('MaxPoolGrad'), args);
      if (dy.shape.length !== 4 || dy.shape.some((d, i) => d !== info.outShape[i])) {
        throw new Error(
          `${where}: dy has shape ${JSON.stringify(dy.shape)} but the pooling's output has shape ${JSON.stringify(info.outShape)}; they must match ` +
            `(tfjs's maxPool gradient drops the forward pass's dimRoundingMode, so a pooling whose output size it changes has no gradient here; ` +
            `tfjs's own kernel reads only part of dy)`,
        );
      }
      const store = storageOf(args.backend);
      const xv = store.values(where, 'input', x);
      // the maxima's positions MaxPool found for this output of this x, with this geometry (tfjs
      // tensors never change: the same arrays hold the same values); else found again
      const y = args.inputs.output;
      const kept = y === undefined ? undefined : positionsOf.get(y.dataId);
      const positions = kept !== undefined && kept.x.deref() === x.dataId && kept.geometry === geometry(info) ? kept.positions : maximaPositions(xv, info);
      const dyv = store.values(where, 'dy', dy);
      const overlapping = info.strideHeight < info.effectiveFilterHeight || info.strideWidth < info.effectiveFilterWidth;
      return store.write(x.shape, overlapping ? Float32Array.from(scatter(positions, dyv, new Float64Array(xv.length))) : scatter(positions, dyv, store.output(xv.length).fill(0)));
    },
  };
}

const sized = (info: PoolInfo): boolean => info.outShape.every((d) => Number.isInteger(d) && d >= 1);

function poolInfo(tf: Tfjs, where: string, x: TensorInfo, attrs: Record<string, unknown>): PoolInfo {
  if (x.shape.length !== 4) throw new Error(`${where}: x must be rank 4 (NHWC), got shape ${JSON.stringify(x.shape)}`);
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  // MaxPool has no dilations: tfjs's kernels pass 1
  return tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number], filterSize as number | [number, number], strides as number | [number, number], 1,
    pad as 'same' | 'valid' | number, dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
}

/**
 * The positions of the window maxima MaxPool found, by the dataId of the output it handed tfjs,
 * with x's dataId (tfjs never reuses a dataId, nor changes a tensor's values).
 */
const positionsOf = new WeakMap<object, { x: WeakRef<object>; geometry: string; positions: Int32Array }>();

/** What decides the windows, beyond x itself. */
const geometry = (info: PoolInfo): string =>
  [info.outShape, info.strideHeight, info.strideWidth, info.effectiveFilterHeight, info.effectiveFilterWidth, info.padInfo.top, info.padInfo.left].join();

/**
 * For each output pixel and channel, the window's first maximum (rows then columns, strictly
 * greater wins, NaN never; -Infinity and position -1 when nothing beats it): tfjs's pool('max')
 * into `out`, and tfjs's maxPoolPositions (as indices into x) into `positions`. The channels are the innermost loop: each
 * window pixel's channels are contiguous in NHWC, and each channel still meets its window's
 * pixels in tfjs's order.
 */
function windowMaxima(x: Values, info: PoolInfo, out: Float32Array | null, positions: Int32Array): void {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const { top, left } = info.padInfo;
  // the running maximum and where it is, per channel of the current output pixel
  const max = new Float64Array(c); // float64: an int32-held value compares as tfjs compares it
  const at = new Int32Array(c);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const rowCorner = oy * strideHeight - top;
      const rowStart = Math.max(0, rowCorner), rowEnd = Math.min(inHeight, rowCorner + effectiveFilterHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const colCorner = ox * strideWidth - left;
        const colStart = Math.max(0, colCorner), colEnd = Math.min(inWidth, colCorner + effectiveFilterWidth);
        const o = ((b * outHeight + oy) * outWidth + ox) * c;
        if (rowEnd - rowStart === 2 && colEnd - colStart === 2) {
          // a whole 2×2 window (LeNet's pools): its four pixels in tfjs's order, in registers
          const p00 = ((b * inHeight + rowStart) * inWidth + colStart) * c, p01 = p00 + c, p10 = p00 + inWidth * c, p11 = p10 + c;
          for (let ch = 0; ch < c; ch++) {
            let m = -Infinity, a = -1, v = x[p00 + ch];
            if (v > m) (m = v), (a = p00 + ch);
            v = x[p01 + ch];
            if (v > m) (m = v), (a = p01 + ch);
            v = x[p10 + ch];
            if (v > m) (m = v), (a = p10 + ch);
            v = x[p11 + ch];
            if (v > m) (m = v), (a = p11 + ch);
            if (out !== null) out[o + ch] = m;
            positions[o + ch] = a;
          }
          continue;
        }
        max.fill(-Infinity);
        at.fill(-1);
        for (let r = rowStart; r < rowEnd; r++) {
          const rowEndAt = ((b * inHeight + r) * inWidth + colEnd) * c;
          for (let p = ((b * inHeight + r) * inWidth + colStart) * c; p < rowEndAt; p += c) {
            for (let ch = 0; ch < c; ch++) {
              const v = x[p + ch];
              if (v > max[ch]) (max[ch] = v), (at[ch] = p + ch);
            }
          }
        }
        if (out !== null) for (let ch = 0; ch < c; ch++) out[o + ch] = max[ch];
        for (let ch = 0; ch < c; ch++) positions[o + ch] = at[ch];
      }
    }
  }
}

/** Where the window maxima of x are (-1: nowhere). */
function maximaPositions(x: Values, info: PoolInfo): Int32Array {
  const positions = new Int32Array(info.batchSize * info.outHeight * info.outWidth * info.inChannels);
  windowMaxima(x, info, null, positions);
  return positions;
}

/**
 * tfjs's MaxPoolGrad into `sums` (zeros, x's size): each dy goes to its window's first maximum in
 * x, in output order, so each x pixel collects its dy in tfjs's order. Where windows overlap, an x
 * pixel collects several dy, which tfjs sums in float64 before rounding once: so do we (float64
 * `sums`; apart, each pixel gets one dy at most, and float32 holds it exactly).
 */
function scatter<T extends Float32Array | Float64Array>(positions: Int32Array, dy: Values, sums: T): T {
  // 0 + dy, as tfjs's sum starts (so a -0 gradient becomes +0 as in tfjs)
  for (let o = 0; o < positions.length; o++) if (positions[o] >= 0) sums[positions[o]] += dy[o];
  return sums;
}
