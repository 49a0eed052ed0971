// Resident tensors for layers: parameters with their gradients, and activation buffers that
// grow with the batch. All live in Wasm memory (ResidentAllocator); JS reads them through views
// made fresh on each access, since growing memory detaches old views.
import type { Backend } from '../runtime.js';
import type { ResidentBlock } from '../resident.js';
import { formatShape, sizeOf } from '../tensor.js';

/** A tensor in Wasm memory: `ptr` is a byte offset, `shape` starts with the batch. */
export interface Activation {
  readonly ptr: number;
  readonly shape: readonly number[];
}

/** A resident block that is re-allocated when a call needs more than it holds. */
export class Buffer {
  private block: ResidentBlock | null = null;

  constructor(private readonly backend: Backend, private readonly op: string) {}

  /** Byte offset of a block holding at least `floats` floats (4-byte elements). */
  reserve(floats: number): number {
    const bytes = floats * 4;
    if (this.block && this.block.bytes >= bytes) return this.block.ptr;
    const allocator = this.backend.arena.resident;
    if (this.block) allocator.release(this.block);
    this.block = null;
    this.block = allocator.alloc(this.op, bytes);
    return this.block.ptr;
  }

  dispose(): void {
    if (this.block) this.backend.arena.resident.release(this.block);
    this.block = null;
  }
}

/** A trainable tensor and its gradient, both resident. Backward passes overwrite the gradient. */
export class Parameter {
  /** `weight`/`bias` inside a layer; a Sequential prefixes the layer's index (`0.weight`) */
  name: string;
  readonly shape: readonly number[];
  readonly size: number;
  private value: ResidentBlock | null;
  private gradient: ResidentBlock | null;
  private changes = 0;

  constructor(readonly backend: Backend, name: string, shape: readonly number[]) {
    this.name = name;
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
    const allocator = backend.arena.resident;
    this.value = allocator.alloc(`nn: parameter ${name}`, this.size * 4);
    this.gradient = allocator.alloc(`nn: gradient of ${name}`, this.size * 4);
    backend.kernels.f32_zero(this.value.ptr, this.size);
    backend.kernels.f32_zero(this.gradient.ptr, this.size);
  }

  /** Byte offset of the values in Wasm memory. */
  get ptr(): number {
    return this.live(this.value).ptr;
  }

  /** Byte offset of the gradient in Wasm memory. */
  get gradPtr(): number {
    return this.live(this.gradient).ptr;
  }

  /**
   * Counts the writes to the values: layers that keep something made from them (a conv's
   * transformed or packed filter) remake it when this moves. write() and the optimisers'
   * steps move it; code that writes the values through `ptr` must call markChanged().
   */
  get version(): number {
    return this.changes;
  }

  /** Records that the values were written (through `ptr`). */
  markChanged(): void {
    this.changes++;
  }

  /** A copy of the values. */
  read(): Float32Array {
    return this.backend.arena.read(this.ptr, this.size);
  }

  /** A copy of the gradient (of the last backward pass). */
  readGrad(): Float32Array {
    return this.backend.arena.read(this.gradPtr, this.size);
  }

  /** Overwrites the values (data.length must equal the parameter's size). */
  write(data: ArrayLike<number>): void {
    if (data.length !== this.size) {
      throw new Error(`Parameter ${this.name}: got ${data.length} values but its shape ${formatShape(this.shape)} holds ${this.size}`);
    }
    this.backend.arena.f32().set(data, this.ptr >>> 2);
    this.changes++;
  }

  dispose(): void {
    const allocator = this.backend.arena.resident;
    if (this.value) allocator.release(this.value);
    if (this.gradient) allocator.release(this.gradient);
    this.value = this.gradient = null;
  }

  private live(block: ResidentBlock | null): ResidentBlock {
    if (!block) throw new Error(`Parameter ${this.name}: used after its model was disposed`);
    return block;
  }
}
