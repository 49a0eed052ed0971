// Places one call's tensors in Wasm linear memory. Every call lays its blocks out from the
// top of the resident region again (the heap base while nothing is resident), so memory only
// ever grows to what the largest call needed and scratch is reused. Resident blocks (layers'
// parameters and activations) come from `resident`, below that layout base.
// Views over memory are made fresh on each access: growth detaches old ones.
import type { KernelExports } from './loader.js';
import { ResidentAllocator } from './resident.js';

const PAGE_BYTES = 65536;
/** wasm32 addresses 65536 pages = 4 GiB. */
const MAX_BYTES = 65536 * PAGE_BYTES;
const ALIGN = 16;

const align = (bytes: number): number => Math.ceil(bytes / ALIGN) * ALIGN;
/** Floats write() copies at a time through its bounce buffer (64 KiB, which stays in L2). */
const BOUNCE_FLOATS = 16384;
/** True for the memory of a threaded build (where SharedArrayBuffer exists at all). */
const isShared = (buffer: ArrayBufferLike): boolean => typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer;

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${Math.ceil(bytes / 1024)} KiB`;
}

export class WasmArena {
  /** Blocks that stay in memory across calls; per-call layouts start past them. */
  readonly resident: ResidentAllocator;
  private f32View = new Float32Array(0);
  /** first byte past the latest layout() */
  private layoutEnd = 0;
  private i32View = new Int32Array(0);
  /** see write() */
  private bounce: Float32Array | null = null;

  constructor(private readonly kernels: KernelExports) {
    this.resident = new ResidentAllocator(align(kernels.heap_base()), (op, bytes) => this.ensure(op, bytes));
  }

  /** A Float32Array over all of Wasm memory, re-created if memory grew since the last call. */
  f32(): Float32Array {
    if (this.f32View.buffer !== this.kernels.memory.buffer) this.f32View = new Float32Array(this.kernels.memory.buffer);
    return this.f32View;
  }

  /** An Int32Array over all of Wasm memory, re-created if memory grew since the last call. */
  i32(): Int32Array {
    if (this.i32View.buffer !== this.kernels.memory.buffer) this.i32View = new Int32Array(this.kernels.memory.buffer);
    return this.i32View;
  }

  /** Bytes of linear memory the module holds now. */
  get byteLength(): number {
    return this.kernels.memory.buffer.byteLength;
  }

  /**
   * Byte offsets for blocks of the given float counts, laid out one after another (16-byte
   * aligned), growing memory if needed. Throws a clear Error past what wasm32 can address.
   */
  layout<K extends string>(op: string, floats: Record<K, number>): Record<K, number> {
    const offsets = {} as Record<K, number>;
    let end = this.resident.top;
    for (const name of Object.keys(floats) as K[]) {
      offsets[name] = end;
      end = align(end + floats[name] * 4);
    }
    if (end > MAX_BYTES) {
      const parts = (Object.keys(floats) as K[])
        .filter((name) => floats[name] > 0)
        .map((name) => `${name} ${formatBytes(floats[name] * 4)}`)
        .join(', ');
      throw new Error(
        `${op}: needs ${formatBytes(end)} of WebAssembly memory (${parts}) but 32-bit WebAssembly addresses at most 4 GiB; ` +
          `split the batch or the image`,
      );
    }
    this.ensure(op, end);
    this.layoutEnd = end;
    return offsets;
  }

  /**
   * A 16-byte aligned byte offset of `bytes` bytes past the latest layout (and past every
   * resident block), growing memory if needed: space for the rest of the current call, which
   * the next layout() may reuse.
   */
  after(op: string, bytes: number): number {
    const at = align(Math.max(this.layoutEnd, this.resident.top));
    this.ensure(op, at + bytes);
    return at;
  }

  /** Grows memory to hold at least `bytes` bytes; a clear Error past what wasm32 addresses. */
  ensure(op: string, bytes: number): void {
    if (bytes > MAX_BYTES) {
      throw new Error(
        `${op}: needs ${formatBytes(bytes)} of WebAssembly memory but 32-bit WebAssembly addresses at most 4 GiB; use a smaller batch or model`,
      );
    }
    const memory = this.kernels.memory;
    const have = memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / PAGE_BYTES);
    try {
      memory.grow(pages);
    } catch (cause) {
      throw new Error(
        `${op}: could not grow WebAssembly memory from ${formatBytes(have)} to ${formatBytes(have + pages * PAGE_BYTES)}: ${String(cause)}`,
        { cause },
      );
    }
  }

  /** Copies `data` into Wasm memory at byte `offset`. */
  write(offset: number, data: Float32Array): void {
    const target = new Float32Array(this.kernels.memory.buffer, offset, data.length);
    if (!isShared(target.buffer) || (data.byteOffset - offset) % 8 === 0) {
      target.set(data);
      return;
    }
    // V8 copies into shared memory 8 bytes at a time only where source and target sit alike
    // on 8-byte boundaries, else byte by byte: 3.6 GB/s against 28 here, for a subarray that
    // starts at an odd float. Such data goes through an aligned buffer of our own.
    const bounce = (this.bounce ??= new Float32Array(BOUNCE_FLOATS));
    for (let at = 0; at < data.length; at += BOUNCE_FLOATS) {
      const part = data.subarray(at, at + BOUNCE_FLOATS);
      bounce.set(part);
      target.set(part.length === BOUNCE_FLOATS ? bounce : bounce.subarray(0, part.length), at);
    }
  }

  /** Copies `count` floats at `offset` into out[outAt …]. */
  readInto(offset: number, out: Float32Array, outAt: number, count: number): void {
    out.set(new Float32Array(this.kernels.memory.buffer, offset, count), outAt);
  }

  /** A copy owned by the caller, not a view of Wasm memory. */
  read(offset: number, count: number): Float32Array {
    const copy = uninitializedFloats(count);
    copy.set(new Float32Array(this.kernels.memory.buffer, offset, count));
    return copy;
  }
}

/** Node's Buffer, where there is one (not in browsers). */
const nodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(bytes: number): Uint8Array } }).Buffer;

/**
 * A new Float32Array of `count` floats whose contents are unspecified: only for a result every
 * element of which is written before the caller sees it. `new Float32Array` zeroes its memory
 * first, a whole pass over a result we then overwrite (~70 µs of S5's 1.6 MB, on the calling
 * thread while the workers wait); Node's Buffer.allocUnsafeSlow skips that and gives the array
 * its own ArrayBuffer, as `new Float32Array` does. Browsers have no such call.
 */
export function uninitializedFloats(count: number): Float32Array {
  return nodeBuffer ? new Float32Array(nodeBuffer.allocUnsafeSlow(count * 4).buffer, 0, count) : new Float32Array(count);
}
