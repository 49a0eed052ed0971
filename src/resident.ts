// Resident blocks: tensors that stay in Wasm linear memory across calls (a model's parameters,
// gradients, activations and optimiser state). They live in a region from the heap base up to
// `top`; each functional call's per-call layout (memory.ts) starts at `top`, so the two never
// overlap. Freed blocks go on a first-fit free list, neighbours coalesce, and a free block at
// the end gives its bytes back to `top`.
export const BLOCK_ALIGN = 16;

const alignUp = (bytes: number): number => Math.ceil(bytes / BLOCK_ALIGN) * BLOCK_ALIGN;

/** A block of resident memory: `ptr` is a 16-byte aligned byte offset, `bytes` its size. */
export interface ResidentBlock {
  readonly ptr: number;
  readonly bytes: number;
  /** false once freed: using a freed block is a bug the allocator reports */
  readonly live: boolean;
}

interface Block {
  ptr: number;
  bytes: number;
  live: boolean;
}

export class ResidentAllocator {
  /** first byte past the last resident block */
  private end: number;
  /** free blocks, sorted by address */
  private readonly free: Block[] = [];
  private liveBytes = 0;
  private liveCount = 0;

  /**
   * @param base first byte of the region (aligned up to 16)
   * @param ensure called with a byte count before `top` moves past it (grows memory or throws)
   */
  constructor(private readonly base: number, private readonly ensure: (op: string, bytes: number) => void) {
    this.base = alignUp(base);
    this.end = this.base;
  }

  /** First byte past the resident region: per-call layouts start here. */
  get top(): number {
    return this.end;
  }

  /** Bytes held by live blocks, and how many there are. */
  get stats(): { liveBytes: number; liveBlocks: number; regionBytes: number; freeBlocks: number } {
    return { liveBytes: this.liveBytes, liveBlocks: this.liveCount, regionBytes: this.end - this.base, freeBlocks: this.free.length };
  }

  /** A block of at least `bytes` bytes (16-byte aligned; contents undefined). */
  alloc(op: string, bytes: number): ResidentBlock {
    if (!Number.isInteger(bytes) || bytes < 0) {
      throw new Error(`${op}: a resident block needs a non-negative integer byte count, got ${bytes}`);
    }
    const size = Math.max(alignUp(bytes), BLOCK_ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i];
      if (f.bytes < size) continue;
      const block: Block = { ptr: f.ptr, bytes: size, live: true };
      if (f.bytes === size) this.free.splice(i, 1);
      else {
        f.ptr += size;
        f.bytes -= size;
      }
      return this.track(block);
    }
    // Nothing free fits: extend the region (absorbing a free block that ends at the top).
    let ptr = this.end;
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.bytes === this.end) {
      ptr = last.ptr;
      this.free.pop();
    }
    this.ensure(op, ptr + size);
    this.end = ptr + size;
    return this.track({ ptr, bytes: size, live: true });
  }

  /** Returns a block to the allocator; freeing a block twice is an Error. */
  release(block: ResidentBlock): void {
    const b = block as Block;
    if (!b.live) throw new Error(`resident: block at ${b.ptr} (${b.bytes} bytes) was already freed`);
    b.live = false;
    this.liveBytes -= b.bytes;
    this.liveCount--;
    let i = 0;
    while (i < this.free.length && this.free[i].ptr < b.ptr) i++;
    const entry: Block = { ptr: b.ptr, bytes: b.bytes, live: false };
    this.free.splice(i, 0, entry);
    // coalesce with the next, then with the previous neighbour
    const next = this.free[i + 1];
    if (next && entry.ptr + entry.bytes === next.ptr) {
      entry.bytes += next.bytes;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.ptr + prev.bytes === entry.ptr) {
      prev.bytes += entry.bytes;
      this.free.splice(i, 1);
    }
    // a free block at the end shrinks the region
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.bytes === this.end) {
      this.end = last.ptr;
      this.free.pop();
    }
  }

  private track(block: Block): ResidentBlock {
    this.liveBytes += block.bytes;
    this.liveCount++;
    return block;
  }
}
