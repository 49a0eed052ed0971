// Reading kernel inputs from, and writing outputs into, each tfjs backend's own storage.
// cpu: the TypedArray it keeps per tensor (read in place, no copy); the output array becomes the
// backend's (makeTensorInfo keeps it, no copy).
// wasm: a view of the tensor in the backend's heap (read in place, no copy); outputs are copied
// into memory the backend allocates (makeOutput). A heap view is detached if that heap grows:
// kernels finish reading every input before they write their output.
import { formatShape } from '../tensor.js';
import type { TensorInfo } from './types.js';

export interface TensorStorage {
  /** the float32 values of a kernel input, in the backend's own array where it allows */
  read(where: string, name: string, t: TensorInfo): Float32Array;
  /** a new backend tensor holding `values` (which the backend may keep: callers hand it over) */
  write(shape: number[], values: Float32Array): TensorInfo;
}

interface CpuBackend {
  data: { get(dataId: object): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** The storage of a tfjs-backend-cpu MathBackendCPU. */
export function cpuStorage(backend: unknown): TensorStorage {
  const cpu = backend as CpuBackend;
  return {
    read(where, name, t) {
      checkFloat32(where, name, t);
      const values = cpu.data.get(t.dataId)?.values;
      if (!(values instanceof Float32Array)) {
        throw new Error(`${where}: ${name} ${formatShape(t.shape)} has no float32 values in the cpu backend`);
      }
      return values;
    },
    write: (shape, values) => cpu.makeTensorInfo(shape, 'float32', values),
  };
}

function checkFloat32(where: string, name: string, t: TensorInfo): void {
  if (t.dtype !== 'float32') throw new Error(`${where}: ${name} ${formatShape(t.shape)} must be float32, got dtype ${t.dtype}`);
}

interface WasmBackend {
  typedArrayFromHeap(t: TensorInfo): unknown;
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): TensorInfo;
}

/** The storage of a tfjs-backend-wasm BackendWasm. */
export function wasmStorage(backend: unknown): TensorStorage {
  const wasm = backend as WasmBackend;
  return {
    read(where, name, t) {
      checkFloat32(where, name, t);
      return wasm.typedArrayFromHeap(t) as Float32Array;
    },
    write: (shape, values) => wasm.makeOutput(shape, 'float32', undefined, values),
  };
}
