// Reading kernel inputs from, and writing outputs into, each tfjs backend's own storage.
// cpu: the TypedArray it keeps per tensor (read in place, no copy); the output array becomes the
// backend's (makeTensorInfo keeps it, no copy).
// wasm: a view of the tensor in the backend's heap (read in place, no copy); outputs are copied
// into memory the backend allocates (makeOutput). A heap view is detached if that heap grows:
// kernels finish reading every input before they write their output.
import { formatShape } from '../tensor.js';
import { recyclerOf } from './recycle.js';
import type { TensorInfo } from './types.js';

/**
 * A float32 tensor's values as a backend holds them. tfjs-backend-cpu keeps some float32 tensors
 * in an Int32Array (a cast from int32 shares the integers' array); its kernels read the values as
 * numbers whatever the array, and so do the JavaScript kernels here.
 */
export type Values = Float32Array | Int32Array;

export interface TensorStorage {
  /** the float32 values of a kernel input, in the backend's own array where it allows (else a Float32Array copy) */
  read(where: string, name: string, t: TensorInfo): Float32Array;
  /** the values of a float32 kernel input, in the backend's own array, whichever kind it is */
  values(where: string, name: string, t: TensorInfo): Values;
  /** the values of a float32 or int32 kernel input, in the backend's own array, whichever kind it is */
  numbers(where: string, name: string, t: TensorInfo): Values;
  /** a new backend tensor holding `values` (which the backend may keep: callers hand it over) */
  write(shape: number[], values: Float32Array): TensorInfo;
  /** an array for an output of `length` floats, to hand to write: a recycled one (stale values) where the backend allows, else new */
  output(length: number): Float32Array;
  /** write, for a float32 or int32 tensor */
  writeAs(shape: number[], dtype: 'float32' | 'int32', values: Values): TensorInfo;
}

interface CpuBackend {
  data: { get(dataId: object): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: 'float32' | 'int32', values: Values): TensorInfo;
}

/** The storage of a tfjs-backend-cpu MathBackendCPU. */
export function cpuStorage(backend: unknown): TensorStorage {
  const cpu = backend as CpuBackend;
  const numbers = (where: string, name: string, t: TensorInfo): Values => {
    const held = cpu.data.get(t.dataId)?.values;
    if (!(held instanceof Float32Array || held instanceof Int32Array)) {
      throw new Error(`${where}: ${name} ${formatShape(t.shape)} has no values in the cpu backend`);
    }
    return held;
  };
  const values = (where: string, name: string, t: TensorInfo): Values => {
    checkFloat32(where, name, t);
    return numbers(where, name, t);
  };
  return {
    read(where, name, t) {
      const held = values(where, name, t);
      return held instanceof Float32Array ? held : Float32Array.from(held);
    },
    values,
    numbers,
    write(shape, values) {
      const t = cpu.makeTensorInfo(shape, 'float32', values);
      recyclerOf(cpu).watch(t, values);
      return t;
    },
    output: (length) => recyclerOf(cpu).take(length),
    writeAs: (shape, dtype, values) => cpu.makeTensorInfo(shape, dtype, values),
  };
}

function checkFloat32(where: string, name: string, t: TensorInfo): void {
  if (t.dtype !== 'float32') throw new Error(`${where}: ${name} ${formatShape(t.shape)} must be float32, got dtype ${t.dtype}`);
}

interface WasmBackend {
  typedArrayFromHeap(t: TensorInfo): unknown;
  makeOutput(shape: number[], dtype: 'float32' | 'int32', memoryOffset?: number, values?: Values): TensorInfo;
}

/** The storage of a tfjs-backend-wasm BackendWasm. */
export function wasmStorage(backend: unknown): TensorStorage {
  const wasm = backend as WasmBackend;
  const read = (where: string, name: string, t: TensorInfo): Float32Array => {
    checkFloat32(where, name, t);
    return wasm.typedArrayFromHeap(t) as Float32Array;
  };
  return {
    read,
    values: read,
    numbers: (where, name, t) => wasm.typedArrayFromHeap(t) as Values,
    write: (shape, values) => wasm.makeOutput(shape, 'float32', undefined, values),
    // (makeOutput copies into the heap: a JavaScript array is only ever a staging copy)
    output: (length) => new Float32Array(length),
    writeAs: (shape, dtype, values) => wasm.makeOutput(shape, dtype, undefined, values),
  };
}
