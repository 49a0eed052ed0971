// BatchMatMul and _FusedMatMul (no activation) for tfjs's cpu backend: a tf.layers dense layer's
// forward pass (_FusedMatMul, matmul + bias) and its two gradients (BatchMatMul, one with a
// transposed operand). tfjs-cpu's own kernel sums each output's products in float64 over blocks
// of `backend.blockSize` k's and adds each block's total into the float32 result: one dependent
// float64 add after another. These add the same products in the same order and round at the
// same points (tfjs-cpu's results bit for bit), but four outputs of a row at once, whose sums
// do not depend on each other, over operands copied to rows (the k's of an output contiguous).
// Other dtypes, batch shapes that differ (but for one side's being a plain matrix), an activation,
// and a bias of another shape than [N] go to the backend's own kernel.
import { fallback, input } from './kernel-args.js';
import type { TensorStorage, Values } from './storage.js';
import type { KernelArgs, KernelFunc } from './types.js';

type StorageOf = (backend: unknown) => TensorStorage;
type Own = (kernelName: string) => KernelFunc | undefined;

export function matMulKernels(storageOf: StorageOf, own: Own): Record<string, KernelFunc> {
  return {
    BatchMatMul: (args) => matMul('BatchMatMul', args, storageOf, own, false),
    _FusedMatMul: (args) => matMul('_FusedMatMul', args, storageOf, own, true),
  };
}

function matMul(name: string, args: KernelArgs, storageOf: StorageOf, own: Own, fused: boolean): ReturnType<KernelFunc> {
  const where = `${name} (wasmconv/tfjs)`;
  const a = input(where, args.inputs, 'a');
  const b = input(where, args.inputs, 'b');
  const bias = fused ? args.inputs.bias : undefined;
  const { transposeA, transposeB, activation } = args.attrs ?? {};
  const blockSize = (args.backend as { blockSize?: unknown }).blockSize;
  const ra = a.shape.length, rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2], k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2], n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batchA = size(a.shape.slice(0, -2)), batchB = size(b.shape.slice(0, -2));
  const served =
    a.dtype === 'float32' && b.dtype === 'float32' && ra >= 2 && rb >= 2 && k === kb && Number.isInteger(blockSize) && (blockSize as number) >= 1 &&
    // the batch shapes: the same, or one side a single matrix of rank 2 (tfjs-cpu takes the batch index mod each side's count)
    (ra === 2 || rb === 2 || JSON.stringify(a.shape.slice(0, -2)) === JSON.stringify(b.shape.slice(0, -2))) &&
    (!fused || ((activation === undefined || activation === null || activation === 'linear') && args.inputs.preluActivationWeights === undefined &&
      (bias === undefined || (bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === n))));
  if (!served) return fallback(where, own(name), args);
  const store = storageOf(args.backend);
  const av = store.values(where, 'a', a), bv = store.values(where, 'b', b);
  const biasValues = bias === undefined ? null : store.values(where, 'bias', bias);
  const batch = Math.max(batchA, batchB);
  const outShape = [...(ra === 2 ? b.shape : a.shape).slice(0, -2), m, n];
  const out = new Float32Array(batch * m * n);
  // each batch's operands as rows: A's m rows of k, B's n columns as rows of k (float64: exact copies of float32 or int32-held values)
  const rowsA = new Float64Array(m * k), rowsB = new Float64Array(n * k);
  for (let bi = 0; bi < batch; bi++) {
    if (bi < batchA) toRows(av, (bi % batchA) * m * k, transposeA === true, m, k, rowsA);
    if (bi < batchB) toRows(bv, (bi % batchB) * k * n, transposeB !== true, n, k, rowsB);
    products(rowsA, rowsB, m, n, k, blockSize as number, out, bi * m * n);
  }
  if (biasValues !== null) for (let i = 0; i < out.length; i += n) for (let j = 0; j < n; j++) out[i + j] = out[i + j] + biasValues[j];
  return store.write(outShape, out);
}

/** rows[r·k + c] = the matrix's element (r, c), read from `values` at `from` as [rows, k] or, `transposed`, [k, rows]. */
function toRows(values: Values, from: number, transposed: boolean, rowCount: number, k: number, rows: Float64Array): void {
  if (!transposed) {
    for (let i = 0; i < rowCount * k; i++) rows[i] = values[from + i];
    return;
  }
  for (let c = 0; c < k; c++) for (let r = 0; r < rowCount; r++) rows[r * k + c] = values[from + c * rowCount + r];
}

/** out[o + i·n + j] = Σ_k A(i,k)·B(k,j), in tfjs-cpu's blocks: each block summed in float64, then added to the float32 output. */
function products(a: Float64Array, b: Float64Array, m: number, n: number, k: number, block: number, out: Float32Array, o: number): void {
  for (let k0 = 0; k0 < k; k0 += block) {
    const k1 = Math.min(k0 + block, k);
    for (let i = 0; i < m; i++) {
      const ai = i * k, oi = o + i * n;
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let kk = k0; kk < k1; kk++) {
          const v = a[ai + kk];
          s0 += v * b[b0 + kk];
          s1 += v * b[b1 + kk];
          s2 += v * b[b2 + kk];
          s3 += v * b[b3 + kk];
        }
        out[oi + j] += s0;
        out[oi + j + 1] += s1;
        out[oi + j + 2] += s2;
        out[oi + j + 3] += s3;
      }
      for (; j < n; j++) {
        const bj = j * k;
        let s = 0;
        for (let kk = k0; kk < k1; kk++) s += a[ai + kk] * b[bj + kk];
        out[oi + j] += s;
      }
    }
  }
}

const size = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);
