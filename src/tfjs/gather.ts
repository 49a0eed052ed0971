// GatherV2 for tfjs's cpu backend: model.fit takes each batch out of the whole data set with
// tf.gather (rows picked by index), inside the timed step. tfjs-backend-cpu's own kernel maps every
// element index → location → index (some 7 ms for a batch of 64 MNIST images); this copies each
// picked slice whole. A gather only copies values, so the results are tfjs-cpu's bit for bit.
// Dtypes other than float32 and int32, indices that are not int32 or out of range (tfjs's own
// kernel throws its error) go to the backend's own kernel.
import { fallback, input } from './kernel-args.js';
import type { TensorStorage } from './storage.js';
import type { KernelFunc, Tfjs } from './types.js';

type StorageOf = (backend: unknown) => TensorStorage;

/** Below this many values a slice is copied element by element (a subarray costs more). */
const SET_FROM = 32;

export function gatherKernel(tf: Tfjs, storageOf: StorageOf, own: (kernelName: string) => KernelFunc | undefined): KernelFunc {
  const where = 'GatherV2 (wasmconv/tfjs)';
  return (args) => {
    const x = input(where, args.inputs, 'x');
    const indices = input(where, args.inputs, 'indices');
    const { axis, batchDims } = args.attrs ?? {};
    const rank = x.shape.length;
    const served = (x.dtype === 'float32' || x.dtype === 'int32') && indices.dtype === 'int32' && Number.isInteger(axis) && (axis as number) >= -rank && (axis as number) < rank;
    if (!served) return fallback(where, own('GatherV2'), args);
    const parsedAxis = (axis as number) < 0 ? rank + (axis as number) : (axis as number);
    const store = storageOf(args.backend);
    const picked = store.numbers(where, 'indices', indices);
    const dimSize = x.shape[parsedAxis];
    for (let i = 0; i < picked.length; i++) if (!(picked[i] >= 0 && picked[i] <= dimSize - 1)) return fallback(where, own('GatherV2'), args);
    // tfjs's geometry, and its errors for a bad batchDims
    const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(x, indices, parsedAxis, (batchDims as number | undefined) ?? 0);
    const xv = store.numbers(where, 'x', x);
    const perBatch = picked.length / info.batchSize;
    const slice = info.sliceSize;
    const out = x.dtype === 'float32' ? store.output(info.batchSize * info.outerSize * perBatch * slice) : new Int32Array(info.batchSize * info.outerSize * perBatch * slice);
    let dst = 0;
    for (let b = 0; b < info.batchSize; b++) {
      for (let o = 0; o < info.outerSize; o++) {
        const block = (b * info.outerSize + o) * info.dimSize;
        for (let i = 0; i < perBatch; i++, dst += slice) {
          const src = (block + picked[b * perBatch + i]) * slice;
          if (slice >= SET_FROM) out.set(xv.subarray(src, src + slice), dst);
          else for (let s = 0; s < slice; s++) out[dst + s] = xv[src + s];
        }
      }
    }
    return store.writeAs(info.outputShape, x.dtype as 'float32' | 'int32', out);
  };
}
