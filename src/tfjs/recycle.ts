// Recycling the large output arrays the cpu-backend kernels hand tfjs. Writing a fresh 2.4 MB
// Float32Array costs 2–3 times what writing a used one does (the new pages fault in and are
// zeroed), and a LeNet training step makes a dozen of them, which the garbage collector then
// frees. Once tfjs has disposed of such a tensor, its array could hold the next output instead —
// if nothing else can still see it. What can see a tfjs-cpu tensor's array: its dataId's entry
// in the backend's data store (gone when tfjs disposes of the tensor); another dataId the
// backend stores it under (tfjs-cpu's Slice keeps a subarray of its input, a Cast from int32
// shares it), which passes through the store's set(); and whoever read it out (dataSync(),
// data(), bufferSync(), arraySync(), moving to another backend), which passes through the
// backend's readSync(). So this watches both: an array stored under a second dataId, or read out,
// is never recycled, and one is reused only when its own dataId has left the store.
import type { TensorInfo } from './types.js';

/** Arrays smaller than this (in elements) are left to the allocator: they cost little. */
const SMALLEST = 1 << 16;
/** At most this many arrays (and bytes) are watched: a bound on what recycling keeps alive. */
const MOST = 48;
const MOST_BYTES = 256 << 20;

interface DataStore {
  has(dataId: object): boolean;
  set(dataId: object, value: { values?: unknown }): void;
}

interface CpuBackendInternals {
  data: DataStore;
  readSync(dataId: object): unknown;
}

interface Watched {
  dataId: object;
  values: Float32Array;
}

export class Recycler {
  /** what was handed to tfjs, by buffer, oldest first */
  private readonly watched = new Map<ArrayBufferLike, Watched>();
  private bytes = 0;
  private readonly restore: () => void;

  constructor(backend: unknown) {
    const cpu = backend as CpuBackendInternals;
    const data = cpu.data;
    const ownSet = Object.prototype.hasOwnProperty.call(data, 'set'), ownRead = Object.prototype.hasOwnProperty.call(cpu, 'readSync');
    const set = data.set, readSync = cpu.readSync;
    data.set = (dataId, value) => {
      const values = value?.values;
      if (ArrayBuffer.isView(values) && this.watched.get(values.buffer)?.dataId !== dataId) this.forget(values.buffer);
      set.call(data, dataId, value);
    };
    cpu.readSync = (dataId) => {
      const values = readSync.call(cpu, dataId);
      if (ArrayBuffer.isView(values)) this.forget(values.buffer);
      return values;
    };
    this.data = data;
    this.restore = () => {
      if (ownSet) data.set = set;
      else delete (data as Partial<DataStore>).set;
      if (ownRead) cpu.readSync = readSync;
      else delete (cpu as Partial<CpuBackendInternals>).readSync;
      this.watched.clear();
    };
  }

  private readonly data: DataStore;

  /** An array of `length` floats whose tensor tfjs has disposed of and nobody else sees (its contents are stale), or a new one. */
  take(length: number): Float32Array {
    if (length >= SMALLEST) {
      for (const [buffer, w] of this.watched) {
        if (w.values.length === length && !this.data.has(w.dataId)) {
          this.forget(buffer);
          return w.values;
        }
      }
    }
    return new Float32Array(length);
  }

  /** Watches the array of a tensor just handed to tfjs, to recycle once tfjs disposes of it. */
  watch(t: TensorInfo, values: Float32Array): void {
    if (values.length < SMALLEST || values.byteOffset !== 0 || values.byteLength !== values.buffer.byteLength) return;
    this.watched.set(values.buffer, { dataId: t.dataId, values });
    this.bytes += values.byteLength;
    // past the bound, the oldest are forgotten (left to the garbage collector)
    for (const buffer of this.watched.keys()) {
      if (this.watched.size <= MOST && this.bytes <= MOST_BYTES) break;
      this.forget(buffer);
    }
  }

  private forget(buffer: ArrayBufferLike): void {
    const w = this.watched.get(buffer);
    if (w === undefined) return;
    this.watched.delete(buffer);
    this.bytes -= w.values.byteLength;
  }

  /** Takes the watches off the backend and forgets every array. */
  dispose(): void {
    this.restore();
    this.bytes = 0;
  }
}

const recyclers = new Map<object, Recycler>();

/** The backend's recycler (watching it from the first call on, until disposeRecyclers()). */
export function recyclerOf(backend: object): Recycler {
  let r = recyclers.get(backend);
  if (r === undefined) recyclers.set(backend, (r = new Recycler(backend)));
  return r;
}

export function disposeRecyclers(): void {
  for (const r of recyclers.values()) r.dispose();
  recyclers.clear();
}
